package dev.agentwire.auth.boundary;

import dev.agentwire.api.boundary.ErrorAnswers;
import dev.agentwire.auth.control.TokenVerifier;
import dev.agentwire.auth.entity.TokenPrincipal;
import dev.agentwire.auth.entity.VerifiedToken;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.ext.Provider;
import java.security.Principal;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Verifies the bearer token of REST requests with the same verifier as the WebSocket handshake,
 * so both accept the same tokens (the development issuer's included); a token {@link HttpAdmission}
 * verified already for this request is not verified again. A refusal is 401 with the
 * REST error body naming the AUTH_* code, or 403 when the required role is missing.
 */
@Provider
@Authenticated
@Priority(Priorities.AUTHENTICATION)
public class BearerAuthentication implements ContainerRequestFilter {

    @Inject
    TokenVerifier verifier;

    @Inject
    ErrorAnswers answers;

    @Inject
    @ConfigProperty(name = "agentwire.auth.required-role")
    Optional<String> requiredRole;

    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            request.abortWith(refusal(Response.Status.UNAUTHORIZED, ErrorCode.AUTH_MISSING_TOKEN, ErrorCode.AUTH_MISSING_TOKEN.message()));
            return;
        }
        VerifiedToken token;
        try {
            token = request.getProperty(HttpAdmission.VERIFIED_TOKEN) instanceof VerifiedToken admitted ? admitted
                    : verifier.verify(header.substring(7).trim());
        } catch (GatewayException refusal) {
            request.abortWith(refusal(Response.Status.UNAUTHORIZED, refusal.code(), refusal.personMessage()));
            return;
        }
        if (requiredRole.isPresent() && !token.groups().contains(requiredRole.get())) {
            request.abortWith(refusal(Response.Status.FORBIDDEN, ErrorCode.FORBIDDEN, "Your token lacks the role needed."));
            return;
        }
        boolean secure = request.getSecurityContext().isSecure();
        TokenPrincipal principal = TokenPrincipal.of(token);
        request.setSecurityContext(new SecurityContext() {
            /** A {@link TokenPrincipal}: its name is the user id, its owner adds the issuer. */
            @Override
            public Principal getUserPrincipal() {
                return principal;
            }

            @Override
            public boolean isUserInRole(String role) {
                return token.groups().contains(role);
            }

            @Override
            public boolean isSecure() {
                return secure;
            }

            @Override
            public String getAuthenticationScheme() {
                return "Bearer";
            }
        });
    }

    /** The REST error body every other refusal has; a 401 also says how to authenticate. */
    private Response refusal(Response.Status status, ErrorCode code, String message) {
        Response answer = answers.refusal(status.getStatusCode(), code, message, List.of());
        if (status != Response.Status.UNAUTHORIZED) {
            return answer;
        }
        return Response.fromResponse(answer).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"").build();
    }
}
