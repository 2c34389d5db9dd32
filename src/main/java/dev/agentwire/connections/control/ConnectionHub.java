package dev.agentwire.connections.control;

import dev.agentwire.cluster.control.Peers;
import dev.agentwire.connections.entity.ConnectionState;
import dev.agentwire.kernel.Owner;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.streams.control.ThreadStreams;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.websocket.Session;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * The registry of open connections and the factory of per-user groups. Nothing per-user exists
 * until that user connects, and a user's group goes away with their last connection. The limits
 * on connections, per user and in all, are enforced atomically here; in cluster mode the per-user
 * ones (connections open, connections a minute) count over every node ({@link Peers}). A user's
 * rate limits are {@link RateLimits}'. A user is an {@link Owner}: issuer and user id.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ConnectionHub {

    private static final Logger LOG = Logger.getLogger(ConnectionHub.class.getName());

    @Inject
    Config config;

    @Inject
    FrameCodec codec;

    @Inject
    GatewayMetrics metrics;

    @Inject
    ThreadStreams streams;

    @Inject
    Peers peers;

    @Inject
    RateLimits rateLimits;

    static final String CONNECTIONS = "connections";

    private final ConcurrentHashMap<Owner, UserConnections> users = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    private ConnectionSettings settings;
    private volatile boolean accepting;

    @PostConstruct
    void start() {
        settings = ConnectionSettings.from(config);
        metrics.gauge("agentwire.connections.active", "Authenticated connections open now", active::get);
        metrics.gauge("agentwire.users.connected", "Users with at least one open connection", users::size);
        accepting = true;
        LOG.info(() -> "Accepting connections: at most " + settings.perUserMax() + " per user, "
                + settings.maxConnections() + " in all");
    }

    public ConnectionSettings settings() {
        return settings;
    }

    /** A new connection for an opened session, in state ACCEPTED. */
    public Connection accept(Session session) {
        Connection connection = new Connection(session, codec, settings, code -> metrics.errorFrame(code.name()));
        connection.moveTo(ConnectionState.ACCEPTED);
        return connection;
    }

    /**
     * Admits an authenticated connection into its user's group, creating the group on the
     * user's first connection, and moves it to SERVICES_READY.
     */
    public UserConnections register(Connection connection) {
        UserContext context = connection.context().orElseThrow(
                () -> new IllegalStateException("register before authenticate"));
        if (!accepting) {
            throw new GatewayException(ErrorCode.SERVER_SHUTDOWN);
        }
        Owner owner = context.owner();
        UserLimits userLimits = rateLimits.of(owner);
        userLimits.checkConnection();
        if (!peers.countThisMinute(CONNECTIONS, owner, settings.limits().connectionsPerMinute())) {
            throw new GatewayException(ErrorCode.TOO_MANY_CONNECTIONS, "You opened more than "
                    + settings.limits().connectionsPerMinute() + " connections in a minute; wait a little and retry.");
        }
        connection.limits(userLimits);
        if (active.incrementAndGet() > settings.maxConnections()) {
            active.decrementAndGet();
            throw new GatewayException(ErrorCode.SERVER_BUSY);
        }
        boolean counted = false;
        try {
            UserConnections group = users.compute(owner, (user, existing) -> {
                UserConnections target = existing != null ? existing : new UserConnections(settings.perUserMax());
                target.add(connection);
                return target;
            });
            counted = peers.take(CONNECTIONS, owner, settings.perUserMax());
            if (!counted) { // the others are open on other nodes
                throw new GatewayException(ErrorCode.TOO_MANY_CONNECTIONS,
                        "You already have " + settings.perUserMax() + " open connections; close one and retry.");
            }
            connection.moveTo(ConnectionState.SERVICES_READY);
            metrics.connectionOpened();
            return group;
        } catch (RuntimeException e) {
            active.decrementAndGet();
            users.computeIfPresent(owner, (user, group) -> {
                group.remove(connection);
                return group.isEmpty() ? null : group;
            });
            if (counted) {
                peers.give(CONNECTIONS, owner);
            }
            throw e;
        }
    }

    /** Removes a connection from its group and from the threads it followed; the group goes with the user's last connection. */
    public void unregister(Connection connection) {
        streams.leave(connection);
        connection.context().ifPresent(context -> {
            boolean[] removed = new boolean[1];
            users.computeIfPresent(context.owner(), (user, group) -> {
                removed[0] = group.remove(connection);
                return group.isEmpty() ? null : group;
            });
            if (removed[0]) {
                active.decrementAndGet();
                peers.give(CONNECTIONS, context.owner());
            }
        });
    }

    /** The session now lasts until the new expiry; the old one no longer applies. */
    public void extend(Connection connection, Instant expiresAt) {
        connection.expiresAt(expiresAt);
    }

    /** Every registered connection, at this moment. */
    public List<Connection> connections() {
        return users.values().stream().flatMap(group -> group.all().stream()).toList();
    }

    /** Whether the user has a connection open here. */
    public boolean isConnected(Owner owner) {
        return users.containsKey(owner);
    }

    /** New connections are refused from now on (SERVER_SHUTDOWN). */
    public void stopAccepting() {
        accepting = false;
    }

    public boolean isAccepting() {
        return accepting;
    }

    public int activeConnections() {
        return active.get();
    }

    public int maxConnections() {
        return settings.maxConnections();
    }
}
