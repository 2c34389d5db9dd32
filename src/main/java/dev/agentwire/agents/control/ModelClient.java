package dev.agentwire.agents.control;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * Talks to an OpenAI-compatible server: streams chat completions ({@code POST /chat/completions}
 * with {@code stream: true}: OpenAI, vLLM, Ollama, llama.cpp) and probes it
 * ({@code GET /models}). Server-sent events are read line by line with the JDK's HttpClient: the
 * format is a few lines of {@code data:} JSON, and the SDKs that parse it bring an HTTP stack and
 * a JSON library of their own.
 *
 * <p>Every exchange passes through {@link ModelCircuit} (MicroProfile Fault Tolerance: a timeout
 * and one circuit breaker) and its outcome is recorded for /health. After a failure, and while
 * the breaker refuses calls, a probe runs every {@code agentwire.openai.probe-interval-seconds}
 * until one gets through: refused probes cost nothing, and once the breaker lets calls by again
 * the probe's success closes it, so the node recovers without waiting for a user's chat.
 */
@ApplicationScoped
public class ModelClient {

    /** One reader factory for every chunk: {@code Json.createReader} looks its provider up each time (a class-path scan). */
    private static final JsonReaderFactory CHUNKS = Json.createReaderFactory(Map.of());

    private static final Logger LOG = Logger.getLogger(ModelClient.class.getName());
    /** The longest wait passed on from a Retry-After header; a longer one is cut to this. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    /** A tool call the model asked for; arguments are the JSON text the model produced. */
    public record ToolCall(String id, String name, String arguments) {
    }

    /** What one streamed completion produced. */
    public record Turn(String text, List<ToolCall> toolCalls, String finishReason, int malformedChunks) {
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

    @Inject
    @ConfigProperty(name = "agentwire.openai.retry-after-seconds", defaultValue = "10")
    int defaultRetryAfterSeconds;

    @Inject
    @ConfigProperty(name = "agentwire.openai.probe-interval-seconds", defaultValue = "5")
    int probeIntervalSeconds;

    @Inject
    @ConfigProperty(name = "agentwire.openai.probe-timeout-seconds", defaultValue = "5")
    int probeTimeoutSeconds;

    @Inject
    ModelCircuit circuit;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private HttpClient http;
    private final ModelBackendStatus status = new ModelBackendStatus();
    private final AtomicBoolean probePending = new AtomicBoolean();
    private volatile Future<?> probe;
    private volatile boolean stopped;

    @PostConstruct
    void connect() {
        for (var key : List.of(Map.entry("agentwire.openai.connect-timeout-seconds", connectTimeoutSeconds),
                Map.entry("agentwire.openai.retry-after-seconds", defaultRetryAfterSeconds),
                Map.entry("agentwire.openai.probe-interval-seconds", probeIntervalSeconds),
                Map.entry("agentwire.openai.probe-timeout-seconds", probeTimeoutSeconds))) {
            if (key.getValue() < 1) {
                throw new IllegalStateException(key.getKey() + " must be at least 1, but is " + key.getValue());
            }
        }
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(connectTimeoutSeconds)).build();
    }

    @PreDestroy
    void stopProbing() {
        stopped = true;
        Future<?> pending = probe;
        if (pending != null) {
            pending.cancel(true);
        }
    }

    public String endpoint() {
        return api() + "/chat/completions";
    }

    private String api() {
        return baseUrl.replaceAll("/+$", "");
    }

    /** For /health: the breaker as last seen and the last call's outcome (see {@link ModelBackendStatus}). */
    public Map<String, Object> healthData() {
        return status.healthData();
    }

    /**
     * Posts the request and streams the answer, giving each piece of text to {@code onText} as
     * it arrives. Malformed chunks are skipped and counted. Throws
     * {@link RateLimitedException} for a 429, another {@link IOException} when the backend fails,
     * and Fault Tolerance's exceptions for a timeout or an open circuit; a cancelled run's
     * interrupt ends it with {@link RunEvents.RunCancelledException}.
     */
    public Turn stream(JsonObject request, Consumer<String> onText) throws IOException {
        return exchange(() -> streamOnce(request, onText));
    }

    /** Asks the model server for its models, through the breaker; the answer's body is not read. */
    void probe() {
        probePending.set(false);
        if (stopped) {
            return;
        }
        boolean wasOpen = status.circuitOpen();
        try {
            exchange(this::listModels);
            if (wasOpen) {
                LOG.info(() -> "The model backend answers again (" + api() + "/models); its circuit is closed");
            }
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "Model backend probe: " + status.lastCall().label());
        }
    }

    /** Runs one exchange through the breaker and records how it ended. */
    private <T> T exchange(ModelCircuit.Exchange<T> exchange) throws IOException {
        ModelBackendStatus.Outcome outcome = ModelBackendStatus.Outcome.FAILED;
        try {
            T result = circuit.call(exchange);
            outcome = ModelBackendStatus.Outcome.SUCCEEDED;
            return result;
        } catch (RateLimitedException e) {
            outcome = ModelBackendStatus.Outcome.RATE_LIMITED;
            throw e;
        } catch (RunEvents.RunCancelledException e) {
            outcome = ModelBackendStatus.Outcome.NONE; // says nothing about the backend
            throw e;
        } catch (CircuitBreakerOpenException e) {
            outcome = ModelBackendStatus.Outcome.REFUSED;
            throw e;
        } catch (TimeoutException e) {
            outcome = ModelBackendStatus.Outcome.TIMED_OUT;
            throw e;
        } finally {
            if (outcome == ModelBackendStatus.Outcome.REFUSED && !status.circuitOpen()) {
                LOG.warning(() -> "The model backend failed too often; its circuit is open, runs end with AGENT_UNAVAILABLE"
                        + " and a probe checks it every " + probeIntervalSeconds + " s");
            }
            status.record(outcome, Instant.now());
            if (outcome.callsForProbe()) {
                probeLater();
            }
        }
    }

    /** Schedules one probe, unless one is pending already. */
    private void probeLater() {
        if (stopped || !probePending.compareAndSet(false, true)) {
            return;
        }
        try {
            probe = scheduler.schedule(this::probe, probeIntervalSeconds, TimeUnit.SECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            probePending.set(false);
        }
    }

    private Void listModels() throws IOException {
        HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(api() + "/models"))
                .timeout(Duration.ofSeconds(probeTimeoutSeconds))
                .GET();
        authorize(get);
        try {
            HttpResponse<Void> response = http.send(get.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 429) {
                throw new RateLimitedException(retryAfter(response.headers().firstValue("Retry-After"), Instant.now()));
            }
            if (response.statusCode() != 200) {
                throw new ModelException("the model backend answered HTTP " + response.statusCode() + " to GET /models");
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunEvents.RunCancelledException();
        }
    }

    private Turn streamOnce(JsonObject request, Consumer<String> onText) throws IOException {
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(endpoint()))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString()));
        authorize(post);
        var lines = new StreamedLines();
        CompletableFuture<HttpResponse<Void>> exchange = http.sendAsync(post.build(), lines);
        exchange.whenComplete((response, failure) -> lines.end(failure));
        boolean read = false;
        try {
            int status = lines.status();
            if (status == 429) {
                throw new RateLimitedException(retryAfter(lines.retryAfter, Instant.now()));
            }
            if (status != 200) {
                throw new ModelException("the model backend answered HTTP " + status);
            }
            Turn turn = read(lines, onText);
            read = true;
            return turn;
        } catch (InterruptedException e) {
            // a cancelled run, or the Fault Tolerance timeout, which reports itself as a TimeoutException
            Thread.currentThread().interrupt();
            throw new RunEvents.RunCancelledException();
        } finally {
            if (!read) {
                // a cancelled, timed-out or failed run stops the download too. Not after a complete
                // answer: the body drains by itself, and cancelling an exchange whose connection went
                // back to the pool closed it under the next exchange ("connection closed locally")
                exchange.cancel(true);
            }
        }
    }

    private void authorize(HttpRequest.Builder request) {
        apiKey.filter(key -> !key.isBlank()).ifPresent(key -> request.header("Authorization", "Bearer " + key));
    }

    /**
     * The wait a 429 asks for: Retry-After in seconds or as an HTTP date, rounded up to whole
     * seconds and kept between 1 s and {@link #MAX_RETRY_AFTER}; the configured default when the
     * header is missing or unreadable.
     */
    Duration retryAfter(Optional<String> header, Instant now) {
        return retryAfter(header, now, Duration.ofSeconds(defaultRetryAfterSeconds));
    }

    static Duration retryAfter(Optional<String> header, Instant now, Duration fallback) {
        Duration wait = fallback;
        String value = header.map(String::strip).orElse("");
        if (value.matches("[0-9]{1,10}")) {
            wait = Duration.ofSeconds(Long.parseLong(value));
        } else if (!value.isEmpty()) {
            try {
                Instant until = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                long millis = Duration.between(now, until).toMillis();
                wait = Duration.ofSeconds(Math.floorDiv(millis + 999, 1000));
            } catch (DateTimeParseException e) {
                LOG.fine(() -> "unreadable Retry-After from the model backend; using the default");
            }
        }
        long seconds = Math.max(1, Math.min(MAX_RETRY_AFTER.toSeconds(), wait.toSeconds()));
        return Duration.ofSeconds(seconds);
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
        private final CountDownLatch answered = new CountDownLatch(1);
        private volatile Throwable failure;
        private volatile int status;
        private volatile Optional<String> retryAfter = Optional.empty();

        @Override
        public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
            status = info.statusCode();
            retryAfter = info.headers().firstValue("Retry-After");
            answered.countDown();
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
            answered.countDown();
        }

        /** The HTTP status, once the response's head arrived; throws when the exchange failed before. */
        int status() throws IOException, InterruptedException {
            answered.await();
            if (status == 0) {
                throw failure();
            }
            return status;
        }

        private IOException failure() {
            return failure instanceof IOException io ? io : new IOException("the model stream failed", failure);
        }

        @Override
        public String next() throws IOException, InterruptedException {
            String line = queue.take();
            if (line == END) {
                queue.add(END);
                if (failure != null) {
                    throw failure();
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
                chunk = CHUNKS.createReader(new StringReader(data)).readObject();
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
