package dev.agentwire.it;

import dev.agentwire.connections.control.Connection;
import dev.agentwire.connections.control.ConnectionHub;
import dev.agentwire.protocol.ErrorCode;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Test-only REST resource: the server cuts off every connection of a user the way it cuts off a
 * client that does not read (close 1008 {@code SLOW_CONSUMER}, no frame), so that a test can
 * drop a browser's connection in the middle of a run. Answers how many it dropped.
 */
@RequestScoped
@Path("test/connections")
public class ConnectionDrops {

    @Inject
    ConnectionHub hub;

    @POST
    @Path("{user}/drop")
    @Produces(MediaType.TEXT_PLAIN)
    public String drop(@PathParam("user") String user) {
        int dropped = 0;
        for (Connection connection : hub.connections()) {
            if (connection.isOpen() && connection.context().isPresent() && connection.owner().userId().equals(user)) {
                connection.fail(ErrorCode.SLOW_CONSUMER, null, null);
                dropped++;
            }
        }
        return Integer.toString(dropped);
    }
}
