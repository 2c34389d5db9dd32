package dev.agentwire.agents.control;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
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
 * ({@code GET /models}) with the JDK's HttpClient: the answer's lines arrive through
 * {@link StreamedLines} and {@link CompletionChunks} reads them; the SDKs that do the same bring an
 * HTTP stack and a JSON library of their own.
 *
 * <p>Every exchange passes through {@link ModelCircuit} (MicroProfile Fault Tolerance: a timeout
 * and one circuit breaker) and its outcome is recorded for /health. After a failure, and while
 * the breaker refuses calls, a probe runs every {@code agentwire.openai.probe-interval-seconds}
 * until one gets through: refused probes cost nothing, and once the breaker lets calls by again
 * the probe's success closes it, so the node recovers without waiting for a user's chat. A 429's
 * wait is read by {@link RetryAfter}.
 */
@ApplicationScoped
public class ModelClient {

    private static final Logger LOG = Logger.getLogger(ModelClient.class.getName());
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
    public ModelTurn stream(JsonObject request, Consumer<String> onText) throws IOException {
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
                throw new RateLimitedException(retryAfter(response.headers().firstValue("Retry-After")));
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

    private ModelTurn streamOnce(JsonObject request, Consumer<String> onText) throws IOException {
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
                throw new RateLimitedException(retryAfter(lines.retryAfter()));
            }
            if (status != 200) {
                throw new ModelException("the model backend answered HTTP " + status);
            }
            ModelTurn turn = CompletionChunks.read(lines, onText);
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

    /** The wait a 429 asks for ({@link RetryAfter}), the configured one when the header says none. */
    private Duration retryAfter(Optional<String> header) {
        return RetryAfter.wait(header, Instant.now(), Duration.ofSeconds(defaultRetryAfterSeconds));
    }

    private void authorize(HttpRequest.Builder request) {
        apiKey.filter(key -> !key.isBlank()).ifPresent(key -> request.header("Authorization", "Bearer " + key));
    }
}
