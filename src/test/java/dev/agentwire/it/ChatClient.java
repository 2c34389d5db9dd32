package dev.agentwire.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real WebSocket client (the JDK's) that records every frame and the close it receives. */
public final class ChatClient implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public record Close(int code, String reason) {
    }

    private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private final List<String> texts = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private ChatClient(WebSocket.Builder builder, URI uri) {
        this.socket = builder.buildAsync(uri, new Listener()).join();
    }

    /** Token in {@code Authorization: Bearer}; null for no token. */
    public static ChatClient withHeader(URI uri, String token) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return new ChatClient(builder, uri);
    }

    /** Token as the browser-style subprotocol pair {@code bearer, <jwt>}. */
    public static ChatClient withSubprotocol(URI uri, String token) {
        return new ChatClient(HTTP.newWebSocketBuilder().subprotocols("bearer", token), uri);
    }

    public static ChatClient withHeaders(URI uri, String token, String... headers) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + token);
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return new ChatClient(builder, uri);
    }

    /** Connects and waits for the ready frame. */
    public static ChatClient ready(URI uri, String token) {
        ChatClient client = withHeader(uri, token);
        client.expect("ready");
        return client;
    }

    /** Every frame received so far as its text arrived, in order, taken or not: for byte-for-byte comparisons. */
    public List<String> texts() {
        return List.copyOf(texts);
    }

    public String subprotocol() {
        return socket.getSubprotocol();
    }

    public ChatClient send(String text) {
        socket.sendText(text, true).join();
        return this;
    }

    public ChatClient send(JsonObject frame) {
        return send(frame.toString());
    }

    public ChatClient chat(String text) {
        return send(Json.createObjectBuilder().add("type", "chat").add("text", text).build());
    }

    public ChatClient chat(String text, String threadId) {
        return send(Json.createObjectBuilder().add("type", "chat").add("text", text).add("thread_id", threadId).build());
    }

    public ChatClient sendBinary(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
        return this;
    }

    /** The next frame, failing the test if none arrives in time. */
    public JsonObject next() {
        try {
            JsonObject frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                fail("no frame within " + WAIT + (closed.isDone() ? "; closed with " + closed.join() : ""));
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next frame, which must have the given type. */
    public JsonObject expect(String type) {
        JsonObject frame = next();
        assertEquals(type, frame.getString("type"), () -> "unexpected frame " + frame);
        return frame;
    }

    /** The next error frame, which must carry the given code. */
    public JsonObject expectError(String code) {
        JsonObject frame = expect("error");
        assertEquals(code, frame.getString("code"), () -> "unexpected error " + frame);
        assertNotNull(frame.getString("correlation_id", null), "error frames carry a correlation id");
        return frame;
    }

    /** Frames up to and including the first that matches. */
    public List<JsonObject> until(Predicate<JsonObject> last) {
        List<JsonObject> seen = new ArrayList<>();
        while (true) {
            JsonObject frame = next();
            seen.add(frame);
            if (last.test(frame)) {
                return seen;
            }
        }
    }

    /** The events of one run, from agent_started through agent_completed or agent_error; acks are skipped. */
    public List<JsonObject> run() {
        List<JsonObject> events = new ArrayList<>(until(f -> f.getString("type").equals("agent_completed")
                || f.getString("type").equals("agent_error")));
        events.removeIf(f -> f.getString("type").equals("ack"));
        return events;
    }

    public ChatClient chat(String text, String threadId, String clientMsgId) {
        var frame = Json.createObjectBuilder().add("type", "chat").add("text", text);
        if (threadId != null) {
            frame.add("thread_id", threadId);
        }
        if (clientMsgId != null) {
            frame.add("client_msg_id", clientMsgId);
        }
        return send(frame.build());
    }

    public Close awaitClose() {
        try {
            return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("not closed within " + WAIT, e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Frames received so far and not yet taken. */
    public List<JsonObject> drain() {
        List<JsonObject> rest = new ArrayList<>();
        frames.drainTo(rest);
        return rest;
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                frames.add(Json.createReader(new StringReader(partial.toString())).readObject());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new Close(-1, String.valueOf(error)));
        }
    }
}
