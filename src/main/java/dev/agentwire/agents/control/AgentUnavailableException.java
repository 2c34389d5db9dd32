package dev.agentwire.agents.control;

/** The agent's backend cannot answer now (down, timing out, circuit open); the message says so for a person. */
public class AgentUnavailableException extends RuntimeException {

    public AgentUnavailableException(String personMessage, Throwable cause) {
        super(personMessage, cause);
    }
}
