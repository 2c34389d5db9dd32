package dev.agentwire.connections.entity;

/**
 * Fired, synchronously, when the server begins to stop and before any session is closed: the
 * moment to finish work the sessions should still hear about.
 */
public record ShuttingDown() {
}
