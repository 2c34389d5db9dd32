package dev.agentwire.threads.boundary;

import dev.agentwire.auth.boundary.Authenticated;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.threads.control.Conversations;
import dev.agentwire.threads.control.EventLog;
import dev.agentwire.threads.control.StorageFailures;
import dev.agentwire.threads.entity.ChatThread;
import dev.agentwire.auth.entity.TokenPrincipal;
import dev.agentwire.kernel.Owner;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * History for clients that load it: my threads, a thread's messages, a thread's events after a seq.
 * Errors are answered by the mappers of {@code dev.agentwire.api.boundary}: a database failure as
 * 503 STORAGE_UNAVAILABLE, another user's or a missing thread as 404 THREAD_NOT_FOUND.
 */
@RequestScoped
@Authenticated
@Path("threads")
@Produces(MediaType.APPLICATION_JSON)
public class ThreadsResource {

    /** A page of items and where the next page starts; {@code next} is absent on the last page. */
    public record Page<T>(List<T> items, Long next) {
    }

    public record ThreadSummary(String id, String title, Instant createdAt, long lastSeq) {
    }

    public record Message(long id, String role, String text, String clientMsgId, Instant createdAt) {
    }

    @Inject
    Conversations conversations;

    @Inject
    EventLog log;

    @Context
    SecurityContext security;

    @GET
    public Page<ThreadSummary> threads(
            @QueryParam("offset") @DefaultValue("0") @Min(0) int offset,
            @QueryParam("limit") @DefaultValue("20") @Min(1) @Max(100) int limit) {
        List<ChatThread> threads = StorageFailures.translate(() -> conversations.threads(user(), offset, limit));
        Map<String, Long> latestSeqs = StorageFailures.translate(() -> log.latestSeqs(threads.stream().map(ChatThread::id).toList()));
        List<ThreadSummary> items = threads.stream()
                .map(t -> new ThreadSummary(t.id(), t.title(), t.createdAt(), latestSeqs.getOrDefault(t.id(), 0L)))
                .toList();
        return new Page<>(items, items.size() < limit ? null : (long) offset + limit);
    }

    @GET
    @Path("{id}/messages")
    public Page<Message> messages(@PathParam("id") String threadId,
                                  @QueryParam("after") @DefaultValue("0") @Min(0) long after,
                                  @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(200) int limit) {
        ChatThread thread = owned(threadId);
        List<Message> items = StorageFailures.translate(() -> conversations.messages(thread.id(), after, limit)).stream()
                .map(m -> new Message(m.id(), m.role().name(), m.text(), m.clientMsgId(), m.createdAt()))
                .toList();
        return new Page<>(items, items.size() < limit ? null : items.get(items.size() - 1).id());
    }

    @GET
    @Path("{id}/events")
    public Page<JsonObject> events(@PathParam("id") String threadId,
                                   @QueryParam("after_seq") @DefaultValue("0") @Min(0) long afterSeq,
                                   @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        ChatThread thread = owned(threadId);
        var events = StorageFailures.translate(() -> log.after(thread.id(), afterSeq, limit));
        List<JsonObject> items = events.stream()
                .map(e -> Json.createReader(new StringReader(e.payload())).readObject())
                .toList();
        return new Page<>(items, events.size() < limit ? null : events.get(events.size() - 1).seq());
    }

    /** Another user's thread is answered like a missing one: 404 THREAD_NOT_FOUND. */
    private ChatThread owned(String threadId) {
        return StorageFailures.translate(() -> conversations.owned(user(), threadId))
                .orElseThrow(() -> new GatewayException(ErrorCode.THREAD_NOT_FOUND));
    }

    private Owner user() {
        return ((TokenPrincipal) security.getUserPrincipal()).owner();
    }
}
