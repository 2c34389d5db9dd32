package dev.agentwire.connections.control;

import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One user's open connections, isolated from every other user's. Created by {@link ConnectionHub}
 * on the user's first connection and dropped with the last; sending to a user goes through here.
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

    /** Sends a thread's encoded event to this user's connections that follow the thread. */
    void deliver(String threadId, long seq, String json) {
        for (Connection connection : connections.values()) {
            connection.deliver(threadId, seq, json);
        }
    }

    List<Connection> all() {
        return List.copyOf(connections.values());
    }

    boolean isEmpty() {
        return connections.isEmpty();
    }
}
