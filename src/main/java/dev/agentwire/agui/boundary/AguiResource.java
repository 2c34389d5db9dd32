package dev.agentwire.agui.boundary;

import dev.agentwire.agui.control.AguiChat;
import dev.agentwire.agui.control.AguiRuns;
import dev.agentwire.agui.control.AguiStream;
import dev.agentwire.agui.control.Cursor;
import dev.agentwire.agui.control.RunAgentInput;
import dev.agentwire.api.boundary.ErrorAnswers;
import dev.agentwire.auth.boundary.Authenticated;
import dev.agentwire.auth.entity.TokenPrincipal;
import dev.agentwire.connections.control.ConnectionHub;
import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame.FieldProblem;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The AG-UI HTTP transport: {@code POST /api/agui} with a RunAgentInput, answered with the run's
 * AG-UI events as server-sent events. The same bearer tokens as every REST request (the filter of
 * {@link Authenticated}), and the same per-user rate limit as a WebSocket frame. Refusals before
 * the stream are HTTP statuses with the REST error body (dev.agentwire.api.boundary); once the
 * stream has begun, failures are RUN_ERROR events.
 *
 * <p>The response is a {@link StreamingOutput} written by the thread that serves the request, not
 * the SSE API of JAX-RS: an AG-UI stream is one writer that flushes each stored event's AG-UI
 * events together and learns of a departed client from a failed write, and the events' ids are
 * agentwire's cursors; docs/platform-notes.md says more.
 */
@RequestScoped
@Authenticated
@Path("agui")
public class AguiResource {

    /** AG-UI's field names are camelCase, unlike the rest of the REST API. */
    private static final Jsonb AGUI_JSON = JsonbBuilder.create();

    @Inject
    AguiRuns runs;

    @Inject
    ConnectionHub hub;

    @Inject
    Validator validator;

    @Inject
    ErrorAnswers answers;

    @Inject
    @ConfigProperty(name = "agentwire.agui.max-request-bytes", defaultValue = "1048576")
    int maxRequestBytes;

    @Context
    SecurityContext security;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({"text/event-stream", MediaType.APPLICATION_JSON})
    public Response run(InputStream body, @HeaderParam("Last-Event-ID") String lastEventId) throws IOException {
        Owner owner = ((TokenPrincipal) security.getUserPrincipal()).owner();
        hub.limitsOf(owner).checkFrame();
        Cursor cursor = lastEventId == null || lastEventId.isBlank() ? null : Cursor.parse(lastEventId).orElseThrow(() ->
                new GatewayException(ErrorCode.VALIDATION_FAILED, "The request has invalid fields.", List.of(new FieldProblem(
                        "Last-Event-ID", "Last-Event-ID must be the id of an event agentwire sent (42 or 42.1)"))));
        byte[] bytes = body.readNBytes(maxRequestBytes + 1);
        if (bytes.length > maxRequestBytes) {
            return answers.refusal(413, "PAYLOAD_TOO_LARGE", "The request body is larger than " + maxRequestBytes + " bytes.",
                    false, List.of(), null);
        }
        RunAgentInput input;
        try {
            input = AGUI_JSON.fromJson(new String(bytes, StandardCharsets.UTF_8), RunAgentInput.class);
        } catch (JsonbException | IllegalArgumentException e) {
            input = null;
        }
        if (input == null) {
            return answers.refusal(400, "INVALID_REQUEST", "The request body is not a RunAgentInput: it is not a JSON object,"
                    + " or a field has the wrong JSON type.", false, List.of(), null);
        }
        AguiChat chat = AguiChat.of(validated(input));
        AguiStream stream = runs.open(owner, chat, cursor);
        return Response.ok((StreamingOutput) stream::writeTo, "text/event-stream")
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no") // a proxy that buffers would hold the events back
                .build();
    }

    /** The input, or VALIDATION_FAILED naming each field as AG-UI spells it ({@code messages[0].id}). */
    private RunAgentInput validated(RunAgentInput input) {
        Set<ConstraintViolation<RunAgentInput>> violations = validator.validate(input);
        if (!violations.isEmpty()) {
            List<FieldProblem> problems = violations.stream()
                    .map(v -> {
                        String field = v.getPropertyPath().toString().replace(".<list element>", "");
                        return new FieldProblem(field, field + " " + v.getMessage());
                    })
                    .sorted(Comparator.comparing(FieldProblem::field))
                    .toList();
            throw new GatewayException(ErrorCode.VALIDATION_FAILED, "The request has invalid fields.", problems);
        }
        return input;
    }
}
