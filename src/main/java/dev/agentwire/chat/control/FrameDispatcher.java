package dev.agentwire.chat.control;

import dev.agentwire.connections.control.Connection;
import dev.agentwire.protocol.ClientFrame;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.ServerFrame;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import java.util.Set;

/**
 * Decodes, validates and routes one client frame. The connection, and with it the one user
 * context of the session, is passed along explicitly, not through a CDI scope (docs/design.md).
 */
@ApplicationScoped
public class FrameDispatcher {

    @Inject
    FrameCodec codec;

    @Inject
    Validator validator;

    @Inject
    ChatHandler chat;

    @ErrorsAsFrames
    public void handle(Connection connection, String text) {
        ClientFrame frame = codec.decode(text);
        Set<ConstraintViolation<ClientFrame>> violations = validator.validate(frame);
        if (!violations.isEmpty()) {
            throw new ConstraintViolationException(violations);
        }
        if (frame instanceof ClientFrame.Chat message) {
            chat.handle(connection, message);
        } else if (frame instanceof ClientFrame.Cancel cancel) {
            chat.cancel(connection, cancel);
        } else if (frame instanceof ClientFrame.Resume resume) {
            chat.resume(connection, resume);
        } else if (frame instanceof ClientFrame.Refresh refresh) {
            chat.refresh(connection, refresh);
        } else if (frame instanceof ClientFrame.Approve approve) {
            chat.approve(connection, approve);
        } else if (frame instanceof ClientFrame.Reject reject) {
            chat.reject(connection, reject);
        } else if (frame instanceof ClientFrame.Ping) {
            connection.send(new ServerFrame.Pong());
        }
    }
}
