package dev.agentwire.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible model server on loopback for tests: {@code /v1/models} for the probe and
 * {@code /v1/chat/completions}, answered by the test's {@link Answers}. Keeps every chat request
 * and counts the calls. The static helpers write the streaming format (server-sent events,
 * {@code data:} chunks, {@code [DONE]}).
 */
public final class ModelServer implements AutoCloseable {

    /** How the test answers one chat request. */
    @FunctionalInterface
    public interface Answers {
        /** Answers {@code request}, the {@code call}-th chat call (from 1); writes and closes the exchange. */
        void answer(HttpExchange exchange, JsonObject request, int call) throws IOException;
    }

    public final List<JsonObject> requests = new CopyOnWriteArrayList<>();
    public final AtomicInteger chatCalls = new AtomicInteger();
    public final AtomicInteger modelsCalls = new AtomicInteger();
    /** When set, {@code /v1/models} fails with 500: the probe finds the backend down. */
    public volatile boolean modelsDown;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(); // a slow stream must not hold up the other calls

    private ModelServer(Answers answers) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            int call = chatCalls.incrementAndGet();
            JsonObject request = Json.createReader(new StringReader(
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))).readObject();
            requests.add(request);
            try {
                answers.answer(exchange, request, call);
            } catch (IOException closedByClient) {
                // the gateway gave up on the stream (a timeout, a cancel)
            }
        });
        server.createContext("/v1/models", this::models);
        server.setExecutor(executor);
        server.start();
    }

    public static ModelServer start(Answers answers) throws IOException {
        return new ModelServer(answers);
    }

    /** The base URL agentwire's {@code agentwire.openai.base-url} takes. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** JVM options that point a Payara Micro at this server with the OpenAI-compatible backend, then {@code more}. */
    public String[] backendOptions(String... more) {
        List<String> options = new ArrayList<>(List.of("-Dagentwire.agent.backend=openai",
                "-Dagentwire.openai.base-url=" + baseUrl(), "-Dagentwire.openai.model=test-model"));
        options.addAll(List.of(more));
        return options.toArray(String[]::new);
    }

    /** The last user message of a request: the text the fake model answers. */
    public static String lastUserText(JsonObject request) {
        return request.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .filter(m -> m.getString("role").equals("user")).reduce((a, b) -> b).orElseThrow().getString("content");
    }

    /** Starts a 200 event stream. */
    public static OutputStream stream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    /** One chunk of assistant text. */
    public static void text(OutputStream out, String text) throws IOException {
        chunk(out, Json.createObjectBuilder().add("choices", Json.createArrayBuilder().add(Json.createObjectBuilder()
                .add("index", 0).add("delta", Json.createObjectBuilder().add("content", text)))).build().toString());
    }

    /** A whole tool call in one chunk: {@code name} with its JSON {@code arguments}. */
    public static void toolCall(OutputStream out, String id, String name, String arguments) throws IOException {
        chunk(out, Json.createObjectBuilder().add("choices", Json.createArrayBuilder().add(Json.createObjectBuilder()
                .add("index", 0).add("delta", Json.createObjectBuilder().add("tool_calls", Json.createArrayBuilder()
                        .add(Json.createObjectBuilder().add("index", 0).add("id", id).add("type", "function")
                                .add("function", Json.createObjectBuilder().add("name", name).add("arguments", arguments)))))))
                .build().toString());
    }

    /** The final chunk with its finish reason, then {@code [DONE]}. */
    public static void finish(OutputStream out, String reason) throws IOException {
        chunk(out, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"" + reason + "\"}]}");
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    }

    /** One {@code data:} event with {@code json}, flushed. */
    public static void chunk(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** An error answer with an OpenAI-style JSON body, and a Retry-After header when given. */
    public static void fail(HttpExchange exchange, int status, String retryAfter) throws IOException {
        byte[] body = ("{\"error\":{\"message\":\"test failure " + status + "\",\"type\":\"server_error\"}}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        if (retryAfter != null) {
            exchange.getResponseHeaders().add("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The probe's endpoint: the model list, unless {@link #modelsDown}. */
    private void models(HttpExchange exchange) throws IOException {
        modelsCalls.incrementAndGet();
        exchange.getRequestBody().readAllBytes();
        if (modelsDown) {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
            return;
        }
        byte[] body = "{\"object\":\"list\",\"data\":[{\"id\":\"test-model\",\"object\":\"model\"}]}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops the server: connections still open are cut. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
