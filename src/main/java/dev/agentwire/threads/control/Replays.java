package dev.agentwire.threads.control;

import dev.agentwire.kernel.Ids;
import dev.agentwire.connections.control.Connection;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.threads.entity.StoredEvent;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Resume: sends a connection the events of a thread it missed, from the durable log, then hands
 * it over to the live stream without a gap or a duplicate. Live events of the thread are held
 * back while the replay catches up; the last page is read under the thread's order lock, so no
 * event can be stored between the end of the replay and the first live one.
 */
@ApplicationScoped
public class Replays {

    private static final Logger LOG = Logger.getLogger(Replays.class.getName());
    static final int PAGE = 200;

    @Inject
    @ConfigProperty(name = "agentwire.resume.max-events", defaultValue = "10000")
    int maxEvents;

    @Inject
    @ConfigProperty(name = "agentwire.outbox.drain-timeout-seconds", defaultValue = "10")
    int drainTimeoutSeconds;

    @Inject
    Conversations conversations;

    @Inject
    EventLog log;

    @Inject
    ThreadOrder order;

    @Resource
    ManagedExecutorService executor;

    public void resume(Connection connection, UserContext user, String threadId, long afterSeq) {
        StorageFailures.translate(() -> conversations.owned(user.userId(), threadId))
                .orElseThrow(() -> new GatewayException(ErrorCode.THREAD_NOT_FOUND));
        long latest = StorageFailures.translate(() -> log.latestSeq(threadId));
        if (latest - afterSeq > maxEvents) {
            connection.send(new ServerFrame.ResumeUnavailable(threadId, afterSeq, latest, "too_many_events",
                    "More than " + maxEvents + " events were missed: load them with GET /api/threads/" + threadId
                            + "/events?after_seq=" + afterSeq + ", then resume from the last seq."));
            return;
        }
        connection.startReplay(threadId);
        executor.execute(() -> replay(connection, threadId, afterSeq));
    }

    private void replay(Connection connection, String threadId, long afterSeq) {
        long cursor = afterSeq;
        int replayed = 0;
        Duration drainTimeout = Duration.ofSeconds(drainTimeoutSeconds);
        try {
            while (true) {
                if (!connection.awaitRoom(PAGE, drainTimeout)) {
                    if (connection.isOpen()) {
                        connection.cutOff(ErrorCode.SLOW_CONSUMER);
                    }
                    return;
                }
                List<StoredEvent> page = log.after(threadId, cursor, PAGE);
                if (page.size() < PAGE) {
                    synchronized (order.lockFor(threadId)) {
                        List<StoredEvent> rest = log.after(threadId, cursor, Integer.MAX_VALUE);
                        for (StoredEvent event : rest) {
                            connection.replay(event.payload());
                            cursor = event.seq();
                        }
                        replayed += rest.size();
                        connection.send(new ServerFrame.Resumed(threadId, cursor, replayed));
                        connection.endReplay(threadId, cursor);
                    }
                    return;
                }
                for (StoredEvent event : page) {
                    connection.replay(event.payload());
                    cursor = event.seq();
                }
                replayed += page.size();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            String correlationId = Ids.newId();
            LOG.log(Level.WARNING, "Replay of thread " + threadId + " failed [" + correlationId + "]", e);
            connection.endReplay(threadId, cursor);
            ErrorCode code = ErrorCode.STORAGE_UNAVAILABLE;
            connection.send(ServerFrame.ErrorFrame.of(code, "The replay stopped at seq " + cursor + "; resume again from there.",
                    correlationId, List.of()));
        }
    }
}
