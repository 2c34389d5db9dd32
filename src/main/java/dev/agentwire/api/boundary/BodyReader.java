package dev.agentwire.api.boundary;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Reads one request body with the servlet container's non-blocking input, so a sender that is
 * slow or stalls holds a socket and what it sent, never a worker thread. The body is whole by a
 * deadline or refused: 408 REQUEST_TIMEOUT (and the connection closed) when it is late, 413
 * PAYLOAD_TOO_LARGE past the size limit; a client that goes away in the middle is simply gone,
 * not an error of the server's. Exactly one of the outcomes happens, whichever comes first.
 */
public final class BodyReader implements ReadListener {

    private static final Logger LOG = Logger.getLogger(BodyReader.class.getName());

    /** What happens with the body once it is whole; it runs on a container thread. */
    public interface Whole {
        void read(byte[] body);
    }

    private final AsyncContext async;
    private final ServletInputStream in;
    private final int maxBytes;
    private final Whole whole;
    private final Runnable gone;
    private final ByteArrayOutputStream body;
    private final byte[] chunk = new byte[8192];
    private ScheduledFuture<?> deadline;
    private boolean over; // guarded by this

    private BodyReader(AsyncContext async, ServletInputStream in, int maxBytes, int expected, Whole whole, Runnable gone) {
        this.async = async;
        this.in = in;
        this.maxBytes = maxBytes;
        this.whole = whole;
        this.gone = gone;
        this.body = new ByteArrayOutputStream(Math.min(Math.max(expected, 256), 64 * 1024));
    }

    /**
     * Starts reading the body of the request of {@code async}, which must be async already.
     * {@code whole} gets it; after any other end {@code gone} runs (give back what the request
     * held there), once the answer, if any, is written.
     *
     * @param time how long the whole body may take
     */
    public static void read(AsyncContext async, int maxBytes, Duration time, ScheduledExecutorService timer,
                            Whole whole, Runnable gone) throws IOException {
        var request = (HttpServletRequest) async.getRequest();
        long declared = request.getContentLengthLong();
        var reader = new BodyReader(async, request.getInputStream(), maxBytes, (int) Math.min(declared, maxBytes), whole, gone);
        synchronized (reader) {
            reader.deadline = timer.schedule(reader::late, time.toMillis(), TimeUnit.MILLISECONDS);
        }
        reader.in.setReadListener(reader);
    }

    /** How long a body of {@code bytes} may take: {@code base}, and the bytes at the minimum rate beyond that. */
    public static Duration allowedTime(Duration base, long bytes, long minBytesPerSecond) {
        return base.plusMillis(Math.max(0, bytes) * 1000 / Math.max(1, minBytesPerSecond));
    }

    @Override
    public void onDataAvailable() throws IOException {
        synchronized (this) {
            while (!over && in.isReady()) {
                int n = in.read(chunk);
                if (n < 0) {
                    return; // onAllDataRead follows
                }
                if (body.size() + n > maxBytes) {
                    refuse(413, "PAYLOAD_TOO_LARGE", "The request body is larger than " + maxBytes + " bytes.", false);
                    return;
                }
                body.write(chunk, 0, n);
            }
        }
    }

    @Override
    public void onAllDataRead() {
        synchronized (this) {
            if (over) {
                return;
            }
            over = true;
            deadline.cancel(false);
        }
        whole.read(body.toByteArray());
    }

    /** The client went away, or its bytes could not be read: there is nobody left to answer. */
    @Override
    public void onError(Throwable failure) {
        synchronized (this) {
            if (over) {
                return;
            }
            over = true;
            deadline.cancel(false);
        }
        LOG.fine(() -> "A request body was abandoned: " + failure);
        try {
            async.complete();
        } catch (IllegalStateException alreadyOver) {
            // the container ended the request itself
        } finally {
            gone.run();
        }
    }

    private void late() {
        synchronized (this) {
            if (over) {
                return;
            }
            refuse(408, "REQUEST_TIMEOUT", "The request body did not arrive in time; send it at once, or retry.", true);
        }
    }

    /** Answers the request with the REST error body and closes the connection; the rest of the body is never read. */
    private void refuse(int status, String code, String message, boolean retryable) {
        over = true;
        deadline.cancel(false);
        try {
            ErrorAnswers.write((HttpServletResponse) async.getResponse(), status, code, message, retryable);
            async.complete();
        } catch (IOException | IllegalStateException clientGone) {
            LOG.fine(() -> "A refused request body's client was gone: " + clientGone);
        } finally {
            gone.run();
        }
    }
}
