package dev.agentwire.agui.control;

import jakarta.json.JsonObject;

/**
 * One AG-UI event and its SSE id. The event that completes a stored run event has the id of that
 * event's seq; when one stored event becomes several AG-UI events, those before the last are
 * {@code seq.1}, {@code seq.2}, ... so a cut between them resumes exactly (see {@link Cursor}). The
 * events a resumed stream begins with (RUN_STARTED, MESSAGES_SNAPSHOT, the re-opened starts) have
 * no id: they restate what the client had, and its cursor stays where it was.
 */
public record AguiEvent(String id, JsonObject event) {

    public String type() {
        return event.getString("type");
    }
}
