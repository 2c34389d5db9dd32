package dev.agentwire.agents.control;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * Streams one chat completion from an OpenAI-compatible server ({@code POST /chat/completions}
 * with {@code stream: true}: OpenAI, vLLM, Ollama, llama.cpp). Server-sent events are read
 * line by line with the JDK's HttpClient: the format is a few lines of {@code data:} JSON, and
 * the SDKs that parse it bring an HTTP stack and a JSON library of their own.
 *
 * <p>Fault tolerance is MicroProfile's: a timeout on the whole stream and a circuit breaker that
 * stops calling a backend that keeps failing. Both are configurable through MicroProfile Config
 * (for example {@code dev.agentwire.agents.control.ModelClient/stream/Timeout/value}).
 */
@ApplicationScoped
public class ModelClient {

    private static final Logger LOG = Logger.getLogger(ModelClient.class.getName());

    /** A tool call the model asked for; arguments are the JSON text the model produced. */
    public record ToolCall(String id, String name, String arguments) {
    }

    /** What one streamed completion produced. */
    public record Turn(String text, List<ToolCall> toolCalls, String finishReason, int malformedChunks) {
    }

    /** The backend answered, but not with a usable stream (HTTP error status). */
    public static class ModelException extends IOException {
        public ModelException(String message) {
            super(message);
        }
    }

    @Inject
    @ConfigProperty(name = "agentwire.openai.base-url", defaultValue = "http://localhost:11434/v1")
    String baseUrl;

    @Inject
    @ConfigProperty(name = "agentwire.openai.api-key")
    Optional<String> apiKey;

    @Inject
    @ConfigProperty(name = "agentwire.openai.connect-timeout-seconds", defaultValue = "5")
    int connectTimeoutSeconds;

    private HttpClient http;

    @PostConstruct
    void connect() {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(connectTimeoutSeconds)).build();
    }

    public String endpoint() {
        return baseUrl.replaceAll("/+$", "") + "/chat/completions";
    }

    /**
     * Posts the request and streams the answer, giving each piece of text to {@code onText} as
     * it arrives. Malformed chunks are skipped and counted.
     */
    @Timeout(value = 60_000)
    @CircuitBreaker(requestVolumeThreshold = 4, failureRatio = 0.5, delay = 30_000, successThreshold = 1,
            skipOn = RunEvents.RunCancelledException.class)
    public Turn stream(JsonObject request, Consumer<String> onText) throws IOException, InterruptedException {
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(endpoint()))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString()));
        apiKey.filter(key -> !key.isBlank()).ifPresent(key -> post.header("Authorization", "Bearer " + key));
        var lines = new StreamedLines();
        CompletableFuture<HttpResponse<Void>> exchange = http.sendAsync(post.build(), lines);
        exchange.whenComplete((response, failure) -> lines.end(failure));
        try {
            Turn turn = read(lines, onText);
            if (lines.status != 200) {
                throw new ModelException("the model backend answered HTTP " + lines.status);
            }
            return turn;
        } finally {
            exchange.cancel(true); // a cancelled or timed-out run stops the download too
        }
    }

    /** Where the model's answer lines arrive; read with {@link #next()}, which an interrupt ends. */
    interface Lines {
        /** The next line, or null at the end of the stream. */
        String next() throws IOException, InterruptedException;
    }

    /**
     * The response lines, queued as the HTTP client receives them, so that the reading thread
     * waits in an interruptible take: a cancel or a fault-tolerance timeout ends the wait at once,
     * where a blocking read of the body would not notice.
     */
    private static final class StreamedLines implements HttpResponse.BodyHandler<Void>, Lines {
        private static final String END = new String("end");
        private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private volatile Throwable failure;
        private volatile int status;

        @Override
        public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
            status = info.statusCode();
            return HttpResponse.BodySubscribers.fromLineSubscriber(new Flow.Subscriber<String>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(String line) {
                    queue.add(line);
                }

                @Override
                public void onError(Throwable error) {
                    end(error);
                }

                @Override
                public void onComplete() {
                    end(null);
                }
            });
        }

        void end(Throwable error) {
            if (error != null && failure == null) {
                failure = error;
            }
            queue.add(END);
        }

        @Override
        public String next() throws IOException, InterruptedException {
            String line = queue.take();
            if (line == END) {
                queue.add(END);
                if (failure != null) {
                    throw failure instanceof IOException io ? io : new IOException("the model stream failed", failure);
                }
                return null;
            }
            return line;
        }
    }

    /** Reads server-sent events until {@code data: [DONE]} or the end of the stream. */
    static Turn read(Lines lines, Consumer<String> onText) throws IOException, InterruptedException {
        StringBuilder text = new StringBuilder();
        TreeMap<Integer, String[]> calls = new TreeMap<>(); // index -> id, name, arguments
        String finishReason = null;
        int malformed = 0;
        String line;
        while ((line = lines.next()) != null) {
            if (!line.startsWith("data:")) {
                continue; // comments, event names, blank separators
            }
            String data = line.substring(5).strip();
            if (data.equals("[DONE]")) {
                break;
            }
            JsonObject chunk;
            try {
                chunk = Json.createReader(new StringReader(data)).readObject();
            } catch (JsonException | ClassCastException e) {
                malformed++;
                LOG.fine(() -> "skipping a malformed chunk from the model backend");
                continue;
            }
            if (!(chunk.get("choices") instanceof JsonArray choices)) {
                malformed++;
                continue;
            }
            if (choices.isEmpty() || !(choices.get(0) instanceof JsonObject choice)) {
                continue; // e.g. a final usage chunk
            }
            if (choice.get("finish_reason") instanceof jakarta.json.JsonString reason) {
                finishReason = reason.getString();
            }
            if (!(choice.get("delta") instanceof JsonObject delta)) {
                continue;
            }
            if (delta.get("content") instanceof jakarta.json.JsonString content && !content.getString().isEmpty()) {
                text.append(content.getString());
                onText.accept(content.getString());
            }
            if (delta.get("tool_calls") instanceof JsonArray toolCalls) {
                for (JsonValue value : toolCalls) {
                    if (value instanceof JsonObject call) {
                        accumulate(calls, call);
                    }
                }
            }
        }
        List<ToolCall> toolCalls = new ArrayList<>();
        calls.values().forEach(c -> toolCalls.add(new ToolCall(c[0], c[1], c[2])));
        return new Turn(text.toString(), toolCalls, finishReason, malformed);
    }

    /** Tool calls arrive in pieces: the first names id and function, later ones add to the arguments. */
    private static void accumulate(TreeMap<Integer, String[]> calls, JsonObject piece) {
        String[] call = calls.computeIfAbsent(piece.getInt("index", calls.size()), i -> new String[] {null, null, ""});
        if (piece.get("id") instanceof jakarta.json.JsonString id) {
            call[0] = id.getString();
        }
        if (piece.get("function") instanceof JsonObject function) {
            if (function.get("name") instanceof jakarta.json.JsonString name) {
                call[1] = name.getString();
            }
            if (function.get("arguments") instanceof jakarta.json.JsonString arguments) {
                call[2] += arguments.getString();
            }
        }
    }
}
