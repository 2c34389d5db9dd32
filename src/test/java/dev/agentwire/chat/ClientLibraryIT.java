package dev.agentwire.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.agentwire.it.Chromium;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;

/**
 * The browser client library (src/main/webapp/js/agentwire.js) in a real Chromium, against a
 * scripted WebSocket: the test replaces the page's {@code WebSocket} with a fake whose frames and
 * closes it chooses, so that the rules the real server rarely shows on cue are checked exactly:
 * which closes are retried and with what backoff, what is sent after a reconnect, which events
 * reach the application, when the token is refreshed. The module is served as it is in the WAR,
 * from a small HTTP server of the test (ChatPageIT runs it against agentwire itself).
 */
class ClientLibraryIT {

    /** The fake socket and helpers every scenario starts with; {@code sockets} lists every socket the library made. */
    static final String HARNESS = """
            const sockets = [];
            class FakeSocket {
                static OPEN = 1;
                constructor(url, protocols) {
                    this.url = url; this.protocols = protocols; this.readyState = 0; this.sent = [];
                    sockets.push(this);
                    setTimeout(() => { this.readyState = 1; }, 0);
                }
                send(text) { this.sent.push(JSON.parse(text)); }
                close() { this.readyState = 3; }
                deliver(frame) { this.onmessage({ data: JSON.stringify(frame) }); }
                drop(code, reason = '') { this.readyState = 3; this.onclose({ code, reason }); }
            }
            window.WebSocket = FakeSocket;
            const until = async (what, condition, ms = 5000) => {
                const end = Date.now() + ms;
                while (!condition()) {
                    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
                    await new Promise((r) => setTimeout(r, 5));
                }
            };
            const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
            const ready = (socket, lifeMs = 3600000) =>
                socket.deliver({ type: 'ready', user_id: 'u', expires_at: new Date(Date.now() + lifeMs).toISOString() });
            const opened = (n) => until('socket ' + n, () => sockets.length === n && sockets[n - 1].readyState === 1).then(() => sockets[n - 1]);
            const lib = await import('/js/agentwire.js');
            """;

    static HttpServer http;
    static Chromium browser;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(Chromium.installed(), "Chromium is not installed: apt-get install chromium chromium-driver");
        Path js = Path.of(System.getProperty("agentwire.basedir", "."), "src/main/webapp/js");
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            String type;
            if (path.startsWith("/js/") && Files.isRegularFile(js.resolve(path.substring(4)))) {
                body = Files.readAllBytes(js.resolve(path.substring(4)));
                type = "text/javascript";
            } else {
                body = "<!doctype html><title>client library</title>".getBytes(StandardCharsets.UTF_8);
                type = "text/html";
            }
            exchange.getResponseHeaders().add("Content-Type", type + "; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        browser = Chromium.start(800, 600);
        browser.open("http://127.0.0.1:" + http.getAddress().getPort() + "/");
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (http != null) {
            http.stop(0);
        }
    }

    @Test
    void afterADropItResumesFromTheLastSeqResendsTheUnacknowledgedChatAndShowsEachEventOnce() {
        JsonObject result = run("""
                let issued = 0;
                const client = new lib.AgentwireClient({ token: () => 'token-' + (++issued), minDelayMs: 20, ackTimeoutMs: 60000 });
                const seen = [], states = [];
                client.addEventListener('runevent', (e) => seen.push(e.detail.seq));
                client.addEventListener('statechange', (e) => states.push(e.detail.state));
                const connected = client.connect();
                const first = await opened(1);
                ready(first);
                await connected;
                const acked = client.chat('hello');
                const chat = first.sent.find((f) => f.type === 'chat');
                const event = (seq) => ({ type: 'agent_thinking', run_id: 'r', thread_id: chat.thread_id, seq, timestamp: 't', text: 'x' });
                first.deliver(event(1));
                first.deliver(event(2));
                first.drop(1006);
                const second = await opened(2);
                ready(second);
                const resume = second.sent.find((f) => f.type === 'resume');
                const again = second.sent.find((f) => f.type === 'chat');
                second.deliver(event(2)); // already seen
                second.deliver(event(3));
                second.deliver({ type: 'resumed', thread_id: chat.thread_id, last_seq: 3, replayed: 1 });
                second.deliver({ type: 'ack', client_msg_id: chat.client_msg_id, message_id: 1, thread_id: chat.thread_id, run_id: 'r', duplicate: false });
                const ack = await acked;
                client.close();
                return { protocols: [first.protocols, second.protocols], seen, states, resume,
                         resentSame: again.client_msg_id === chat.client_msg_id && again.thread_id === chat.thread_id && again.text === 'hello',
                         resumeFirst: second.sent.indexOf(resume) < second.sent.indexOf(again), ackRun: ack.run_id };
                """);
        assertEquals("[[\"bearer\",\"token-1\"],[\"bearer\",\"token-2\"]]", result.get("protocols").toString());
        assertEquals("[1,2,3]", result.get("seen").toString());
        assertEquals("[\"connecting\",\"live\",\"reconnecting\",\"resumed\",\"closed\"]", result.get("states").toString());
        assertEquals("resume", result.getJsonObject("resume").getString("type"));
        assertEquals(2, result.getJsonObject("resume").getInt("after_seq"));
        assertTrue(result.getBoolean("resentSame"), result.toString());
        assertTrue(result.getBoolean("resumeFirst"), result.toString());
        assertEquals("r", result.getString("ackRun"));
    }

    @Test
    void backoffHasFullJitterAndAShutdownStartsWithAWideWindow() {
        JsonObject result = run("""
                const client = new lib.AgentwireClient({ token: () => 't', minDelayMs: 100, maxDelayMs: 100000, random: () => 0.999 });
                const waits = [];
                client.addEventListener('statechange', (e) => e.detail.state === 'reconnecting' && waits.push(e.detail.retryInMs));
                client.connect();
                ready(await opened(1));
                sockets[0].drop(1006);           // a network drop: window 100 ms
                (await opened(2)).drop(1006);    // failed again before ready: 200 ms
                ready(await opened(3));          // ready resets the backoff
                sockets[2].deliver({ type: 'error', code: 'SERVER_SHUTDOWN', message: 'm', retryable: true, close_code: 1001 });
                sockets[2].drop(1001, 'SERVER_SHUTDOWN'); // every client at once: 8 times the minimum
                client.close();
                const zero = new lib.AgentwireClient({ token: () => 't', minDelayMs: 100, random: () => 0 });
                const zeroWaits = [];
                zero.addEventListener('statechange', (e) => e.detail.state === 'reconnecting' && zeroWaits.push(e.detail.retryInMs));
                zero.connect();
                ready(await opened(4));
                sockets[3].drop(4408, 'IDLE_TIMEOUT');
                zero.close();
                return { waits, zeroWaits };
                """);
        assertEquals("[99,199,799]", result.get("waits").toString());
        assertEquals("[0]", result.get("zeroWaits").toString());
    }

    @Test
    void closesThatARetryWouldNotChangeEndTheClient() {
        JsonObject result = run("""
                const client = new lib.AgentwireClient({ token: () => 't', minDelayMs: 10 });
                let closed = null;
                client.addEventListener('statechange', (e) => { if (e.detail.state === 'closed') closed = e.detail; });
                client.connect();
                const socket = await opened(1);
                socket.deliver({ type: 'error', code: 'AUTH_EXPIRED', message: 'The token expired.', retryable: false, close_code: 4401 });
                socket.drop(4401, 'AUTH_EXPIRED');
                await sleep(100);
                return { sockets: sockets.length, code: closed.error.code, closeCode: closed.closeCode,
                         retried: [[1001, ''], [1006, ''], [1008, 'SLOW_CONSUMER'], [1013, ''], [4408, ''], [4429, '']].map(([c, r]) => lib.isRetryable(c, r)),
                         notRetried: [[1000, ''], [1003, ''], [1008, 'TOO_MANY_INVALID_FRAMES'], [1009, ''], [4401, ''], [4403, '']].map(([c, r]) => lib.isRetryable(c, r)) };
                """);
        assertEquals(1, result.getInt("sockets"), "no second connection");
        assertEquals("AUTH_EXPIRED", result.getString("code"));
        assertEquals(4401, result.getInt("closeCode"));
        assertEquals("[true,true,true,true,true,true]", result.get("retried").toString());
        assertEquals("[false,false,false,false,false,false]", result.get("notRetried").toString());
    }

    @Test
    void theTokenIsRefreshedBeforeExpiresAtAndAChatWithoutAckIsSentAgain() {
        JsonObject result = run("""
                let issued = 0;
                const client = new lib.AgentwireClient({ token: () => 'token-' + (++issued), ackTimeoutMs: 200 });
                client.connect();
                const socket = await opened(1);
                const readyAt = Date.now();
                ready(socket, 2000);             // 2 s left: refresh when a quarter is left
                await until('refresh', () => socket.sent.some((f) => f.type === 'refresh'));
                const refreshedAfter = Date.now() - readyAt;
                const refresh = socket.sent.find((f) => f.type === 'refresh');
                socket.deliver({ type: 'refreshed', expires_at: new Date(Date.now() + 3600000).toISOString() });
                client.chat('hi', { threadId: 'thread-0001' });
                await until('a second send', () => socket.sent.filter((f) => f.type === 'chat').length === 2);
                const chats = socket.sent.filter((f) => f.type === 'chat');
                client.close();
                return { refreshedAfter, token: refresh.token, sameId: chats[0].client_msg_id === chats[1].client_msg_id,
                         refreshes: socket.sent.filter((f) => f.type === 'refresh').length };
                """);
        int after = result.getInt("refreshedAfter");
        assertTrue(after >= 1400 && after < 1900, "refreshed after " + after + " ms of 2000");
        assertEquals("token-2", result.getString("token"));
        assertTrue(result.getBoolean("sameId"));
        assertEquals(1, result.getInt("refreshes"), "the next refresh waits for the new expiry");
    }

    @Test
    void approvalsArriveOnceInOrderAndAnAnswerIsSentUntilItIsAcknowledged() {
        JsonObject result = run("""
                const client = new lib.AgentwireClient({ token: () => 't', minDelayMs: 20, ackTimeoutMs: 60000 });
                const approvals = [], runEvents = [], answeredFrames = [];
                client.addEventListener('approval', (e) => approvals.push(e.detail.type + ' ' + e.detail.seq));
                client.addEventListener('runevent', (e) => runEvents.push(e.detail.type));
                client.addEventListener('answered', (e) => answeredFrames.push(e.detail.interrupt_id));
                client.connect();
                const first = await opened(1);
                ready(first);
                client.follow('thread-0001', 0);
                const event = (seq, type, more) => ({ type, run_id: 'r1', thread_id: 'thread-0001', seq, timestamp: 't', ...more });
                const asked = event(3, 'approval_requested', { interrupt_id: 'i1', tool_call_id: 'c1', tool: 'save_note',
                        arguments: { text: 'x' }, editable: true, expires_at: new Date(Date.now() + 60000).toISOString() });
                first.deliver(event(1, 'agent_started', {}));
                first.deliver(event(2, 'agent_thinking', { text: 'x' }));
                first.deliver(asked);
                first.deliver(event(4, 'agent_completed', { status: 'awaiting_approval' }));
                first.deliver({ type: 'resumed', thread_id: 'thread-0001', last_seq: 4, replayed: 4 });

                // approved with edited arguments; the connection drops before the answer is acknowledged
                const approved = client.approve('thread-0001', 'i1', { editedArgs: { text: 'y' } });
                const again = client.approve('thread-0001', 'i1', { editedArgs: { text: 'y' } });
                const other = await client.reject('thread-0001', 'i1').then(() => 'resolved', (e) => e.code);
                const sentFirst = first.sent.filter((f) => f.type === 'approve');
                first.drop(1006);
                const second = await opened(2);
                ready(second);
                const sentAgain = second.sent.filter((f) => f.type === 'approve');
                second.deliver(asked); // the replay of an event seen: nothing dispatched
                second.deliver({ type: 'resumed', thread_id: 'thread-0001', last_seq: 4, replayed: 0 });
                second.deliver({ type: 'answered', interrupt_id: 'i1', thread_id: 'thread-0001', decision: 'approved', run_id: 'r2', duplicate: true });
                const answer = await approved;
                const sameAnswer = (await again) === answer;
                second.deliver({ ...event(5, 'agent_started', {}), run_id: 'r2' });
                second.deliver({ ...event(6, 'approval_resolved', { interrupt_id: 'i1', decision: 'approved', arguments: { text: 'y' }, edited: true }), run_id: 'r2' });

                // two answers in flight; the server refuses the second: a refusal names no interrupt, it is the oldest unanswered one's
                const late = client.reject('thread-0001', 'i2', { reason: 'not now' });
                const unknown = client.approve('thread-0001', 'i3');
                second.deliver({ type: 'answered', interrupt_id: 'i2', thread_id: 'thread-0001', decision: 'rejected', run_id: 'r3', duplicate: false });
                second.deliver({ type: 'error', code: 'INTERRUPT_NOT_FOUND', message: 'm', retryable: false });
                const lateAnswer = await late;
                const refusal = await unknown.then(() => null, (e) => e.code);
                const rejectFrame = second.sent.find((f) => f.type === 'reject');
                const notAnObject = await client.approve('thread-0001', 'i4', { editedArgs: ['x'] }).then(() => null, (e) => e.code);
                const sentForI4 = second.sent.filter((f) => f.interrupt_id === 'i4').length;
                client.close();
                return { approvals, runEvents, answeredFrames, sentFirst, sentAgain, other, sameAnswer, answer,
                         lateDecision: lateAnswer.decision, refusal, rejectFrame, notAnObject, sentForI4 };
                """);
        assertEquals("[\"approval_requested 3\",\"approval_resolved 6\"]", result.get("approvals").toString());
        assertEquals("[\"agent_started\",\"agent_thinking\",\"approval_requested\",\"agent_completed\",\"agent_started\",\"approval_resolved\"]",
                result.get("runEvents").toString(), "every event once, the approvals among them");
        assertEquals("[{\"type\":\"approve\",\"interrupt_id\":\"i1\",\"arguments\":{\"text\":\"y\"}}]", result.get("sentFirst").toString(),
                "the same answer twice is one frame");
        assertEquals(result.get("sentFirst"), result.get("sentAgain"), "sent again after the reconnect, the same");
        assertEquals("ANSWER_IN_PROGRESS", result.getString("other"), "another answer while one is in flight is not sent");
        assertEquals("r2", result.getJsonObject("answer").getString("run_id"));
        assertTrue(result.getBoolean("sameAnswer"));
        assertEquals("rejected", result.getString("lateDecision"));
        assertEquals("INTERRUPT_NOT_FOUND", result.getString("refusal"));
        assertEquals("{\"type\":\"reject\",\"interrupt_id\":\"i2\",\"reason\":\"not now\"}", result.get("rejectFrame").toString());
        assertEquals("[\"i1\",\"i2\"]", result.get("answeredFrames").toString());
        assertEquals("VALIDATION_FAILED", result.getString("notAnObject"));
        assertEquals(0, result.getInt("sentForI4"), "edited arguments that are not an object are not sent");
    }

    @Test
    void aRefusalThatNamesItsRequestSettlesThatRequestAndNoOther() {
        JsonObject result = run("""
                const client = new lib.AgentwireClient({ token: () => 't', ackTimeoutMs: 60000 });
                const errors = [];
                client.addEventListener('error', (e) => errors.push(e.detail.code));
                client.connect();
                const socket = await opened(1);
                ready(socket);
                const settled = {};
                const watch = (name, promise) => promise.then((v) => { settled[name] = 'ack ' + v.run_id; }, (e) => { settled[name] = e.code; });
                watch('older', client.chat('first', { threadId: 'thread-older' }));
                watch('newer', client.chat('second', { threadId: 'thread-newer' }));
                watch('stored', client.chat('third', { threadId: 'thread-stored' }));
                const [older, newer, stored] = socket.sent.filter((f) => f.type === 'chat');
                // the newer chat is refused: not the oldest one in flight
                socket.deliver({ type: 'error', code: 'RATE_LIMITED', message: 'm', retryable: true, client_msg_id: newer.client_msg_id });
                await until('the newer chat settled', () => settled.newer !== undefined);
                // a storage failure of one chat sends that chat again, alone
                socket.deliver({ type: 'error', code: 'STORAGE_UNAVAILABLE', message: 'm', retryable: true, client_msg_id: stored.client_msg_id });
                await until('the stored chat sent again', () => socket.sent.filter((f) => f.client_msg_id === stored.client_msg_id).length === 2);
                socket.deliver({ type: 'ack', client_msg_id: stored.client_msg_id, message_id: 3, thread_id: 'thread-stored', run_id: 'r3', duplicate: false });
                // answers: the second one sent is refused, by its interrupt id
                watch('i1', client.approve('thread-older', 'i1'));
                watch('i2', client.reject('thread-older', 'i2'));
                socket.deliver({ type: 'error', code: 'INTERRUPT_EXPIRED', message: 'm', retryable: false, interrupt_id: 'i2' });
                socket.deliver({ type: 'answered', interrupt_id: 'i1', thread_id: 'thread-older', decision: 'approved', run_id: 'r4', duplicate: false });
                // a refusal of a request this client does not wait for is an error event
                socket.deliver({ type: 'error', code: 'APPROVAL_PENDING', message: 'm', retryable: false, client_msg_id: 'someone-else' });
                await until('settled', () => settled.stored && settled.i1 && settled.i2);
                const olderSends = socket.sent.filter((f) => f.client_msg_id === older.client_msg_id).length;
                const stillPending = settled.older === undefined;
                // the newer chat's thread was never started: a reconnect resumes only the others
                socket.drop(1006);
                const next = await opened(2);
                ready(next);
                const resumed = next.sent.filter((f) => f.type === 'resume').map((f) => f.thread_id).sort();
                client.close();
                return { settled, errors, olderSends, stillPending, resumed };
                """);
        JsonObject settled = result.getJsonObject("settled");
        assertEquals("RATE_LIMITED", settled.getString("newer"), "the refused chat is settled at once");
        assertEquals("ack r3", settled.getString("stored"));
        assertEquals("ack r4", settled.getString("i1"));
        assertEquals("INTERRUPT_EXPIRED", settled.getString("i2"));
        assertTrue(result.getBoolean("stillPending"), "the older chat still waits for its ack: " + result);
        assertEquals("CLOSED", settled.getString("older"), "closing rejects what is still pending");
        assertEquals(1, result.getInt("olderSends"), "nothing else was sent again");
        assertEquals("[\"APPROVAL_PENDING\"]", result.get("errors").toString(), "settled refusals go to their promise only");
        assertEquals("[\"thread-stored\"]", result.get("resumed").toString(), result.toString());
    }

    @Test
    void retryAsksAgainWhatAFailedRunWasAsked() {
        JsonObject result = run("""
                const client = new lib.AgentwireClient({ token: () => 't', ackTimeoutMs: 60000 });
                client.connect();
                const socket = await opened(1);
                ready(socket);
                const chats = () => socket.sent.filter((f) => f.type === 'chat');
                const first = client.chat('what is 2+2?', { threadId: 'thread-retry' });
                socket.deliver({ type: 'ack', client_msg_id: chats()[0].client_msg_id, message_id: 1, thread_id: 'thread-retry', run_id: 'r1', duplicate: false });
                await first;
                const again = client.retry('r1');
                const retried = chats()[1];
                socket.deliver({ type: 'ack', client_msg_id: retried.client_msg_id, message_id: 2, thread_id: 'thread-retry', run_id: 'r2', duplicate: false });
                const ack = await again;
                const unknown = await client.retry('r-from-history').then(() => null, (e) => e.code);
                client.retry('r-from-history', { text: 'from the history', threadId: 'thread-old' });
                const given = chats()[2];
                client.close();
                return { retried, newId: retried.client_msg_id !== chats()[0].client_msg_id, ackRun: ack.run_id, unknown, given,
                         sent: chats().length };
                """);
        JsonObject retried = result.getJsonObject("retried");
        assertEquals("what is 2+2?", retried.getString("text"));
        assertEquals("thread-retry", retried.getString("thread_id"));
        assertTrue(result.getBoolean("newId"), "a new message, not a resend of the first");
        assertEquals("r2", result.getString("ackRun"));
        assertEquals("RETRY_UNKNOWN", result.getString("unknown"));
        assertEquals("from the history", result.getJsonObject("given").getString("text"));
        assertEquals("thread-old", result.getJsonObject("given").getString("thread_id"));
        assertEquals(3, result.getInt("sent"));
    }

    /** Runs a scenario (the body of an async function after {@link #HARNESS}) in the page; its result as JSON. */
    private static JsonObject run(String scenario) {
        browser.driver().navigate().refresh(); // a fresh page: no sockets or clients of another scenario
        Object answer = ((JavascriptExecutor) browser.driver()).executeAsyncScript(
                "const done = arguments[arguments.length - 1];\n(async () => {\n" + HARNESS + scenario
                        + "\n})().then((r) => done(JSON.stringify(r)), (e) => done('FAILED ' + e.stack));");
        String text = String.valueOf(answer);
        if (text.startsWith("FAILED")) {
            throw new AssertionError(text);
        }
        return Json.createReader(new StringReader(text)).readObject();
    }
}
