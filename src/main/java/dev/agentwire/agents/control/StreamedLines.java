package dev.agentwire.agents.control;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The response lines, queued as the HTTP client receives them, so that the reading thread
 * waits in an interruptible take: a cancel or a fault-tolerance timeout ends the wait at once,
 * where a blocking read of the body would not notice.
 */
final class StreamedLines implements HttpResponse.BodyHandler<Void>, CompletionChunks.Lines {
    private static final String END = new String("end");
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final CountDownLatch answered = new CountDownLatch(1);
    private volatile Throwable failure;
    private volatile int status;
    private volatile Optional<String> retryAfter = Optional.empty();

    @Override
    public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
        status = info.statusCode();
        retryAfter = info.headers().firstValue("Retry-After");
        answered.countDown();
        return HttpResponse.BodySubscribers.fromLineSubscriber(new Flow.Subscriber<String>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                queue.add(line);
            }

            @Override
            public void onError(Throwable error) {
                end(error);
            }

            @Override
            public void onComplete() {
                end(null);
            }
        });
    }

    void end(Throwable error) {
        if (error != null && failure == null) {
            failure = error;
        }
        queue.add(END);
        answered.countDown();
    }

    /** The response's Retry-After header, once its head arrived. */
    Optional<String> retryAfter() {
        return retryAfter;
    }

    /** The HTTP status, once the response's head arrived; throws when the exchange failed before. */
    int status() throws IOException, InterruptedException {
        answered.await();
        if (status == 0) {
            throw failure();
        }
        return status;
    }

    private IOException failure() {
        return failure instanceof IOException io ? io : new IOException("the model stream failed", failure);
    }

    @Override
    public String next() throws IOException, InterruptedException {
        String line = queue.take();
        if (line == END) {
            queue.add(END);
            if (failure != null) {
                throw failure();
            }
            return null;
        }
        return line;
    }
}

