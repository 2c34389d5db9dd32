package dev.agentwire.auth.boundary;

import dev.agentwire.auth.control.DevTokenIssuer;
import dev.agentwire.auth.control.DevTokenRateLimit;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Development tokens: {@code curl -d user=alice http://localhost:8080/api/dev/tokens}. 404 when
 * the issuer is off; 403 for a request from another machine unless
 * {@code agentwire.dev-issuer.allow-remote}; 429 with {@code Retry-After} beyond the rate limit;
 * 400 for a user name outside the safe set. These refusals have a JSON body {@code code, message};
 * the 404 is the server's own, as for any path that does not exist.
 */
@RequestScoped
@Path("dev/tokens")
public class DevTokensResource {

    /**
     * Lower-case ASCII letters, digits and {@code . _ -}, starting with a letter or digit: no
     * letters that look like others (Cyrillic "а" for Latin "a"), no case twins ("Alice" and
     * "alice"), nothing that needs escaping in a log or a URL.
     */
    static final Pattern USER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /** Headers a reverse proxy adds: their presence means the request came from elsewhere. */
    static final List<String> FORWARDING_HEADERS = List.of("Forwarded", "X-Forwarded-For", "X-Real-IP");

    @Inject
    DevTokenIssuer issuer;

    @Inject
    DevTokenRateLimit rateLimit;

    @Context
    HttpServletRequest request;

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response issue(Form form) {
        // the whole form as the entity, not @FormParam: a request without a Content-Type then has an
        // empty form (400 below), where @FormParam throws in Jersey and was answered 500
        String user = form.asMap().getFirst("user");
        if (!issuer.isEnabled()) {
            throw new NotFoundException();
        }
        String remoteAddress = request.getRemoteAddr();
        boolean forwarded = FORWARDING_HEADERS.stream().anyMatch(name -> request.getHeader(name) != null);
        if (!issuer.mayServe(remoteAddress, forwarded, request.getHeader(HttpHeaders.HOST))) {
            return refusal(Response.Status.FORBIDDEN, "FORBIDDEN", "The development issuer gives tokens to requests from"
                    + " this machine only (set agentwire.dev-issuer.allow-remote=true to change that).");
        }
        // Checked here rather than with Bean Validation on the form parameter, which breaks
        // Payara's OpenAPI generation (NullPointerException in visitNotBlank, 6.2025.10).
        if (user == null || !USER.matcher(user).matches()) {
            return refusal(Response.Status.BAD_REQUEST, "VALIDATION_FAILED",
                    "user must be 1 to 64 of a-z 0-9 . _ - (lower case), starting with a letter or digit");
        }
        // Only requests that would get a token count, so a typo does not use up the minute.
        Optional<Duration> wait = rateLimit.refusal(remoteAddress);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            return Response.fromResponse(refusal(Response.Status.TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS",
                            "At most " + rateLimit.tokensPerMinute() + " development tokens a minute; retry in " + seconds + " s."))
                    .header(HttpHeaders.RETRY_AFTER, seconds).build();
        }
        return Response.ok(Json.createObjectBuilder()
                .add("token", issuer.issue(user))
                .add("token_type", "Bearer")
                .add("expires_in", issuer.lifetime().toSeconds())
                .add("user_id", user)
                .build()).build();
    }

    private static Response refusal(Response.Status status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Json.createObjectBuilder().add("code", code).add("message", message).build())
                .build();
    }
}
