package dev.agentwire.connections.control;

import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One user's open connections, isolated from every other user's. Created by {@link ConnectionHub}
 * on the user's first connection and dropped with the last.
 */
public class UserConnections {

    private final int maxConnections;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();

    UserConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    /** Called under the hub's per-user lock. */
    void add(Connection connection) {
        if (connections.size() >= maxConnections) {
            throw new GatewayException(ErrorCode.TOO_MANY_CONNECTIONS,
                    "You already have " + maxConnections + " open connections; close one and retry.");
        }
        connections.put(connection.sessionId(), connection);
    }

    /** Called under the hub's per-user lock. */
    boolean remove(Connection connection) {
        return connections.remove(connection.sessionId(), connection);
    }

    List<Connection> all() {
        return List.copyOf(connections.values());
    }

    boolean isEmpty() {
        return connections.isEmpty();
    }
}
