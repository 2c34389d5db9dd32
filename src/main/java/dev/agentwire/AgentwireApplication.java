package dev.agentwire;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;

/**
 * The REST API lives under /api, described at /openapi; the chat WebSocket is at /ws/chat. Jersey's
 * generated WADL (application.wadl, and the body of an OPTIONS answer) is off: it would describe
 * the API to anyone without a token, which /openapi does on purpose and in one place.
 */
@ApplicationScoped
@ApplicationPath("api")
public class AgentwireApplication extends Application {

    @Override
    public Map<String, Object> getProperties() {
        return Map.of("jersey.config.server.wadl.disableWadl", true);
    }
}
