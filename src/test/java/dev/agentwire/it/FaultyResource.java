package dev.agentwire.it;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Test-only REST resource: a bug to provoke, and an endpoint that reads a JSON body, which the
 * application's own REST API does not have yet. Both show how every REST error is answered.
 */
@RequestScoped
@Path("test/faults")
public class FaultyResource {

    /** Never shown to a client: the mapper answers INTERNAL_ERROR without it. */
    public static final String SECRET = "secret detail of a test bug";

    public record Note(String text) {
    }

    @GET
    @Path("bug")
    @Produces(MediaType.APPLICATION_JSON)
    public Note bug() {
        throw new IllegalStateException(SECRET);
    }

    @POST
    @Path("notes")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Note note(Note note) {
        return note;
    }
}
