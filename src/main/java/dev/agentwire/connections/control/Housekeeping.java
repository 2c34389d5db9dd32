package dev.agentwire.connections.control;

import dev.agentwire.connections.entity.ShuttingDown;
import dev.agentwire.kernel.Ids;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.ServerFrame;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Once a second, one pass over every connection: frees those whose socket died without a close,
 * ends those whose token expired (AUTH_EXPIRED), cuts off those that left a frame unread past the
 * drain timeout (SLOW_CONSUMER) or answered nothing within the idle timeout (IDLE_TIMEOUT), and
 * pings the rest every heartbeat interval. At shutdown it tells every session (SERVER_SHUTDOWN).
 *
 * <p>One periodic task rather than tasks per connection (scheduling on a managed executor is
 * costly on Payara: docs/platform-notes.md). Nothing a pass meets, not even an {@link Error},
 * ends the task: a periodic task that throws is never run again, and every session would then
 * go unpinged and unexpired.
 */
@Singleton
@Startup
@DependsOn("ConnectionHub")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class Housekeeping {

    private static final Logger LOG = Logger.getLogger(Housekeeping.class.getName());
    static final Duration FORGET_LIMITS_AFTER = Duration.ofMinutes(10);

    @Inject
    ConnectionHub hub;

    @Inject
    RateLimits rateLimits;

    @Inject
    GatewayMetrics metrics;

    @Inject
    Event<ShuttingDown> shuttingDown;

    @Resource
    ManagedScheduledExecutorService scheduler;

    /** A shutting-down node asks each client to wait a random time up to this before it reconnects. */
    @Inject
    @ConfigProperty(name = "agentwire.shutdown.reconnect-spread-seconds", defaultValue = "10")
    long reconnectSpreadSeconds;

    ConnectionSettings settings;
    private volatile Instant lastPing = Instant.now();
    private ScheduledFuture<?> task;

    @PostConstruct
    void start() {
        settings = hub.settings();
        task = scheduler.scheduleWithFixedDelay(this::passSafely, 1, 1, TimeUnit.SECONDS);
    }

    /** Tells every session the server stops, after the runs were stopped (observers of ShuttingDown). */
    @PreDestroy
    void shutdown() {
        hub.stopAccepting();
        try {
            shuttingDown.fire(new ShuttingDown());
        } catch (RuntimeException e) { // a bug of an observer's: the sessions are still told
            metrics.internalError();
            LOG.log(Level.SEVERE, "An observer of the shutdown failed [" + Ids.newId() + "]; telling the sessions anyway", e);
        }
        if (task != null) {
            task.cancel(false);
        }
        List<Connection> open = hub.connections();
        LOG.info(() -> "Shutting down: closing " + open.size() + " connections");
        ErrorCode code = ErrorCode.SERVER_SHUTDOWN;
        for (Connection connection : open) {
            // each client waits a different time, so they do not all reconnect to the other nodes at once
            Duration wait = Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(0, reconnectSpreadSeconds) * 1000 + 1));
            connection.fail(code, ServerFrame.ErrorFrame.of(code, code.message(), Ids.newId(), List.of()).reconnectingAfter(wait));
        }
    }

    void passSafely() {
        try {
            pass(Instant.now());
        } catch (Throwable e) { // see the class comment: the task must outlive anything
            metrics.internalError();
            LOG.log(Level.SEVERE, "Housekeeping pass failed [" + Ids.newId() + "]; the next pass runs in a second", e);
        }
    }

    void pass(Instant now) {
        boolean pingNow = Duration.between(lastPing, now).compareTo(settings.heartbeatInterval()) >= 0;
        if (pingNow) {
            lastPing = now;
        }
        for (Connection connection : hub.connections()) {
            try {
                keep(connection, now, pingNow);
            } catch (Throwable e) {
                // a bug, and only this connection's: every other session is still kept
                String correlationId = Ids.newId();
                metrics.internalError();
                LOG.log(Level.SEVERE, "Housekeeping failed [" + correlationId + "] on session " + connection.sessionId(), e);
                connection.fail(ErrorCode.INTERNAL_ERROR, null, correlationId);
            }
        }
        rateLimits.forgetIdle(FORGET_LIMITS_AFTER, hub::isConnected);
    }

    private void keep(Connection connection, Instant now, boolean pingNow) {
        if (!connection.isOpen()) {
            hub.unregister(connection);
            connection.closed();
        } else if (!now.isBefore(connection.expiresAt()) && connection.state().isLive()) {
            connection.fail(ErrorCode.AUTH_EXPIRED,
                    "Your token expired; refresh it before it expires, or reconnect with a new one.", Ids.newId());
        } else if (connection.outboxStalledFor().compareTo(settings.drainTimeout()) > 0) {
            connection.fail(ErrorCode.SLOW_CONSUMER, null, null);
        } else if (connection.idleFor().compareTo(settings.idleTimeout()) > 0) {
            connection.fail(ErrorCode.IDLE_TIMEOUT, null, null);
        } else if (pingNow) {
            connection.ping();
        }
    }
}

