package dev.agentwire.chat.control;

import dev.agentwire.agents.control.AgentRuns;
import dev.agentwire.chat.boundary.ErrorsAsFrames;
import dev.agentwire.connections.control.Connection;
import dev.agentwire.connections.entity.UserContext;
import dev.agentwire.protocol.ClientFrame;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.threads.control.Conversations;
import dev.agentwire.threads.control.StorageFailures;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/**
 * A chat message is stored, acknowledged, then answered by an agent run; in that order, so an
 * acknowledged message is never lost. A repeated client_msg_id is acknowledged again and
 * starts nothing.
 */
@RequestScoped
@ErrorsAsFrames
public class ChatHandler {

    @Inject
    UserContext user;

    @Inject
    Connection connection;

    @Inject
    Conversations conversations;

    @Inject
    AgentRuns runs;

    public void handle(ClientFrame.Chat chat) {
        AgentRuns.Slot slot = runs.reserve(user);
        try {
            Conversations.Accepted accepted = StorageFailures.translate(
                    () -> conversations.accept(user, chat.threadId(), chat.clientMsgId(), chat.text()));
            connection.follow(accepted.threadId());
            connection.send(new ServerFrame.Ack(chat.clientMsgId(), accepted.messageId(), accepted.threadId(), accepted.duplicate()));
            if (accepted.duplicate()) {
                slot.release();
                return;
            }
            runs.start(slot, user.forRun(accepted.threadId(), UserContext.newId()), chat.text(), accepted.messageId());
        } catch (RuntimeException e) {
            slot.release();
            throw e;
        }
    }

    public void cancel(ClientFrame.Cancel cancel) {
        runs.cancel(user, cancel.runId());
    }
}
