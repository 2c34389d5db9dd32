package dev.agentwire.chat.control;

import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exceptions thrown by the annotated methods become error frames, and closes where needed. Bound
 * at the two ways into the WebSocket's logic, once each: the session's events
 * ({@link ChatSessions}) and each received frame ({@link FrameDispatcher#handle}), so that a frame
 * handled while the session opens fails alone.
 */
@Inherited
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface ErrorsAsFrames {
}
