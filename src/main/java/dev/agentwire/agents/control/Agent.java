package dev.agentwire.agents.control;

import java.util.List;
import java.util.Map;

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

    /**
     * Whether the node can serve this agent's runs at all; shown by readiness. A backend that
     * fails for a while does not count: its runs end with a retryable AGENT_UNAVAILABLE, and
     * {@link #healthData()} says what is wrong.
     */
    boolean isAvailable();

    /** What readiness shows about the agent's backend besides its name: String, Long or Boolean values. */
    default Map<String, Object> healthData() {
        return Map.of();
    }
}
