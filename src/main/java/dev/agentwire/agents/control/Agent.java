package dev.agentwire.agents.control;

import java.util.List;

/** Something that answers a chat message, reporting what it does through {@link RunEvents}. */
public interface Agent {

    /** What the agent knows of the conversation: earlier turns, oldest first, and the new message. */
    record Request(List<Turn> history, String message) {
        public Request {
            history = List.copyOf(history);
        }
    }

    /** One earlier message of the thread; role is {@code user} or {@code assistant}. */
    record Turn(String role, String text) {
    }

    /** The name reported in agent_started. */
    String name();

    /** Answers the request; must end with {@link RunEvents#completed} unless it throws. */
    void run(Request request, RunEvents events);

    /** Whether {@link Request#history} is read; when not, a run does not query the thread for it. */
    default boolean readsHistory() {
        return true;
    }

    /** Whether the agent can take runs now; shown by readiness. */
    boolean isAvailable();
}
