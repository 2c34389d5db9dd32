package dev.agentwire.agents.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The HTTP client's body, handed over line by line to a reader that waits interruptibly. */
class StreamedLinesTest {

    private static HttpResponse.ResponseInfo head(int status, Map<String, List<String>> headers) {
        return new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
                return status;
            }

            @Override
            public HttpHeaders headers() {
                return HttpHeaders.of(headers, (name, value) -> true);
            }

            @Override
            public HttpClient.Version version() {
                return HttpClient.Version.HTTP_1_1;
            }
        };
    }

    private static void deliver(HttpResponse.BodySubscriber<Void> body, String... chunks) {
        body.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
            }

            @Override
            public void cancel() {
            }
        });
        for (String chunk : chunks) {
            body.onNext(List.of(ByteBuffer.wrap(chunk.getBytes(StandardCharsets.UTF_8))));
        }
    }

    @Test
    void linesArriveInOrderAndTheEndStaysTheEnd() throws Exception {
        var lines = new StreamedLines();
        var body = lines.apply(head(200, Map.of("Retry-After", List.of("3"))));
        deliver(body, "data: one\n", "data: tw", "o\n\n");
        body.onComplete();
        assertEquals(200, lines.status());
        assertEquals(Optional.of("3"), lines.retryAfter());
        assertEquals("data: one", lines.next());
        assertEquals("data: two", lines.next());
        assertEquals("", lines.next());
        assertNull(lines.next());
        assertNull(lines.next(), "a second read at the end sees the end again");
    }

    @Test
    void aBrokenBodyFailsTheReaderAfterTheLinesBeforeIt() throws Exception {
        var lines = new StreamedLines();
        var body = lines.apply(head(200, Map.of()));
        deliver(body, "data: one\n");
        IOException dropped = new IOException("connection reset");
        body.onError(dropped);
        assertEquals("data: one", lines.next());
        assertSame(dropped, assertThrows(IOException.class, lines::next));
        assertSame(dropped, assertThrows(IOException.class, lines::next));
    }

    @Test
    void anExchangeThatFailsBeforeItsHeadFailsTheStatus() {
        var lines = new StreamedLines();
        lines.end(new IllegalStateException("refused"));
        IOException failure = assertThrows(IOException.class, lines::status);
        assertTrue(failure.getCause() instanceof IllegalStateException);
    }

    @Test
    void anInterruptEndsTheWaitForALine() throws Exception {
        var lines = new StreamedLines();
        lines.apply(head(200, Map.of()));
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                lines.next();
            } catch (Throwable e) {
                ended.set(e);
            }
        });
        reader.start();
        reader.interrupt();
        reader.join(TimeUnit.SECONDS.toMillis(5));
        assertTrue(ended.get() instanceof InterruptedException, "ended with " + ended.get());
    }
}
