package dev.agentwire.auth.boundary;

import dev.agentwire.auth.control.DevTokenIssuer;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Development tokens: {@code curl -d user=alice http://localhost:8080/api/dev/tokens}. 404 when disabled. */
@RequestScoped
@Path("dev/tokens")
public class DevTokensResource {

    @Inject
    DevTokenIssuer issuer;

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject issue(
            @FormParam("user")
            @NotBlank(message = "user must not be empty")
            @Size(max = 64, message = "user must be at most 64 characters")
            @Pattern(regexp = "[\\p{L}\\p{N}._@-]+", message = "user may contain letters, digits and . _ @ -")
            String user) {
        if (!issuer.isEnabled()) {
            throw new NotFoundException();
        }
        return Json.createObjectBuilder()
                .add("token", issuer.issue(user))
                .add("token_type", "Bearer")
                .add("expires_in", issuer.lifetime().toSeconds())
                .add("user_id", user)
                .build();
    }
}
