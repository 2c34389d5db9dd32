package dev.agentwire.agui.control;

import dev.agentwire.agents.control.ChatRuns;
import dev.agentwire.kernel.Owner;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.streams.control.ThreadStreams;
import dev.agentwire.threads.control.EventLog;
import dev.agentwire.threads.control.StorageFailures;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * AG-UI runs: a request's chat goes the way every chat goes ({@link ChatRuns}: limits, stored with
 * its run, then the run starts), and its response is a subscriber of the thread's event stream.
 * A new run is followed from before it starts. A request that repeats one already accepted (the
 * same message id: a retry, a resume with {@code Last-Event-ID}, a second tab) starts nothing and
 * stores nothing: its stream is the run's events read from the log from the run's first one, then
 * live, joined after the client's cursor ({@link JoinedRun}).
 */
@ApplicationScoped
public class AguiRuns {

    @Inject
    ChatRuns chats;

    @Inject
    ThreadStreams streams;

    @Inject
    EventLog log;

    @Inject
    @ConfigProperty(name = "agentwire.outbox.capacity", defaultValue = "1024")
    int capacity;

    @Inject
    @ConfigProperty(name = "agentwire.agui.keep-alive-seconds", defaultValue = "15")
    int keepAliveSeconds;

    private final Set<AguiStream> open = ConcurrentHashMap.newKeySet();

    /**
     * Accepts the request's chat and returns its response stream, subscribed; refusals (limits,
     * another user's thread, storage) are thrown before anything is written.
     *
     * @param cursor where the client's last stream stopped; null for the run from its start
     */
    public AguiStream open(Owner owner, AguiChat chat, Cursor cursor) {
        UserContext user = UserContext.forConnection(owner.issuer(), owner.userId());
        AguiStream[] stream = new AguiStream[1];
        chats.start(user, chat.chat(), accepted -> {
            var run = new JoinedRun(accepted.threadId(), accepted.runId(), chat.message(), cursor);
            stream[0] = new AguiStream(owner, run, capacity, Duration.ofSeconds(Math.max(1, keepAliveSeconds)), this::ended);
            open.add(stream[0]);
            try {
                if (!accepted.duplicate()) {
                    streams.follow(stream[0], accepted.threadId());
                } else {
                    streams.resume(stream[0], accepted.threadId(), before(accepted.threadId(), accepted.runId()));
                }
            } catch (RuntimeException e) {
                ended(stream[0]);
                throw e;
            }
        });
        return stream[0];
    }

    /**
     * The seq after which the run's events are: before its first one, or, when none is stored yet,
     * the thread's latest seq, read first so that no event of the run can fall between the two reads.
     */
    private long before(String threadId, String runId) {
        long latest = StorageFailures.translate(() -> log.latestSeq(threadId));
        long first = StorageFailures.translate(() -> log.firstSeqOfRun(threadId, runId));
        return first > 0 ? first - 1 : latest;
    }

    private void ended(AguiStream stream) {
        open.remove(stream);
        streams.leave(stream);
    }

    /** The server stops: every stream ends with RUN_ERROR SERVER_SHUTDOWN; their runs end at the next start. */
    @PreDestroy
    void stopStreams() {
        open.forEach(stream -> stream.stop(ErrorCode.SERVER_SHUTDOWN));
    }
}
