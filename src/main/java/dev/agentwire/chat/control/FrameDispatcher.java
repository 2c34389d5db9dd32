package dev.agentwire.chat.control;

import dev.agentwire.chat.boundary.ErrorsAsFrames;
import dev.agentwire.connections.control.Connection;
import dev.agentwire.protocol.ClientFrame;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.ServerFrame;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import java.util.Set;

/** Decodes, validates and routes one client frame. Each frame is its own request scope. */
@ApplicationScoped
public class FrameDispatcher {

    @Inject
    FrameCodec codec;

    @Inject
    Validator validator;

    @Inject
    FrameScope frameScope;

    @Inject
    ChatHandler chat;

    @ActivateRequestContext
    @ErrorsAsFrames
    public void handle(Connection connection, String text) {
        frameScope.enter(connection);
        ClientFrame frame = codec.decode(text);
        Set<ConstraintViolation<ClientFrame>> violations = validator.validate(frame);
        if (!violations.isEmpty()) {
            throw new ConstraintViolationException(violations);
        }
        if (frame instanceof ClientFrame.Chat message) {
            chat.handle(message);
        } else if (frame instanceof ClientFrame.Cancel cancel) {
            chat.cancel(cancel);
        } else if (frame instanceof ClientFrame.Resume resume) {
            chat.resume(resume);
        } else if (frame instanceof ClientFrame.Refresh refresh) {
            chat.refresh(refresh);
        } else if (frame instanceof ClientFrame.Ping) {
            connection.send(new ServerFrame.Pong());
        }
    }
}
