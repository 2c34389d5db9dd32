package dev.agentwire.connections.control;

import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The one path of every frame agentwire sends: it sends with the JDK's platform loader as the
 * context class loader, so that the idle-timer task Tyrus schedules for each send captures a
 * cheap context, and it knows what Tyrus throws when the socket closes under a send (both in
 * docs/platform-notes.md).
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
