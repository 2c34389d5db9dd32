package dev.agentwire.chat.control;

import dev.agentwire.agents.control.ApprovalRuns;
import dev.agentwire.agents.control.ChatRuns;
import dev.agentwire.approvals.entity.Decision;
import dev.agentwire.agents.control.RunningRuns;
import dev.agentwire.auth.control.HandshakeAuthenticator;
import dev.agentwire.auth.entity.VerifiedToken;
import dev.agentwire.connections.control.Connection;
import dev.agentwire.connections.control.ConnectionHub;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ClientFrame;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.streams.control.ThreadStreams;
import dev.agentwire.threads.control.Conversations;
import dev.agentwire.threads.control.StorageFailures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * What a user asks of their threads and session. A chat message is stored with its run,
 * acknowledged, then answered by that run, through {@link ChatRuns} (the path AG-UI's requests
 * take too); a repeated client_msg_id is acknowledged again and starts nothing. Also the answers
 * to interrupts (approve, reject, through {@link ApprovalRuns}), cancel, resume, refresh. The connection comes with every call, and with it
 * the user context it was authenticated with (see docs/platform-notes.md on why not a CDI scope).
 * Called by {@link FrameDispatcher#handle} only, whose {@link ErrorsAsFrames} turns what is thrown
 * here into error frames.
 */
@ApplicationScoped
public class ChatHandler {

    @Inject
    Conversations conversations;

    @Inject
    ChatRuns chats;

    @Inject
    RunningRuns running;

    @Inject
    ApprovalRuns approvals;

    @Inject
    ThreadStreams streams;

    @Inject
    HandshakeAuthenticator authenticator;

    @Inject
    ConnectionHub hub;

    public void handle(Connection connection, ClientFrame.Chat chat) {
        var message = new Conversations.NewMessage(chat.threadId(), chat.clientMsgId(), null, chat.text(), null);
        chats.start(userOf(connection), new ChatRuns.Chat(message, List.of()), accepted -> {
            streams.follow(connection, accepted.threadId());
            connection.send(new ServerFrame.Ack(chat.clientMsgId(), accepted.messageId(), accepted.threadId(),
                    accepted.runId(), accepted.duplicate()));
        });
    }

    public void approve(Connection connection, ClientFrame.Approve approve) {
        answer(connection, new ApprovalRuns.Answer(approve.interruptId(), Decision.APPROVED, approve.arguments(), null, null,
                "arguments"));
    }

    public void reject(Connection connection, ClientFrame.Reject reject) {
        answer(connection, new ApprovalRuns.Answer(reject.interruptId(), Decision.REJECTED, null, reject.reason(), null, "reason"));
    }

    /** Stores the answer, follows its thread, acknowledges it with answered; the continuing run's events follow. */
    private void answer(Connection connection, ApprovalRuns.Answer answer) {
        approvals.answer(userOf(connection), answer, answered -> {
            streams.follow(connection, answered.approval().threadId());
            connection.send(new ServerFrame.Answered(answered.approval().id(), answered.approval().threadId(),
                    answered.approval().decision().wire(), answered.approval().answerRunId(), answered.duplicate()));
        });
    }

    public void cancel(Connection connection, ClientFrame.Cancel cancel) {
        running.cancel(userOf(connection).owner(), cancel.runId());
    }

    public void resume(Connection connection, ClientFrame.Resume resume) {
        UserContext user = userOf(connection);
        StorageFailures.translate(() -> conversations.owned(user.owner(), resume.threadId()))
                .orElseThrow(() -> new GatewayException(ErrorCode.THREAD_NOT_FOUND));
        streams.resume(connection, resume.threadId(), resume.afterSeq());
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
