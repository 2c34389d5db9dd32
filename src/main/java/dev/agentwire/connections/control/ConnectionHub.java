package dev.agentwire.connections.control;

import dev.agentwire.kernel.Ids;
import dev.agentwire.connections.entity.ConnectionState;
import dev.agentwire.connections.entity.ShuttingDown;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.websocket.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The factory of per-user connection groups and the holder of every open connection. Nothing
 * per-user exists until that user connects, and a user's group goes away with their last
 * connection. Per-user and global limits are enforced atomically here. It touches no
 * transactional resource, so its calls (one per delivered event) start no transaction.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ConnectionHub {

    private static final Logger LOG = Logger.getLogger(ConnectionHub.class.getName());

    @Inject
    @ConfigProperty(name = "agentwire.connections.per-user-max", defaultValue = "5")
    int perUserMax;

    @Inject
    @ConfigProperty(name = "agentwire.connections.max", defaultValue = "10000")
    int maxConnections;

    @Inject
    @ConfigProperty(name = "agentwire.outbox.capacity", defaultValue = "1024")
    int outboxCapacity;

    @Inject
    @ConfigProperty(name = "agentwire.heartbeat.interval-seconds", defaultValue = "25")
    int heartbeatSeconds;

    @Inject
    @ConfigProperty(name = "agentwire.heartbeat.idle-timeout-seconds", defaultValue = "75")
    int idleTimeoutSeconds;

    @Inject
    @ConfigProperty(name = "agentwire.outbox.drain-timeout-seconds", defaultValue = "10")
    int drainTimeoutSeconds;

    @Inject
    @ConfigProperty(name = "agentwire.rate.frames-per-second", defaultValue = "20")
    int framesPerSecond;

    @Inject
    @ConfigProperty(name = "agentwire.rate.frame-burst", defaultValue = "40")
    int frameBurst;

    @Inject
    @ConfigProperty(name = "agentwire.rate.refusals-before-close", defaultValue = "20")
    int refusalsBeforeClose;

    @Inject
    @ConfigProperty(name = "agentwire.rate.connections-per-minute", defaultValue = "30")
    int connectionsPerMinute;

    @Inject
    @ConfigProperty(name = "agentwire.frames.max-invalid", defaultValue = "10")
    int maxInvalidFrames;

    @Inject
    @ConfigProperty(name = "agentwire.frames.invalid-window-seconds", defaultValue = "60")
    int invalidWindowSeconds;

    @Inject
    FrameCodec codec;

    @Inject
    GatewayMetrics metrics;

    @Inject
    Event<ShuttingDown> shuttingDown;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private final ConcurrentHashMap<String, UserConnections> users = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, UserLimits> limits = new ConcurrentHashMap<>();
    private UserLimits.Config limitsConfig;
    private Duration idleTimeout;
    private Duration drainTimeout;
    private volatile Instant lastPing = Instant.now();
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean accepting;
    private ScheduledFuture<?> housekeeping;

    @PostConstruct
    void start() {
        requireAtLeastOne("agentwire.connections.per-user-max", perUserMax);
        requireAtLeastOne("agentwire.connections.max", maxConnections);
        requireAtLeastOne("agentwire.outbox.capacity", outboxCapacity);
        requireAtLeastOne("agentwire.heartbeat.interval-seconds", heartbeatSeconds);
        requireAtLeastOne("agentwire.heartbeat.idle-timeout-seconds", idleTimeoutSeconds);
        requireAtLeastOne("agentwire.outbox.drain-timeout-seconds", drainTimeoutSeconds);
        requireAtLeastOne("agentwire.rate.frames-per-second", framesPerSecond);
        requireAtLeastOne("agentwire.rate.frame-burst", frameBurst);
        requireAtLeastOne("agentwire.rate.refusals-before-close", refusalsBeforeClose);
        requireAtLeastOne("agentwire.rate.connections-per-minute", connectionsPerMinute);
        requireAtLeastOne("agentwire.frames.max-invalid", maxInvalidFrames);
        requireAtLeastOne("agentwire.frames.invalid-window-seconds", invalidWindowSeconds);
        limitsConfig = new UserLimits.Config(framesPerSecond, frameBurst, refusalsBeforeClose, connectionsPerMinute);
        metrics.gauge("agentwire.connections.active", "Authenticated connections open now", active::get);
        metrics.gauge("agentwire.users.connected", "Users with at least one open connection", users::size);
        idleTimeout = Duration.ofSeconds(idleTimeoutSeconds);
        drainTimeout = Duration.ofSeconds(drainTimeoutSeconds);
        housekeeping = scheduler.scheduleWithFixedDelay(this::housekeeping, 1, 1, TimeUnit.SECONDS);
        accepting = true;
        LOG.info(() -> "Accepting connections: at most " + perUserMax + " per user, " + maxConnections + " in all");
    }

    /** A new connection for an opened session, in state ACCEPTED. */
    public Connection accept(Session session) {
        Connection connection = new Connection(session, codec, outboxCapacity, maxInvalidFrames,
                Duration.ofSeconds(invalidWindowSeconds));
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
        UserLimits userLimits = limits.computeIfAbsent(context.userId(), id -> new UserLimits(limitsConfig));
        userLimits.checkConnection();
        connection.limits(userLimits);
        if (active.incrementAndGet() > maxConnections) {
            active.decrementAndGet();
            throw new GatewayException(ErrorCode.SERVER_BUSY);
        }
        try {
            UserConnections group = users.compute(context.userId(), (userId, existing) -> {
                UserConnections target = existing != null ? existing : new UserConnections(perUserMax);
                target.add(connection);
                return target;
            });
            connection.moveTo(ConnectionState.SERVICES_READY);
            metrics.connectionOpened();
            return group;
        } catch (RuntimeException e) {
            active.decrementAndGet();
            users.computeIfPresent(context.userId(), (userId, group) -> {
                group.remove(connection);
                return group.isEmpty() ? null : group;
            });
            throw e;
        }
    }

    /** Removes a connection; the user's group goes with their last connection. */
    public void unregister(Connection connection) {
        connection.context().ifPresent(context -> users.computeIfPresent(context.userId(), (userId, group) -> {
            if (group.remove(connection)) {
                active.decrementAndGet();
            }
            return group.isEmpty() ? null : group;
        }));
    }

    /** Sends a run's encoded event to the connections of the run's user that follow its thread. */
    public void deliver(UserContext run, long seq, String json) {
        UserConnections group = users.get(run.userId());
        if (group != null) {
            group.deliver(run.threadId(), seq, json);
        }
    }

    /** The session now lasts until the new expiry; the old one no longer applies. */
    public void extend(Connection connection, Instant expiresAt) {
        connection.expiresAt(expiresAt);
    }

    /**
     * Once a second, one pass over every connection: frees those whose socket died without a
     * close, ends those whose token expired (AUTH_EXPIRED), cuts off those that left a frame
     * unread past the drain timeout (SLOW_CONSUMER) or answered nothing within the idle timeout
     * (IDLE_TIMEOUT), and pings the rest every heartbeat interval. One periodic task rather than
     * tasks per connection: scheduling on a managed executor captures context, which costs a
     * class-path scan on Payara (see docs/benchmarks.md).
     */
    void housekeeping() {
        Instant now = Instant.now();
        boolean pingNow = Duration.between(lastPing, now).getSeconds() >= heartbeatSeconds;
        if (pingNow) {
            lastPing = now;
        }
        for (UserConnections group : users.values()) {
            for (Connection connection : group.all()) {
                try {
                    keep(connection, now, pingNow);
                } catch (RuntimeException e) {
                    // a bug, and only this connection's: the periodic task must outlive it, or
                    // every other session would stop being pinged and expired
                    String correlationId = Ids.newId();
                    metrics.internalError();
                    LOG.log(Level.SEVERE, "Housekeeping failed [" + correlationId + "] on session " + connection.sessionId(), e);
                    connection.cutOff(ErrorCode.INTERNAL_ERROR);
                }
            }
        }
        limits.entrySet().removeIf(entry -> !users.containsKey(entry.getKey()) && entry.getValue().unusedFor(Duration.ofMinutes(10)));
    }

    private void keep(Connection connection, Instant now, boolean pingNow) {
        if (!connection.isOpen()) {
            unregister(connection);
            connection.closed();
        } else if (!now.isBefore(connection.expiresAt()) && connection.state().isLive()) {
            ErrorCode code = ErrorCode.AUTH_EXPIRED;
            metrics.errorFrame(code.name());
            connection.reject(ServerFrame.ErrorFrame.of(code,
                    "Your token expired; refresh it before it expires, or reconnect with a new one.",
                    Ids.newId(), List.of()), code);
        } else if (connection.outboxStalledFor().compareTo(drainTimeout) > 0) {
            metrics.errorFrame(ErrorCode.SLOW_CONSUMER.name());
            connection.cutOff(ErrorCode.SLOW_CONSUMER);
        } else if (connection.idleFor().compareTo(idleTimeout) > 0) {
            metrics.errorFrame(ErrorCode.IDLE_TIMEOUT.name());
            connection.cutOff(ErrorCode.IDLE_TIMEOUT);
        } else if (pingNow) {
            connection.ping();
        }
    }

    public boolean isAccepting() {
        return accepting;
    }

    public int activeConnections() {
        return active.get();
    }

    public int maxConnections() {
        return maxConnections;
    }

    @PreDestroy
    void shutdown() {
        accepting = false;
        shuttingDown.fire(new ShuttingDown());
        if (housekeeping != null) {
            housekeeping.cancel(false);
        }
        List<Connection> open = users.values().stream().flatMap(group -> group.all().stream()).toList();
        LOG.info(() -> "Shutting down: closing " + open.size() + " connections");
        for (Connection connection : open) {
            ErrorCode code = ErrorCode.SERVER_SHUTDOWN;
            connection.reject(ServerFrame.ErrorFrame.of(code, code.message(), Ids.newId(), List.of()), code);
        }
    }

    private static void requireAtLeastOne(String key, int value) {
        if (value < 1) {
            throw new IllegalStateException(key + " must be at least 1, but is " + value);
        }
    }
}
