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
        super.run(request, events);
    }
}
