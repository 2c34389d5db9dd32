package dev.agentwire.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.FaultyAgent;
import dev.agentwire.it.FaultyChatHandler;
import dev.agentwire.it.RawSocketClient;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Bad frames cost the user nothing but an error frame; only a bug closes with 1011. */
class FramesIT extends SuiteServerTest {

    @Test
    void malformedUnknownAndInvalidFramesKeepTheSessionOpen() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("frames-user"))) {
            assertEquals("The frame is not valid JSON.", client.send("{not json").expectError("INVALID_FRAME").getString("message"));
            assertTrue(client.send("{\"type\":\"launch_rockets\"}").expectError("INVALID_FRAME").getString("message").startsWith("Unknown frame type"));
            client.send("{\"text\":\"no type\"}").expectError("INVALID_FRAME");
            client.send("[]").expectError("INVALID_FRAME");

            JsonObject invalid = client.send("{\"type\":\"chat\",\"text\":\"\",\"thread_id\":\"has spaces\"}").expectError("VALIDATION_FAILED");
            assertFalse(invalid.containsKey("close_code"));
            List<String> fields = invalid.getJsonArray("problems").getValuesAs(JsonObject.class).stream()
                    .map(p -> p.getString("field")).sorted().toList();
            assertEquals(List.of("text", "thread_id"), fields);

            client.send("{\"type\":\"ping\"}").expect("pong");
            client.chat("what is 6*7?");
            assertTrue(client.run().get(4).getString("text").contains("42"));
            assertFalse(client.isClosed());
        }
    }

    /**
     * An error frame that refuses a chat names its client_msg_id, and one that refuses an answer
     * its interrupt_id, so that a client settles exactly that request; an id that breaks its own
     * rules, and a frame that could not be read, are named by nothing.
     */
    @Test
    void refusalsNameTheChatOrAnswerTheyRefuse() {
        String taken;
        try (var owner = ChatClient.ready(server.chat(), TestTokens.valid("refusals-owner"))) {
            owner.chat("what is 1+1?");
            taken = owner.expect("ack").getString("thread_id");
            owner.run();
        }
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("refusals-user"))) {
            JsonObject empty = client.chat("", null, "msg-empty").expectError("VALIDATION_FAILED");
            assertEquals("msg-empty", empty.getString("client_msg_id"));
            assertFalse(empty.containsKey("interrupt_id"));

            JsonObject notYours = client.chat("hello", taken, "msg-not-yours").expectError("THREAD_NOT_FOUND");
            assertEquals("msg-not-yours", notYours.getString("client_msg_id"));

            JsonObject badId = client.chat("hello", null, "has spaces").expectError("VALIDATION_FAILED");
            assertFalse(badId.containsKey("client_msg_id"), "an id that breaks its rules is not echoed: " + badId);

            JsonObject unknown = client.send("{\"type\":\"approve\",\"interrupt_id\":\"no-such-interrupt\"}")
                    .expectError("INTERRUPT_NOT_FOUND");
            assertEquals("no-such-interrupt", unknown.getString("interrupt_id"));
            assertFalse(unknown.containsKey("client_msg_id"));

            JsonObject longReason = client.send("{\"type\":\"reject\",\"interrupt_id\":\"some-interrupt\",\"reason\":\""
                    + "x".repeat(2_001) + "\"}").expectError("VALIDATION_FAILED");
            assertEquals("some-interrupt", longReason.getString("interrupt_id"));

            JsonObject unreadable = client.send("{\"type\":\"chat\",\"text\":[\"a\"],\"client_msg_id\":\"msg-unreadable\"}")
                    .expectError("INVALID_FRAME");
            assertFalse(unreadable.containsKey("client_msg_id"));
            assertFalse(client.isClosed());
        }
    }

    /**
     * Frames of up to 64 KiB that meet the JSON parser's own limits: nesting deeper than 1000
     * levels, numbers of 1,100 digits and more, in the numeric field and elsewhere. Each is an
     * INVALID_FRAME; the session stays open and no internal error is counted.
     */
    @Test
    void deepNestingAndLongNumbersAreInvalidFramesNotInternalErrors() {
        String deep = "[".repeat(32_000) + "]".repeat(32_000);
        List<String> frames = new ArrayList<>(List.of(deep, "[".repeat(65_000),
                "{\"type\":\"chat\",\"text\":" + deep + "}",
                "{\"type\":\"chat\",\"text\":\"hi\",\"extra\":" + deep + "}",
                "{\"type\":" + deep + "}",
                "{\"type\":\"resume\",\"thread_id\":\"t\",\"after_seq\":" + deep + "}",
                "{\"type\":\"ping\",\"extra\":" + "{\"a\":".repeat(9_000) + "1" + "}".repeat(9_000) + "}"));
        for (int digits : new int[] {1_100, 1_101, 60_000}) {
            String number = "9".repeat(digits);
            frames.addAll(List.of(
                    "{\"type\":\"resume\",\"thread_id\":\"t\",\"after_seq\":" + number + "}",
                    "{\"type\":\"resume\",\"thread_id\":\"t\",\"after_seq\":-" + number + "}",
                    "{\"type\":\"resume\",\"thread_id\":\"t\",\"after_seq\":0." + number + "}",
                    "{\"type\":\"resume\",\"thread_id\":\"t\",\"after_seq\":" + number + "e5}",
                    "{\"type\":" + number + "}"));
            if (digits > 1_100) {
                frames.add("{\"type\":\"ping\",\"extra\":" + number + "}");
                frames.add("{\"type\":\"chat\",\"text\":" + number + "}");
            }
        }
        double internalErrors = server.metric("agentwire_internal_errors_total", null);
        int perConnection = 6; // below agentwire.frames.max-invalid, and each user below the frame rate
        for (int from = 0; from < frames.size(); from += perConnection) {
            try (var client = ChatClient.ready(server.chat(), TestTokens.valid("parser-limits-user-" + from))) {
                for (String frame : frames.subList(from, Math.min(from + perConnection, frames.size()))) {
                    assertTrue(frame.length() <= 65_536, "within the frame limit");
                    client.send(frame).expectError("INVALID_FRAME");
                }
                client.send("{\"type\":\"ping\"}").expect("pong");
                assertFalse(client.isClosed());
            }
        }
        assertEquals(internalErrors, server.metric("agentwire_internal_errors_total", null));
    }

    /** NUL, unpaired surrogates and bidirectional controls, as JSON escapes: refused, nothing stored, session open. */
    @Test
    void textThatCannotBeStoredOrShownAsWrittenIsRefusedWithTheFieldNamed() {
        String token = TestTokens.valid("control-characters-user");
        try (var client = ChatClient.ready(server.chat(), token)) {
            for (String escaped : List.of("a\\u0000b", "a\\ud800b", "a\\udc00", "abc\\u202edef", "\\u2066x\\u2069")) {
                JsonObject error = client.send("{\"type\":\"chat\",\"text\":\"" + escaped + "\"}").expectError("VALIDATION_FAILED");
                JsonObject problem = error.getJsonArray("problems").getJsonObject(0);
                assertEquals("text", problem.getString("field"));
                assertTrue(problem.getString("message").startsWith("text must not contain"), problem::toString);
            }
            client.send("{\"type\":\"ping\"}").expect("pong");
            assertFalse(client.isClosed());
        }
        assertEquals(0, server.getJson("api/threads", token).getJsonArray("items").size(), "nothing was stored");
    }

    /** One text frame over the limit: read whole, then refused with an error frame and 1009. */
    @Test
    void oversizedFrameIsRefusedWith1009() throws IOException {
        try (var client = new RawSocketClient(server.chat(), TestTokens.valid("big-frame-user"))) {
            assertTrue(nextOf(client, RawSocketClient.Frame.TEXT).text().contains("\"ready\""));
            client.send("{\"type\":\"chat\",\"text\":\"" + "x".repeat(70_000) + "\"}");
            String error = nextOf(client, RawSocketClient.Frame.TEXT).text();
            assertTrue(error.contains("\"code\":\"FRAME_TOO_LARGE\"") && error.contains("\"close_code\":1009"), error);
            assertEquals(1009, nextOf(client, RawSocketClient.Frame.CLOSE).closeCode());
        }
    }

    /**
     * The JDK client sends a long message as fragments: cut off by the WebSocket layer as soon as
     * the received part passes the limit, with close 1009 and no error frame.
     */
    @Test
    void oversizedMessageInFragmentsIsClosedWith1009() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("big-message-user"))) {
            client.chat("x".repeat(70_000));
            assertEquals(new ChatClient.Close(1009, "Too big."), client.awaitClose());
            assertTrue(client.drain().isEmpty(), "no frame before the close");
        }
    }

    /**
     * 48 MiB as continuation frames of 64 KiB: the server closes with 1009 as soon as the part
     * received passes the frame limit, not after the last fragment, and holds no more than that.
     * The heap is the server's used heap (garbage included) before and right after the close.
     */
    @Test
    void fragmentedMessageOverTheLimitIsRefusedWith1009WhileItIsArriving() throws Exception {
        int fragmentBytes = 64 * 1024;
        int fragments = 768;
        byte[] fragment = "x".repeat(fragmentBytes).getBytes(StandardCharsets.UTF_8);
        double heapBefore = server.baseMetric("memory_usedHeap_bytes");
        try (var client = new RawSocketClient(server.chat(), TestTokens.valid("fragmenting-user"))) {
            assertTrue(nextOf(client, RawSocketClient.Frame.TEXT).text().contains("\"ready\""));
            AtomicLong sent = new AtomicLong();
            CompletableFuture<long[]> closed = CompletableFuture.supplyAsync(() -> {
                RawSocketClient.Frame close = nextOf(client, RawSocketClient.Frame.CLOSE);
                return new long[] {close.closeCode(), sent.get()};
            });
            for (int i = 0; i < fragments && !closed.isDone(); i++) {
                try {
                    client.sendFragment(i == 0, i == fragments - 1, fragment);
                } catch (IOException closedByServer) {
                    break;
                }
                sent.addAndGet(fragmentBytes);
            }
            long[] close = closed.get(ChatClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            double heapAfter = server.baseMetric("memory_usedHeap_bytes");
            System.out.printf("fragmented 48 MiB message: close %d after %d KiB sent, %d KiB sent in all;"
                            + " server used heap %.1f MB before, %.1f MB after%n",
                    close[0], close[1] / 1024, sent.get() / 1024, heapBefore / 1e6, heapAfter / 1e6);
            assertEquals(1009, close[0]);
            assertTrue(close[1] < 8L * 1024 * 1024, "the close came only after " + close[1] + " bytes");
            assertTrue(heapAfter - heapBefore < 24e6, "the server's used heap grew by " + (heapAfter - heapBefore) + " bytes");
        }
    }

    private static RawSocketClient.Frame nextOf(RawSocketClient client, int opcode) {
        try {
            while (true) {
                RawSocketClient.Frame frame = client.readFrame(ChatClient.WAIT);
                if (frame.opcode() == opcode) {
                    return frame;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void largeFrameUnderTheLimitIsAccepted() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("near-limit-user"))) {
            client.chat("y".repeat(15_000));
            client.expect("ack");
            assertEquals("agent_started", client.next().getString("type"));
        }
    }

    @Test
    void binaryFrameIsRefusedWith1003() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("binary-user"))) {
            client.sendBinary(new byte[] {1, 2, 3});
            assertEquals(1003, client.expectError("UNSUPPORTED_DATA").getInt("close_code"));
            assertEquals(1003, client.awaitClose().code());
        }
    }

    @Test
    void framesSentBeforeReadyAreHeldAndAnsweredInOrder() {
        try (var client = ChatClient.withHeader(server.chat(), TestTokens.valid("eager-user"))) {
            client.send("{\"type\":\"ping\"}").chat("what is 1+1?").send("{\"type\":\"ping\"}");
            assertEquals("ready", client.next().getString("type"));
            assertEquals("pong", client.next().getString("type"));
            int pongs = 0;
            JsonObject completed = null;
            while (pongs < 1 || completed == null) {
                JsonObject frame = client.next();
                if (frame.getString("type").equals("pong")) {
                    pongs++;
                } else if (frame.getString("type").equals("agent_completed")) {
                    completed = frame;
                }
            }
            assertTrue(completed.getString("text").contains("= 2"));
        }
    }

    @Test
    void bugInAHandlerIsAnInternalErrorWithCorrelationIdCountedAndClosedWith1011() {
        double before = server.metric("agentwire_internal_errors_total", null);
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("unlucky-user"))) {
            client.chat(FaultyChatHandler.TRIGGER);
            JsonObject error = client.expectError("INTERNAL_ERROR");
            assertEquals(1011, error.getInt("close_code"));
            assertFalse(error.getString("message").contains("Exception"), "no exception text in frames");
            assertFalse(error.getString("correlation_id").isBlank());
            assertEquals(new ChatClient.Close(1011, "INTERNAL_ERROR"), client.awaitClose());
        }
        assertEquals(before + 1, server.metric("agentwire_internal_errors_total", null));
    }

    @Test
    void failingAgentEndsTheRunWithAgentErrorAndTheSessionGoesOn() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("agent-failure-user"))) {
            client.chat(FaultyAgent.TRIGGER);
            List<JsonObject> run = client.run();
            JsonObject error = run.get(run.size() - 1);
            assertEquals("agent_error", error.getString("type"));
            assertEquals("AGENT_FAILED", error.getString("code"));
            assertTrue(error.getBoolean("retryable"));
            assertEquals(run.get(0).getString("run_id"), error.getString("run_id"));

            client.send("{\"type\":\"ping\"}").expect("pong");
            assertFalse(client.isClosed());
        }
    }
}
