package dev.agentwire.it;

import dev.agentwire.agents.control.OfflineAgent;
import dev.agentwire.agents.control.RunEvents;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.interceptor.Interceptor;

/** Test-only: the offline agent, failing or dawdling on particular messages. */
@Alternative
@Priority(Interceptor.Priority.APPLICATION + 100)
@ApplicationScoped
public class FaultyAgent extends OfflineAgent {

    public static final String TRIGGER = "please make the agent fail";
    /** The agent thinks for up to 20 s, a step every 100 ms, until cancelled. */
    public static final String SLOW = "please take your time";
    /** A tool-using run with pauses between its events, to disconnect in the middle of. */
    public static final String SLOW_CALCULATION = "slowly, what is 12*(3+4)?";
    /** About 6 MB of thinking, as fast as the stream takes it: for a client that does not read. */
    public static final String FLOOD = "please think out loud at length";

    @Override
    public void run(Request request, RunEvents events) {
        if (TRIGGER.equals(request.message())) {
            events.started(NAME);
            throw new IllegalStateException("test agent failure");
        }
        if (SLOW.equals(request.message())) {
            events.started(NAME);
            events.thinking("taking my time");
            for (int step = 0; step < 200; step++) {
                events.checkCancelled();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    events.checkCancelled();
                }
            }
            events.completed("done at last");
            return;
        }
        if (FLOOD.equals(request.message())) {
            events.started(NAME);
            String thought = "x".repeat(16_000);
            for (int step = 0; step < 400; step++) {
                events.thinking(thought);
            }
            events.completed("that was a lot");
            return;
        }
        if (SLOW_CALCULATION.equals(request.message())) {
            super.run(request, new PausingEvents(events));
            return;
        }
        super.run(request, events);
    }

    /** Pauses 400 ms before each event after the first. */
    private static final class PausingEvents extends RunEvents {
        PausingEvents(RunEvents events) {
            super(events);
        }

        @Override
        public void thinking(String text) {
            pause();
            super.thinking(text);
        }

        @Override
        public void toolExecuting(String tool, java.util.Map<String, String> input) {
            pause();
            super.toolExecuting(tool, input);
        }

        @Override
        public void toolCompleted(String tool, String output, boolean failed) {
            pause();
            super.toolCompleted(tool, output, failed);
        }

        @Override
        public void completed(String text) {
            pause();
            super.completed(text);
        }

        private static void pause() {
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
