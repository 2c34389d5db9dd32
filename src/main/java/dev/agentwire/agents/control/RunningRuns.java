package dev.agentwire.agents.control;

import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The runs going on this node, so they can be cancelled: by their owner one at a time, or all
 * at once when the server stops. A cancel sets the run's flag (seen by its next event) and
 * interrupts its thread (a computation or a model call in progress).
 */
@ApplicationScoped
public class RunningRuns {

    private record Running(Owner owner, AtomicBoolean cancelled, Future<?> task) {
        void cancel() {
            cancelled.set(true);
            task.cancel(true);
        }
    }

    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    /** Registers a run before it can start, so a cancel or the run's own end always finds it. */
    void register(String runId, Owner owner, AtomicBoolean cancelled, Future<?> task) {
        running.put(runId, new Running(owner, cancelled, task));
    }

    void unregister(String runId) {
        running.remove(runId);
    }

    /** Cancels one of the owner's runs; another user's run is indistinguishable from none. */
    public void cancel(Owner owner, String runId) {
        Running target = running.get(runId);
        if (target == null || !target.owner().equals(owner)) {
            throw new GatewayException(ErrorCode.RUN_NOT_FOUND);
        }
        target.cancel();
    }

    /** Cancels every run: the server is stopping, and their closing events wait for its next start. */
    void stopAll() {
        stopping = true;
        running.values().forEach(Running::cancel);
    }

    boolean isStopping() {
        return stopping;
    }
}
