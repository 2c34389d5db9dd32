package dev.agentwire.kernel;

/**
 * How an agent run ended: counted in {@code agentwire.agent.runs{outcome}} and stored with the
 * run (agent_run.outcome). docs/operations.md lists them.
 */
public enum RunOutcome {
    /** The agent answered: agent_completed, status completed. */
    COMPLETED,
    /** The user cancelled: agent_completed, status cancelled. */
    CANCELLED,
    /** The agent threw (agent_error AGENT_FAILED), or its output passed a cap (AGENT_OUTPUT_TOO_LARGE). */
    FAILED,
    /** The agent backend could not take the run: agent_error AGENT_UNAVAILABLE. */
    UNAVAILABLE,
    /** Its events could not be stored: agent_error STORAGE_UNAVAILABLE, stored once the database is back. */
    STORAGE_UNAVAILABLE,
    /** The server stopped during the run: agent_error RUN_INTERRUPTED, stored at the next start. */
    INTERRUPTED
}
