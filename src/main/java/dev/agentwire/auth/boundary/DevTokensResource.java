package dev.agentwire.auth.boundary;

import dev.agentwire.auth.control.DevTokenIssuer;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.regex.Pattern;

/** Development tokens: {@code curl -d user=alice http://localhost:8080/api/dev/tokens}. 404 when disabled. */
@RequestScoped
@Path("dev/tokens")
public class DevTokensResource {

    private static final Pattern USER = Pattern.compile("[\\p{L}\\p{N}._@-]{1,64}");

    @Inject
    DevTokenIssuer issuer;

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject issue(@FormParam("user") String user) {
        if (!issuer.isEnabled()) {
            throw new NotFoundException();
        }
        // Checked here rather than with Bean Validation on the form parameter, which breaks
        // Payara's OpenAPI generation (NullPointerException in visitNotBlank, 6.2025.10).
        if (user == null || !USER.matcher(user).matches()) {
            throw new BadRequestException(Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                    .entity(Json.createObjectBuilder().add("code", "VALIDATION_FAILED")
                            .add("message", "user must be 1 to 64 letters, digits or . _ @ -").build())
                    .build());
        }
        return Json.createObjectBuilder()
                .add("token", issuer.issue(user))
                .add("token_type", "Bearer")
                .add("expires_in", issuer.lifetime().toSeconds())
                .add("user_id", user)
                .build();
    }
}
