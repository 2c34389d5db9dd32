package dev.agentwire.auth.boundary;

import dev.agentwire.api.boundary.BodyReader;
import dev.agentwire.api.boundary.BufferedRequest;
import dev.agentwire.api.boundary.ErrorAnswers;
import dev.agentwire.auth.control.TokenVerifier;
import dev.agentwire.auth.entity.VerifiedToken;
import dev.agentwire.kernel.Owner;
import dev.agentwire.kernel.Permits;
import dev.agentwire.protocol.GatewayException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.control.RequestContextController;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The door of every REST request (AG-UI's included), before JAX-RS sees it:
 * <ul>
 *   <li>a request with a valid bearer token counts against its user's requests in flight on this
 *       node, {@code agentwire.http.requests-per-user-max}, until its response is over (an AG-UI
 *       stream until it ends); one more is 429 TOO_MANY_REQUESTS at once;</li>
 *   <li>a body of an HTTP/1.1 request is read whole before the resource runs, without a worker
 *       thread ({@link BodyReader}), within {@code agentwire.http.body-timeout-seconds} plus its length at
 *       {@code agentwire.http.body-min-bytes-per-second}, and at most
 *       {@code agentwire.http.max-body-bytes}; then the request is dispatched again with the body
 *       in memory.</li>
 * </ul>
 * A token that does not verify passes untouched: the resource's {@link BearerAuthentication}
 * answers 401 at once, without reading the body. The token verified here is handed to that filter
 * as a request attribute, so it is verified once.
 */
@WebFilter(urlPatterns = "/api/*", asyncSupported = true, dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.ASYNC})
public class HttpAdmission extends HttpFilter {

    /** The request attribute that holds the request's {@link VerifiedToken}. */
    static final String VERIFIED_TOKEN = HttpAdmission.class.getName() + ".token";
    private static final String READ = HttpAdmission.class.getName() + ".read";
    private static final Logger LOG = Logger.getLogger(HttpAdmission.class.getName());
    /** How long after its body is whole a request is dispatched again (see readThenDispatch). */
    private static final Duration DISPATCH_DELAY = Duration.ofMillis(20);
    private static final Duration DISPATCH_LOST_AFTER = Duration.ofSeconds(10);
    private static final long SMALL_BODY_BYTES = 8192;

    @Inject
    TokenVerifier verifier;

    @Inject
    Instance<RequestContextController> requestContexts;

    @Inject
    @ConfigProperty(name = "agentwire.http.requests-per-user-max", defaultValue = "16")
    int requestsPerUser;

    @Inject
    @ConfigProperty(name = "agentwire.http.max-body-bytes", defaultValue = "1048576")
    int maxBodyBytes;

    @Inject
    @ConfigProperty(name = "agentwire.http.body-timeout-seconds", defaultValue = "10")
    int bodyTimeoutSeconds;

    @Inject
    @ConfigProperty(name = "agentwire.http.body-min-bytes-per-second", defaultValue = "16384")
    int bodyMinBytesPerSecond;

    @Resource
    ManagedScheduledExecutorService timer;

    private Permits inFlight;

    @PostConstruct
    void limits() {
        if (requestsPerUser < 1 || maxBodyBytes < 1 || bodyTimeoutSeconds < 1 || bodyMinBytesPerSecond < 1) {
            throw new IllegalStateException("agentwire.http.requests-per-user-max, agentwire.http.max-body-bytes,"
                    + " agentwire.http.body-timeout-seconds and agentwire.http.body-min-bytes-per-second must be at least 1");
        }
        inFlight = new Permits(Integer.MAX_VALUE, requestsPerUser);
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getDispatcherType() == DispatcherType.ASYNC) {
            byte[] body = request.getAttribute(READ) instanceof BodyRead read ? read.take() : null;
            if (body == null) {
                chain.doFilter(request, response); // an async dispatch of the resource's own
                return;
            }
            var permit = ((BodyRead) request.getAttribute(READ)).permit();
            // the container starts no CDI request context for an async dispatch; the resources are request-scoped
            RequestContextController requestContext = requestContexts.get(); // one per dispatch: it is per thread
            boolean activated = requestContext.activate();
            try {
                admitted(new BufferedRequest(request, body), response, chain, permit);
            } finally {
                if (activated) {
                    requestContext.deactivate();
                }
                requestContexts.destroy(requestContext);
            }
            return;
        }
        Permits.Permit permit = null;
        VerifiedToken token = verified(request);
        if (token != null) {
            request.setAttribute(VERIFIED_TOKEN, token);
            Permits.Result result = inFlight.acquire(new Owner(token.issuer(), token.userId()));
            if (result.permit() == null) {
                refuse(response, 429, "TOO_MANY_REQUESTS", "You have " + requestsPerUser
                        + " requests in progress; let one finish and retry.", true);
                return;
            }
            permit = result.permit();
        }
        if (!hasBody(request) || isHttp2(request) || isSmall(request)) {
            admitted(request, response, chain, permit);
            return;
        }
        long declared = request.getContentLengthLong();
        if (declared > maxBodyBytes) {
            release(permit);
            refuse(response, 413, "PAYLOAD_TOO_LARGE", "The request body is larger than " + maxBodyBytes + " bytes.", false);
            return;
        }
        if (declared >= 0 && request.getInputStream().available() >= declared) {
            // here already, as a small body mostly is: read from the buffer, no second dispatch
            admitted(new BufferedRequest(request, request.getInputStream().readNBytes((int) declared)), response, chain, permit);
            return;
        }
        readThenDispatch(request, declared, permit);
    }

    /** The body read without a thread, then the request dispatched again to the same resource with it. */
    private void readThenDispatch(HttpServletRequest request, long declared, Permits.Permit permit) throws IOException {
        Duration time = BodyReader.allowedTime(Duration.ofSeconds(bodyTimeoutSeconds),
                declared >= 0 ? declared : maxBodyBytes, bodyMinBytesPerSecond);
        // set before the read starts, on this thread: the container's own thread may still be
        // changing the request's attributes when the body is whole on another
        var read = new BodyRead(permit);
        request.setAttribute(READ, read);
        var async = request.startAsync();
        async.setTimeout(0); // BodyReader's deadline ends this cycle; the container's would race it
        try {
            BodyReader.read(async, maxBodyBytes, time, timer, body -> {
                read.body = body;
                // not from this thread while the request's first dispatch may still be unwinding: the
                // container then keeps the dispatch for that thread, which never runs it
                // (docs/platform-notes.md); a moment later, from the timer's thread
                timer.schedule(() -> dispatchOrGiveUp(async, read), DISPATCH_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            }, () -> release(permit));
        } catch (IOException | RuntimeException e) {
            release(permit);
            throw e;
        }
    }

    /**
     * Dispatches the request with its body; when the container lost that dispatch (its second
     * dispatch has not taken the body after {@link #DISPATCH_LOST_AFTER}), the request is answered
     * 503 SERVER_BUSY, retryable, rather than left hanging.
     */
    private void dispatchOrGiveUp(AsyncContext async, BodyRead read) {
        try {
            async.dispatch();
        } catch (IllegalStateException over) {
            return; // the client went away meanwhile
        }
        timer.schedule(() -> {
            if (read.giveUp()) {
                LOG.warning("A request's dispatch after its body was read did not run; answered 503 SERVER_BUSY");
                try {
                    var response = (HttpServletResponse) async.getResponse();
                    refuse(response, 503, "SERVER_BUSY", "The server could not take the request; retry.", true);
                    async.complete();
                } catch (IOException | IllegalStateException gone) {
                    // nobody left to answer
                } finally {
                    release(read.permit());
                }
            }
        }, DISPATCH_LOST_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A body being read for the request's second dispatch, and the permit the request holds meanwhile. */
    private static final class BodyRead {
        private final Permits.Permit permit;
        private volatile byte[] body;
        private boolean taken; // guarded by this

        BodyRead(Permits.Permit permit) {
            this.permit = permit;
        }

        Permits.Permit permit() {
            return permit;
        }

        /** The whole body, once: a later dispatch of the same request is the resource's own. */
        synchronized byte[] take() {
            if (taken || body == null) {
                return null;
            }
            taken = true;
            return body;
        }

        /** Whether the body was never taken, and now never will be. */
        synchronized boolean giveUp() {
            if (taken) {
                return false;
            }
            taken = true;
            return true;
        }
    }

    /** Runs the request; its permit is given back when the response is over, also for a response that goes on asynchronously. */
    private static void admitted(HttpServletRequest request, HttpServletResponse response, FilterChain chain, Permits.Permit permit)
            throws IOException, ServletException {
        boolean handedOver = false;
        try {
            chain.doFilter(request, response);
            if (permit != null && request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new ReleaseAtEnd(permit));
                handedOver = true;
            }
        } finally {
            if (!handedOver) {
                release(permit);
            }
        }
    }

    private VerifiedToken verified(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        try {
            return verifier.verify(header.substring(7).trim());
        } catch (GatewayException refused) {
            return null; // BearerAuthentication says why, at once
        }
    }

    /**
     * An HTTP/2 request, or one that asks to become one ({@code Upgrade: h2c}): Grizzly cannot
     * read its body without a thread and dispatch it again (docs/platform-notes.md), so JAX-RS
     * reads it the blocking way, bounded only by the user's requests in flight.
     */
    private static boolean isHttp2(HttpServletRequest request) {
        return request.getProtocol().startsWith("HTTP/2") || request.getHeader("Upgrade") != null;
    }

    /**
     * A body of at most {@link #SMALL_BODY_BYTES} declared: JAX-RS reads it the blocking way,
     * bounded by the user's requests in flight. The second dispatch of a read body now and then
     * races the end of a short request in Payara's container (docs/platform-notes.md), and a
     * small body costs a thread for little time.
     */
    private static boolean isSmall(HttpServletRequest request) {
        long declared = request.getContentLengthLong();
        return declared >= 0 && declared <= SMALL_BODY_BYTES;
    }

    private static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || "chunked".equalsIgnoreCase(request.getHeader("Transfer-Encoding"));
    }

    private static void release(Permits.Permit permit) {
        if (permit != null) {
            permit.release();
        }
    }

    /** A refusal before anything was read: the REST error body, and the connection closed when a body may follow. */
    private static void refuse(HttpServletResponse response, int status, String code, String message, boolean retryable)
            throws IOException {
        if (status == 429) {
            response.setHeader("Retry-After", "1");
        }
        ErrorAnswers.write(response, status, code, message, retryable);
    }

    /** Gives the permit back when an asynchronous response is over, however it ended. */
    private record ReleaseAtEnd(Permits.Permit permit) implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            permit.release();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            permit.release();
        }

        @Override
        public void onError(AsyncEvent event) {
            permit.release();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this); // a new cycle of the same response: still held
        }
    }
}
