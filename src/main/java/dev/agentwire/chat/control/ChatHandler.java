package dev.agentwire.chat.control;

import dev.agentwire.agents.control.AgentRuns;
import dev.agentwire.chat.boundary.ErrorsAsFrames;
import dev.agentwire.connections.control.Connection;
import dev.agentwire.connections.entity.UserContext;
import dev.agentwire.protocol.ClientFrame;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.auth.control.HandshakeAuthenticator;
import dev.agentwire.auth.entity.VerifiedToken;
import dev.agentwire.connections.control.ConnectionHub;
import dev.agentwire.threads.control.Conversations;
import dev.agentwire.threads.control.Replays;
import dev.agentwire.threads.control.StorageFailures;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/**
 * What a user asks of their threads and session. A chat message is stored, acknowledged, then
 * answered by an agent run; in that order, so an acknowledged message is never lost, and a
 * repeated client_msg_id is acknowledged again and starts nothing. Also cancel, resume, refresh.
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

    @Inject
    Replays replays;

    @Inject
    HandshakeAuthenticator authenticator;

    @Inject
    ConnectionHub hub;

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

    public void resume(ClientFrame.Resume resume) {
        replays.resume(connection, user, resume.threadId(), resume.afterSeq());
    }

    public void refresh(ClientFrame.Refresh refresh) {
        VerifiedToken token = authenticator.refresh(refresh.token(), user.userId());
        hub.extend(connection, token.expiresAt());
        connection.send(new ServerFrame.Refreshed(token.expiresAt()));
    }
}
