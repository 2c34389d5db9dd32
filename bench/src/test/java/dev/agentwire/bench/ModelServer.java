package dev.agentwire.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The model of the streaming benchmark: an OpenAI-compatible {@code POST /v1/chat/completions}
 * that answers every request, whatever it asks, with a stream of server-sent events in the format
 * agentwire's ModelClient reads: {@code tokens} chunks
 * {@code data: {"choices":[{"index":0,"delta":{"content":"t<micros> "}}]}} at {@code tokensPerSecond},
 * a chunk with {@code finish_reason: stop}, then {@code data: [DONE]}.
 *
 * <p>The content of every token is {@code t} followed by the wall-clock time it was written, in
 * microseconds since the epoch, and a space: the client, another JVM on the same machine (same
 * clock), computes model-to-client latency from the frame alone. Tokens are paced on an absolute
 * schedule (token i at start + i / rate), so a slow write does not slow the stream's later tokens;
 * the first token comes one interval after the headers, like a model's time to first token.
 *
 * <p>One thread per stream (a cached pool): a stream whose reader stalls blocks only itself. The
 * JDK server's Nagle default (nodelay false) would hold back every small chunk behind a delayed
 * ACK (40 ms on Linux); {@link Bench} sets {@code sun.net.httpserver.nodelay=true} before the
 * server is made, and more idle connections than the default 200 (one per concurrent stream).
 */
final class ModelServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService streams = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "model-stream");
        t.setDaemon(true);
        return t;
    });
    private final int tokens;
    private final long intervalNanos;
    final AtomicLong started = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong tokensSent = new AtomicLong();

    ModelServer(int port, int tokens, int tokensPerSecond) throws IOException {
        if (tokens < 1 || tokensPerSecond < 1) {
            throw new IllegalArgumentException("tokens and tokens per second must be at least 1");
        }
        this.tokens = tokens;
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / tokensPerSecond;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.createContext("/v1/chat/completions", this::answer);
        server.setExecutor(streams);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The API root to configure: {@code http://127.0.0.1:PORT/v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    private void answer(HttpExchange exchange) throws IOException {
        started.incrementAndGet();
        try (exchange) {
            exchange.getRequestBody().readAllBytes(); // whatever the conversation, the same answer
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0); // chunked
            OutputStream out = exchange.getResponseBody();
            long start = System.nanoTime();
            for (int i = 1; i <= tokens; i++) {
                long due = start + i * intervalNanos;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                write(out, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t" + micros(Instant.now()) + " \"}}]}");
                tokensSent.incrementAndGet();
            }
            write(out, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
            write(out, "[DONE]");
            completed.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            failed.incrementAndGet(); // the reader went away (a cancelled run, a stopped server)
        }
    }

    private static void write(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush(); // one HTTP chunk per event
    }

    static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    @Override
    public void close() {
        server.stop(0);
        streams.shutdownNow();
    }
}
