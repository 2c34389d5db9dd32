package dev.agentwire.connections.control;

/**
 * Keeps the application's class loader out of the context Tyrus' idle timer captures when a
 * frame is sent.
 *
 * <p>For every frame sent and received, and once as a session starts, Tyrus (2.1 in Payara 6)
 * reschedules the session's idle-timeout task on the default managed scheduled executor, and
 * Payara captures the thread context for that task with a {@code ServiceLoader} lookup through
 * the context class loader: a walk of every jar of the application and of the server's API
 * class loader. That task is the only thing that sees the loader captured here, and it does
 * nothing: agentwire leaves Tyrus' idle timeout at 0 and closes idle sessions itself. With the
 * JDK's platform loader as context class loader the lookup is answered from the JDK's cache.
 * Measured in docs/benchmarks.md ("The per-message hot spot"). Frames received and the
 * session's start are out of reach: Tyrus reschedules before the endpoint sees them, and the
 * upgraded connection must keep the application's loader.
 */
final class IdleTimerContext {

    /** A send, which may fail at once. */
    interface Send<E extends Exception> {
        void run() throws E;
    }

    private static final ClassLoader JDK_ONLY = ClassLoader.getPlatformClassLoader();

    private IdleTimerContext() {
    }

    /** Runs a send of a frame to the peer. */
    static <E extends Exception> void send(Send<E> send) throws E {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(JDK_ONLY);
        try {
            send.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
