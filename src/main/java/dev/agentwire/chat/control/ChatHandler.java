package dev.agentwire.chat.control;

import dev.agentwire.kernel.Ids;
import dev.agentwire.agents.control.AgentRuns;
import dev.agentwire.chat.boundary.ErrorsAsFrames;
import dev.agentwire.connections.control.Connection;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ClientFrame;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.auth.control.HandshakeAuthenticator;
import dev.agentwire.auth.entity.VerifiedToken;
import dev.agentwire.connections.control.ConnectionHub;
import dev.agentwire.threads.control.Conversations;
import dev.agentwire.threads.control.Replays;
import dev.agentwire.threads.control.StorageFailures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What a user asks of their threads and session. A chat message is stored, acknowledged, then
 * answered by an agent run; in that order, so an acknowledged message is never lost, and a
 * repeated client_msg_id is acknowledged again and starts nothing. Also cancel, resume, refresh.
 * The connection comes with every call, and with it the user context it was authenticated with;
 * nothing here is request-scoped (see {@link FrameDispatcher}).
 */
@ApplicationScoped
@ErrorsAsFrames
public class ChatHandler {

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

    public void handle(Connection connection, ClientFrame.Chat chat) {
        UserContext user = userOf(connection);
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
            runs.start(slot, user.forRun(accepted.threadId(), Ids.newId()), chat.text(), accepted.messageId());
        } catch (RuntimeException e) {
            slot.release();
            throw e;
        }
    }

    public void cancel(Connection connection, ClientFrame.Cancel cancel) {
        runs.cancel(userOf(connection), cancel.runId());
    }

    public void resume(Connection connection, ClientFrame.Resume resume) {
        replays.resume(connection, userOf(connection), resume.threadId(), resume.afterSeq());
    }

    public void refresh(Connection connection, ClientFrame.Refresh refresh) {
        VerifiedToken token = authenticator.refresh(refresh.token(), userOf(connection).owner());
        hub.extend(connection, token.expiresAt());
        connection.send(new ServerFrame.Refreshed(token.expiresAt()));
    }

    private static UserContext userOf(Connection connection) {
        return connection.context().orElseThrow(() -> new IllegalStateException("frame handled before authentication"));
    }
}
