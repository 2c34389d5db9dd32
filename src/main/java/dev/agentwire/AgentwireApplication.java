package dev.agentwire;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The REST API lives under /api, described at /openapi; the chat WebSocket is at /ws/chat. */
@ApplicationScoped
@ApplicationPath("api")
public class AgentwireApplication extends Application {
}
