package dev.agentwire.connections.control;

import dev.agentwire.kernel.Owner;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.Config;

/**
 * Every user's rate limits ({@link UserLimits}), the same whichever transport they use: an AG-UI
 * request counts as a frame of their WebSocket sessions. A user's limits are made on first use
 * and kept while any connection of theirs is open, and a while after, so that reconnecting does
 * not reset them.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class RateLimits {

    @Inject
    Config config;

    UserLimits.Config limits;
    private final ConcurrentHashMap<Owner, UserLimits> users = new ConcurrentHashMap<>();

    @PostConstruct
    void start() {
        limits = ConnectionSettings.from(config).limits();
    }

    /** The user's limits. */
    public UserLimits of(Owner owner) {
        return users.computeIfAbsent(owner, id -> new UserLimits(limits));
    }

    /** Forgets the limits of users who used none for {@code unusedFor} and have no connection open. */
    public void forgetIdle(Duration unusedFor, Predicate<Owner> connected) {
        users.entrySet().removeIf(entry -> !connected.test(entry.getKey()) && entry.getValue().unusedFor(unusedFor));
    }

    int users() {
        return users.size();
    }
}
