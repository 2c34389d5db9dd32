package dev.agentwire.bench.baseline;

import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;

/**
 * The benchmark baseline: the bare floor of a WebSocket on Payara Micro. It accepts any connection
 * (no authentication, no state) and echoes every text frame. A frame that starts with
 * {@code {"type":"chat"} is answered like an agentwire chat: five frames, the first four the echo
 * and the fifth the echo prefixed with {@code agent_completed }, so that one client scenario fits
 * agentwire, this endpoint and the Node.js reference. Packaged by the harness into baseline.war;
 * never part of the product.
 */
@ServerEndpoint("/ws/echo")
public class EchoEndpoint {

    private static final String CHAT = "{\"type\":\"chat\"";

    @OnMessage
    public void echo(Session session, String text) throws IOException {
        var remote = session.getBasicRemote();
        if (text.startsWith(CHAT)) {
            for (int i = 0; i < 4; i++) {
                remote.sendText(text);
            }
            remote.sendText("agent_completed " + text);
        } else {
            remote.sendText(text);
        }
    }
}
