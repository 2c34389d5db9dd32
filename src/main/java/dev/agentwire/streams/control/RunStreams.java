package dev.agentwire.streams.control;

import dev.agentwire.kernel.Ids;
import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.RunEventFactory;
import dev.agentwire.protocol.ServerFrame;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The streams the open runs append to, and what a run whose events could not be stored gets
 * instead: a closing STORAGE_UNAVAILABLE event that must land, stored whenever the database
 * takes it, once per run. After that nothing more of the run is stored: its appends throw
 * {@link RunStream.StorageFailed}.
 */
final class RunStreams {

    private static final Logger LOG = Logger.getLogger(RunStreams.class.getName());

    private final Predicate<EventAppend> writer;
    private final Map<String, Run> open = new ConcurrentHashMap<>();

    /** {@code writer} queues an append, false when it could not (the writer's {@code append}). */
    RunStreams(Predicate<EventAppend> writer) {
        this.writer = writer;
    }

    /** The stream a run appends to; one per run. */
    RunStream open(String threadId, String runId) {
        Run run = new Run(threadId, runId);
        open.put(runId, run);
        return run;
    }

    /** An event of a run with no runner any more (its server stopped), stored whenever the database takes it. */
    void appendAbandoned(String threadId, String runId, RunEventFactory event) {
        writer.test(new EventAppend(threadId, runId, event, null, true));
    }

    /** A run with no runner any more (its server stopped) ends with {@code closing}, stored whenever the database takes it. */
    void endAbandoned(String threadId, String runId, RunEventFactory closing, RunOutcome outcome) {
        writer.test(new EventAppend(threadId, runId, closing, outcome.name(), true));
    }

    /** These runs' events (run id to thread id) could not be stored: each ends with STORAGE_UNAVAILABLE. */
    void failed(Map<String, String> runThreads) {
        runThreads.forEach((runId, threadId) -> {
            Run run = open.get(runId);
            if (run != null) {
                run.fail();
            } else {
                substituteClosing(threadId, runId); // it had ended: its closing event was in the failed flush
            }
        });
    }

    int openRuns() {
        return open.size();
    }

    private void substituteClosing(String threadId, String runId) {
        ErrorCode code = ErrorCode.STORAGE_UNAVAILABLE;
        String correlationId = Ids.newId();
        LOG.warning(() -> "Run " + runId + " ends with STORAGE_UNAVAILABLE [" + correlationId + "]");
        writer.test(new EventAppend(threadId, runId, (run, thread, seq, at) -> new ServerFrame.AgentError(run, thread,
                seq, at, code.name(), "The run's events could not be stored; send your message again.", true, correlationId),
                RunOutcome.STORAGE_UNAVAILABLE.name(), true));
    }

    /** A run's own view of the stream. */
    private final class Run implements RunStream {
        private final String threadId;
        private final String runId;
        private volatile boolean failed;

        Run(String threadId, String runId) {
            this.threadId = threadId;
            this.runId = runId;
        }

        @Override
        public void append(RunEventFactory event) {
            if (failed) {
                throw new StorageFailed();
            }
            if (!writer.test(new EventAppend(threadId, runId, event, null, false))) {
                fail();
                throw new StorageFailed();
            }
        }

        @Override
        public void end(RunEventFactory closing, RunOutcome outcome) {
            open.remove(runId);
            if (!failed && !writer.test(new EventAppend(threadId, runId, closing, outcome.name(), false))) {
                fail();
            }
        }

        /** Ends the run in the log with STORAGE_UNAVAILABLE, once. */
        void fail() {
            if (failed) {
                return;
            }
            failed = true;
            open.remove(runId);
            substituteClosing(threadId, runId);
        }
    }
}
