package dev.agentwire.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Senders that take their time over a request body, as an attacker would: the headers of
 * {@code POST /api/agui} with a valid token and a long Content-Length, then a byte now and then.
 * The suite server allows a body 3 s plus its length at 16 KiB/s (arquillian.xml).
 */
class SlowSendersIT extends SuiteServerTest {

    private static final int PER_USER = 16; // agentwire.http.requests-per-user-max, the default

    /** One user's slow bodies: its share is held, the rest refused at once, and the held ones are cut off at their deadline. */
    @Test
    void oneUserHoldsAtMostItsShareAndSlowBodiesAreCutOffAtTheDeadline() throws Exception {
        String token = TestTokens.valid("slow-sender");
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < PER_USER + 24; i++) {
                sockets.add(slowPost(token, 100_000));
            }
            long started = System.nanoTime();
            int refused = 0;
            List<Socket> held = new ArrayList<>();
            Thread.sleep(1500); // the refusals come at once; the bodies are still being read
            for (Socket socket : sockets) {
                String status = statusLine(socket, Duration.ofMillis(50));
                if (status == null) {
                    held.add(socket);
                } else {
                    assertTrue(status.contains(" 429 "), status);
                    refused++;
                }
            }
            assertEquals(24, refused, "refused at once beyond the user's " + PER_USER);
            assertEquals(PER_USER, held.size());
            try (var drip = new Drip(held)) {
                for (Socket socket : held) {
                    String status = statusLine(socket, Duration.ofSeconds(20));
                    assertTrue(status != null && status.contains(" 408 "), "cut off with 408: " + status);
                    assertTrue(closedByServer(socket), "the server closed the connection");
                }
            }
            long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
            // 3 s + 100,000 bytes at 16 KiB/s = 9.1 s
            assertTrue(tookMs >= 8_000 && tookMs < 20_000, "cut off at the deadline, not before and not much after: " + tookMs + " ms");
            assertEquals(200, server.get("api/threads", token).statusCode(), "the user's share is free again");
        } finally {
            closeAll(sockets);
        }
    }

    /**
     * Three hundred slow bodies of twenty users at once, more than the server has worker threads:
     * health and another user's requests are answered fast all the while, because a body being
     * read holds no thread.
     */
    @Test
    void slowBodiesOfManyUsersHoldNoWorkerThread() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        String bystander = TestTokens.valid("slow-bystander");
        try {
            for (int user = 0; user < 20; user++) {
                String token = TestTokens.valid("slow-crowd-" + user);
                for (int i = 0; i < 15; i++) {
                    sockets.add(slowPost(token, 100_000));
                }
            }
            long slowest = 0;
            try (var drip = new Drip(sockets)) {
                long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
                while (System.nanoTime() < until) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> ready = server.get("health/ready");
                    HttpResponse<String> threads = server.get("api/threads", bystander);
                    slowest = Math.max(slowest, Duration.ofNanos(System.nanoTime() - t0).toMillis());
                    assertEquals(200, ready.statusCode(), ready.body());
                    assertEquals(200, threads.statusCode(), threads.body());
                    Thread.sleep(200);
                }
            }
            assertTrue(slowest < 2_000, "health and another user answered within 2 s throughout; slowest pair " + slowest + " ms");
            int open = 0;
            for (Socket socket : sockets) {
                if (statusLine(socket, Duration.ofMillis(1)) == null) {
                    open++;
                }
            }
            assertTrue(open >= 250, "the slow bodies were still being read, not refused: " + open + " of 300");
        } finally {
            closeAll(sockets);
        }
    }

    /** A client that gives up in the middle of its upload is gone, not a bug of the server's. */
    @Test
    void anAbandonedUploadIsNoInternalError() throws Exception {
        String token = TestTokens.valid("abandoning-sender");
        double bugsBefore = server.metric("agentwire_internal_errors_total", null);
        for (int i = 0; i < 10; i++) {
            Socket socket = slowPost(token, 50_000);
            socket.getOutputStream().write("{\"threadId\":".getBytes(StandardCharsets.UTF_8));
            socket.setSoLinger(true, 0); // a reset, as a killed client sends
            socket.close();
        }
        Thread.sleep(1000);
        assertEquals(bugsBefore, server.metric("agentwire_internal_errors_total", null));
        assertEquals(200, server.get("api/threads", token).statusCode());
    }

    private Socket slowPost(String token, int contentLength) throws IOException {
        var socket = new Socket("127.0.0.1", server.http().getPort());
        String head = "POST /api/agui HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: " + contentLength + "\r\n\r\n{";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** The response's status line, or null when none came within {@code wait}. */
    private static String statusLine(Socket socket, Duration wait) throws IOException {
        socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
        InputStream in = socket.getInputStream();
        var line = new StringBuilder();
        try {
            for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
                line.append((char) b);
            }
        } catch (SocketTimeoutException e) {
            if (line.length() == 0) {
                return null;
            }
        }
        return line.toString().strip();
    }

    /** Whether the server closed the connection after its answer (the rest of the answer is read and dropped). */
    private static boolean closedByServer(Socket socket) throws IOException {
        socket.setSoTimeout(5000);
        try {
            InputStream in = socket.getInputStream();
            byte[] rest = new byte[8192];
            while (in.read(rest) != -1) {
                // the headers and the error body
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** One byte a second on each socket, as a slow sender does, until closed. */
    private static final class Drip implements AutoCloseable {
        private final AtomicBoolean going = new AtomicBoolean(true);
        private final Thread thread;
        final AtomicLong bytes = new AtomicLong();

        Drip(List<Socket> sockets) {
            thread = new Thread(() -> {
                while (going.get()) {
                    for (Socket socket : sockets) {
                        try {
                            OutputStream out = socket.getOutputStream();
                            out.write(' ');
                            out.flush();
                            bytes.incrementAndGet();
                        } catch (IOException closed) {
                            // the server cut it off
                        }
                    }
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "drip");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            going.set(false);
            thread.interrupt();
            thread.join(5000);
        }
    }
}
