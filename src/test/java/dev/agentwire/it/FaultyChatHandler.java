package dev.agentwire.it;

import dev.agentwire.chat.control.ChatHandler;
import dev.agentwire.connections.control.Connection;
import dev.agentwire.protocol.ClientFrame;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.interceptor.Interceptor;

/** Test-only: a chat handler with a bug that one particular message triggers. */
@Alternative
@Priority(Interceptor.Priority.APPLICATION + 100)
@ApplicationScoped
public class FaultyChatHandler extends ChatHandler {

    public static final String TRIGGER = "please trip over the test bug";

    @Override
    public void handle(Connection connection, ClientFrame.Chat chat) {
        if (TRIGGER.equals(chat.text())) {
            throw new IllegalStateException("test bug: java.lang.IllegalStateException at FaultyChatHandler");
        }
        super.handle(connection, chat);
    }
}
