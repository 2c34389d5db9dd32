package dev.agentwire.bench.baseline;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Flow;

/**
 * The floor of the streaming benchmark: the least a Payara Micro endpoint does to relay a model's
 * stream to a WebSocket. A frame that starts with {@code {"type":"chat"} gets the same sequence of
 * frames agentwire sends for a chat with its OpenAI-compatible backend: {@code ack},
 * {@code agent_started}, {@code agent_thinking}, then one {@code agent_message_delta} per streamed
 * token ({@code {"type":"agent_message_delta","text":...}}) and {@code agent_completed} at
 * {@code data: [DONE]}; a failed stream gets {@code agent_error}. The stream comes from the same
 * model server as agentwire's ({@code -Dbench.model.url}, the API root), read the way agentwire's
 * ModelClient reads it: the JDK HttpClient, a line subscriber, every {@code data:} line parsed with
 * JSON-P. No authentication, no storage, no ordering, no outbox: the frames are sent with the
 * basic remote on the HTTP client's thread as the lines arrive (one stream per connection at a
 * time, so sends to one session never overlap). Default platform settings, like the echo endpoint.
 */
@ServerEndpoint("/ws/stream")
public class StreamRelayEndpoint {

    private static final String CHAT = "{\"type\":\"chat\"";

    /**
     * One client for the whole WAR, as an application would hold one; a static holder because this
     * floor uses no container service (no CDI bean) that agentwire's cost could be compared without.
     */
    private static final class Model {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        static final URI ENDPOINT = URI.create(System.getProperty("bench.model.url", "http://127.0.0.1:11434/v1")
                .replaceAll("/+$", "") + "/chat/completions");
    }

    @OnMessage
    public void chat(Session session, String text) throws IOException {
        if (!text.startsWith(CHAT)) {
            session.getBasicRemote().sendText(text);
            return;
        }
        var remote = session.getBasicRemote();
        remote.sendText("{\"type\":\"ack\"}");
        remote.sendText("{\"type\":\"agent_started\"}");
        remote.sendText("{\"type\":\"agent_thinking\"}");
        HttpRequest post = HttpRequest.newBuilder(Model.ENDPOINT)
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"bench\",\"stream\":true,\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"what is 12*(3+4)?\"}]}"))
                .build();
        Model.CLIENT.sendAsync(post, HttpResponse.BodyHandlers.fromLineSubscriber(new Relay(session)))
                .whenComplete((response, failure) -> {
                    if (failure != null || response.statusCode() != 200) {
                        send(session, "{\"type\":\"agent_error\"}");
                    }
                });
    }

    /** Sends each token of the stream as it arrives, and agent_completed at [DONE]. */
    private static final class Relay implements Flow.Subscriber<String> {
        private final Session session;
        private final StringBuilder answer = new StringBuilder();

        Relay(Session session) {
            this.session = session;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (!line.startsWith("data:")) {
                return;
            }
            String data = line.substring(5).strip();
            if (data.equals("[DONE]")) {
                send(session, Json.createObjectBuilder().add("type", "agent_completed").add("text", answer.toString())
                        .build().toString());
                return;
            }
            try {
                JsonObject chunk = Json.createReader(new StringReader(data)).readObject();
                JsonObject delta = chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
                if (delta != null && delta.get("content") instanceof JsonString content && !content.getString().isEmpty()) {
                    answer.append(content.getString());
                    send(session, Json.createObjectBuilder().add("type", "agent_message_delta")
                            .add("text", content.getString()).build().toString());
                }
            } catch (JsonException | ClassCastException | IndexOutOfBoundsException | NullPointerException skipped) {
                // a malformed chunk is skipped, as agentwire does
            }
        }

        @Override
        public void onError(Throwable error) {
            // answered agent_error by sendAsync's completion
        }

        @Override
        public void onComplete() {
        }
    }

    static void send(Session session, String frame) {
        try {
            if (session.isOpen()) {
                session.getBasicRemote().sendText(frame);
            }
        } catch (IOException | IllegalStateException closed) {
            // the client went away; nothing to relay to
        }
    }
}
