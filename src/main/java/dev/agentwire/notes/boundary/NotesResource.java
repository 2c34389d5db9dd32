package dev.agentwire.notes.boundary;

import dev.agentwire.auth.boundary.Authenticated;
import dev.agentwire.auth.entity.TokenPrincipal;
import dev.agentwire.notes.control.Notes;
import dev.agentwire.threads.control.StorageFailures;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Instant;
import java.util.List;

/** The notes the save_note tool kept for the caller, oldest first: how a person checks what an approved call did. */
@RequestScoped
@Authenticated
@Path("notes")
@Produces(MediaType.APPLICATION_JSON)
public class NotesResource {

    public record Saved(long id, String text, Instant createdAt, String toolCallId) {
    }

    public record Items(List<Saved> items) {
    }

    @Inject
    Notes notes;

    @Context
    SecurityContext security;

    @GET
    public Items notes() {
        var owner = ((TokenPrincipal) security.getUserPrincipal()).owner();
        return new Items(StorageFailures.translate(() -> notes.of(owner)).stream()
                .map(n -> new Saved(n.id(), n.text(), n.createdAt(), n.toolCallId())).toList());
    }
}
