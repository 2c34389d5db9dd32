package dev.agentwire.connections.control;

import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Keeps the application's class loader out of the context Tyrus' idle timer captures when a
 * frame is sent.
 *
 * <p>For every frame sent and received, and once as a session starts, Tyrus (2.1 in Payara 6)
 * reschedules the session's idle-timeout task on the default managed scheduled executor, and
 * Payara captures the thread context for that task with a {@code ServiceLoader} lookup through
 * the context class loader: a walk of every jar of the application and of the server's API
 * class loader. That task is the only thing that runs with the loader captured here, and it
 * does nothing: agentwire leaves Tyrus' idle timeout at 0 and closes idle sessions itself. With the
 * JDK's platform loader as context class loader the lookup is answered from the JDK's cache.
 * Measured in docs/benchmarks.md ("The per-message hot spot"). Frames received and the
 * session's start are out of reach: Tyrus reschedules before the endpoint sees them, and the
 * upgraded connection must keep the application's loader.
 *
 * <p>Every frame agentwire sends goes through here, so this is also the one place that knows
 * what Tyrus throws when the socket closes under a send.
 */
final class IdleTimerContext {

    private interface Call<E extends Exception> {
        void run() throws E;
    }

    private static final ClassLoader JDK_ONLY = ClassLoader.getPlatformClassLoader();

    private IdleTimerContext() {
    }

    /**
     * Sends a text frame; false when the socket closed before Tyrus took it (the handler is not
     * called then). The handler runs with the caller's context class loader, also when Tyrus
     * calls it inside {@code sendText} (a send refused at once), where it may close the session
     * and so run the endpoint's close.
     */
    static boolean sendText(Session session, String text, SendHandler handler) {
        ClassLoader caller = Thread.currentThread().getContextClassLoader();
        try {
            withLoader(JDK_ONLY, () -> session.getAsyncRemote().sendText(text,
                    result -> withLoader(caller, () -> handler.onResult(result))));
            return true;
        } catch (RuntimeException e) {
            if (closedMeanwhile(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Pings the peer; a socket that closed meanwhile is not pinged, and the sweep frees it. */
    static void sendPing(Session session) {
        try {
            withLoader(JDK_ONLY, () -> session.getAsyncRemote().sendPing(ByteBuffer.allocate(0)));
        } catch (IOException e) {
            // the socket is going away
        } catch (RuntimeException e) {
            if (!closedMeanwhile(e)) {
                throw e;
            }
        }
    }

    /**
     * What Tyrus throws for a socket that closed after {@code Session.isOpen()} said it was open:
     * IllegalStateException from the session, a bare RuntimeException ("Socket is not
     * connected.") from {@code TyrusWebSocket.checkConnectedState}. Anything else is a bug.
     */
    private static boolean closedMeanwhile(RuntimeException e) {
        return e instanceof IllegalStateException || e.getClass() == RuntimeException.class;
    }

    private static <E extends Exception> void withLoader(ClassLoader loader, Call<E> call) throws E {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            call.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
