package dev.agentwire.agents.control;

import dev.agentwire.kernel.UserContext;
import java.util.List;
import java.util.Map;

/** Something that answers a chat message, reporting what it does through {@link RunEvents}. */
public interface Agent {

    /**
     * What the agent knows of the conversation: earlier turns, oldest first, the new turn (a user's
     * message, or the result of a front-end tool), the tools the client runs itself, and whose run
     * this is (its user, thread and run: the tools that keep something per user need it).
     */
    record Request(List<Turn> history, Turn last, List<ClientTool> clientTools, UserContext run) {
        public Request {
            history = List.copyOf(history);
            clientTools = List.copyOf(clientTools);
        }

        /** A request with no run context (tests of agents that call no tool of a user's). */
        public Request(List<Turn> history, Turn last, List<ClientTool> clientTools) {
            this(history, last, clientTools, null);
        }

        /** A user's message and no front-end tools. */
        public Request(List<Turn> history, String message) {
            this(history, new Turn("user", message), List.of());
        }

        /** The new turn's text. */
        public String message() {
            return last.text();
        }
    }

    /**
     * One message of the thread; role is {@code user}, {@code assistant} or {@code tool}. A tool
     * result names the call it answers ({@code toolCallId}); an assistant turn that called
     * front-end tools has them as the model's JSON array ({@code toolCalls}). Both null otherwise.
     */
    record Turn(String role, String text, String toolCallId, String toolCalls) {
        public Turn(String role, String text) {
            this(role, text, null, null);
        }
    }

    /**
     * A tool the client runs (an AG-UI front-end tool): offered to a model, which may call it; the
     * run then ends with the call, and the client's next message is its result.
     * {@code parameters} is a JSON Schema as JSON text.
     */
    record ClientTool(String name, String description, String parameters) {
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
