package dev.agentwire.agui.boundary;

import dev.agentwire.agui.control.AguiChat;
import dev.agentwire.agui.control.AguiEvent;
import dev.agentwire.agui.control.AguiRuns;
import dev.agentwire.agui.control.AguiStream;
import dev.agentwire.agui.control.Cursor;
import dev.agentwire.agui.control.RunAgentInput;
import dev.agentwire.api.boundary.ErrorAnswers;
import dev.agentwire.auth.boundary.Authenticated;
import dev.agentwire.auth.entity.TokenPrincipal;
import dev.agentwire.connections.control.RateLimits;
import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.JsonLimits;
import dev.agentwire.protocol.ServerFrame.FieldProblem;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The AG-UI HTTP transport: {@code POST /api/agui} with a RunAgentInput, answered with the run's
 * AG-UI events as server-sent events. The same bearer tokens as every REST request (the filter of
 * {@link Authenticated}), and the same per-user rate limit as a WebSocket frame. Refusals before
 * the stream are HTTP statuses with the REST error body (dev.agentwire.api.boundary); once the
 * stream has begun, failures are RUN_ERROR events.
 *
 * <p>The response is written with the SSE API of JAX-RS ({@link SseEventSink}) from a writer
 * thread of {@link AguiRuns}, which flushes every event; a {@code StreamingOutput} was tried and
 * Jersey held its output back (docs/platform-notes.md, the AG-UI section).
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
    RateLimits rateLimits;

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
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void run(InputStream body, @HeaderParam("Last-Event-ID") String lastEventId,
                    @Context SseEventSink sink, @Context Sse sse) throws IOException {
        TokenPrincipal principal = (TokenPrincipal) security.getUserPrincipal();
        Owner owner = principal.owner();
        rateLimits.of(owner).checkFrame();
        Cursor cursor = cursorOf(lastEventId);
        byte[] bytes = body.readNBytes(maxRequestBytes + 1);
        if (bytes.length > maxRequestBytes) {
            throw new WebApplicationException(answers.refusal(413, "PAYLOAD_TOO_LARGE",
                    "The request body is larger than " + maxRequestBytes + " bytes.", false, List.of(), null));
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        Optional<String> shape = JsonLimits.problem(text);
        if (shape.isPresent()) {
            throw new WebApplicationException(answers.refusal(400, "INVALID_REQUEST", "The request body is not a RunAgentInput: "
                    + shape.get(), false, List.of(), null));
        }
        RunAgentInput input;
        try {
            input = AGUI_JSON.fromJson(text, RunAgentInput.class);
        } catch (RuntimeException e) {
            // the client's bytes, whatever the binder or the parser throws for them: Parsson's own
            // limits (nesting, long numbers) are not JsonbException (docs/platform-notes.md, Parsson)
            input = null;
        }
        if (input == null) {
            throw new WebApplicationException(answers.refusal(400, "INVALID_REQUEST", "The request body is not a RunAgentInput:"
                    + " it is not a JSON object, or a field has the wrong JSON type.", false, List.of(), null));
        }
        AguiChat chat = AguiChat.of(validated(input));
        AguiStream stream = runs.open(owner, principal.expiresAt(), chat, cursor);
        runs.write(stream, new SseEvents(sink, sse), sink::close);
    }

    /** AG-UI events as server-sent events: the SSE id when there is one, the event's JSON as data. */
    private record SseEvents(SseEventSink sink, Sse sse) implements AguiStream.Events {

        /** Longest a write may wait for a client that does not read. */
        private static final long WRITE_TIMEOUT_SECONDS = 30;

        @Override
        public void send(List<AguiEvent> events) throws IOException {
            for (AguiEvent event : events) {
                var built = sse.newEventBuilder().data(event.event().toString());
                if (event.id() != null) {
                    built.id(event.id());
                }
                await(sink.send(built.build()));
            }
        }

        @Override
        public void keepAlive() throws IOException {
            await(sink.send(sse.newEventBuilder().comment("keep-alive").build()));
        }

        private static void await(CompletionStage<?> sent) throws IOException {
            try {
                sent.toCompletableFuture().get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException("the client did not take the event", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while writing", e);
            }
        }
    }

    /**
     * A run's stream for a client with no request to repeat (a second tab): {@code GET
     * /api/agui/runs/{runId}}, with {@code Last-Event-ID} to join after an event; the whole run from
     * its start without. Another user's run is 404 RUN_NOT_FOUND.
     */
    @GET
    @Path("runs/{runId}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void join(@PathParam("runId") String runId, @HeaderParam("Last-Event-ID") String lastEventId,
                     @Context SseEventSink sink, @Context Sse sse) {
        TokenPrincipal principal = (TokenPrincipal) security.getUserPrincipal();
        rateLimits.of(principal.owner()).checkFrame();
        AguiStream stream = runs.join(principal.owner(), principal.expiresAt(), runId, cursorOf(lastEventId));
        runs.write(stream, new SseEvents(sink, sse), sink::close);
    }

    /** Where the client's last stream stopped; null for none; VALIDATION_FAILED for an id agentwire did not make. */
    private static Cursor cursorOf(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return null;
        }
        return Cursor.parse(lastEventId).orElseThrow(() -> new GatewayException(ErrorCode.VALIDATION_FAILED,
                "The request has invalid fields.", List.of(new FieldProblem(
                        "Last-Event-ID", "Last-Event-ID must be the id of an event agentwire sent (42 or 42.1)"))));
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
