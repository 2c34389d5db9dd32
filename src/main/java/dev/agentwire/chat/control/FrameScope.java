package dev.agentwire.chat.control;

import dev.agentwire.connections.control.Connection;
import dev.agentwire.connections.entity.UserContext;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Produces;

/**
 * The connection whose frame is being handled, for the duration of one frame. Makes the
 * canonical {@link UserContext} injectable into the beans that handle frames.
 */
@RequestScoped
public class FrameScope {

    private Connection connection;

    void enter(Connection connection) {
        this.connection = connection;
    }

    /** The connection of the frame being handled, or null outside frame handling. */
    public Connection connection() {
        return connection;
    }

    @Produces
    UserContext userContext() {
        if (connection == null) {
            throw new IllegalStateException("no frame is being handled");
        }
        return connection.context().orElseThrow(() -> new IllegalStateException("frame handled before authentication"));
    }

    @Produces
    Connection currentConnection() {
        if (connection == null) {
            throw new IllegalStateException("no frame is being handled");
        }
        return connection;
    }
}
