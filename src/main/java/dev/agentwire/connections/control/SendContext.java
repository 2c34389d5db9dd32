package dev.agentwire.connections.control;

/**
 * Runs a Tyrus send with a context class loader that sees only the JDK.
 *
 * <p>For every frame it sends, Tyrus (2.1 in Payara 6) reschedules a session idle-timeout task on
 * the default managed scheduled executor, and Payara captures the thread context for that task
 * by looking up {@code ThreadContextProvider} services through the context class loader: a walk
 * of every jar of the application and of the server's API class loader, per frame. That task is
 * the only thing that sees the loader captured here, and it does nothing: agentwire leaves Tyrus'
 * idle timeout at 0 and closes idle sessions itself. With the JDK's platform loader the lookup
 * answers from the JDK's cache. Measured in docs/benchmarks.md ("The per-message hot spot").
 */
final class SendContext {

    /** A send, which may fail at once. */
    interface Send<E extends Exception> {
        void run() throws E;
    }

    private static final ClassLoader JDK_ONLY = ClassLoader.getPlatformClassLoader();

    private SendContext() {
    }

    static <E extends Exception> void run(Send<E> send) throws E {
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
