package dev.agentwire.chat.control;

import dev.agentwire.agents.control.AgentRuns;
import dev.agentwire.chat.boundary.ErrorsAsFrames;
import dev.agentwire.connections.control.Connection;
import dev.agentwire.connections.entity.UserContext;
import dev.agentwire.protocol.ClientFrame;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** A chat message starts an agent run in its thread, or in a new thread when it names none. */
@RequestScoped
@ErrorsAsFrames
public class ChatHandler {

    @Inject
    UserContext user;

    @Inject
    Connection connection;

    @Inject
    AgentRuns runs;

    public void handle(ClientFrame.Chat chat) {
        String threadId = chat.threadId() != null ? chat.threadId() : UserContext.newId();
        connection.follow(threadId);
        runs.start(user.forRun(threadId, UserContext.newId()), chat.text());
    }
}
