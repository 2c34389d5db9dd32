package dev.agentwire.it;

import dev.agentwire.agents.control.OfflineAgent;
import dev.agentwire.agents.control.RunEvents;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.interceptor.Interceptor;

/** Test-only: the offline agent, failing mid-run on one particular message. */
@Alternative
@Priority(Interceptor.Priority.APPLICATION + 100)
@ApplicationScoped
public class FaultyAgent extends OfflineAgent {

    public static final String TRIGGER = "please make the agent fail";

    @Override
    public void run(String message, RunEvents events) {
        if (TRIGGER.equals(message)) {
            events.started(NAME);
            throw new IllegalStateException("test agent failure");
        }
        super.run(message, events);
    }
}
