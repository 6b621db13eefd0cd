package dev.custody.oci;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to a limit. Successful answers over the limit fail with {@link TooLarge}
 * (at once when Content-Length announces it, else when the limit is crossed), and the rest is not read. Error
 * answers are cut at a small limit instead: only their first words matter.
 */
final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {

    /** How much of a non-2xx body is kept (for its error code and message). */
    static final int ERROR_BODY_LIMIT = 64 * 1024;

    /** A body over its limit. */
    static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    private final long limit;
    private final boolean truncate;
    private final long announced;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Flow.Subscription subscription;
    private long received;

    private LimitedBody(long limit, boolean truncate, long announced) {
        this.limit = limit;
        this.truncate = truncate;
        this.announced = announced;
    }

    static HttpResponse.BodyHandler<byte[]> handler(long limit, boolean head) {
        return info -> {
            if (head) {
                return HttpResponse.BodySubscribers.replacing(new byte[0]);
            }
            int status = info.statusCode();
            if (status < 200 || status > 299) {
                return new LimitedBody(ERROR_BODY_LIMIT, true, -1);
            }
            long length;
            try {
                length = info.headers().firstValueAsLong("content-length").orElse(-1);
            } catch (NumberFormatException e) {
                length = -1;
            }
            return new LimitedBody(limit, false, length > limit ? length : -1);
        };
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (announced >= 0) {
            s.cancel();
            result.completeExceptionally(new TooLarge("the body announces " + announced + " bytes, over the limit of " + limit));
            return;
        }
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            int n = b.remaining();
            if (received + n > limit) {
                subscription.cancel();
                if (truncate) {
                    copy(b, (int) (limit - received));
                    result.complete(out.toByteArray());
                } else {
                    result.completeExceptionally(new TooLarge("the body is over the limit of " + limit + " bytes"));
                }
                return;
            }
            copy(b, n);
        }
        subscription.request(1);
    }

    private void copy(ByteBuffer b, int n) {
        byte[] chunk = new byte[n];
        b.get(chunk);
        out.write(chunk, 0, n);
        received += n;
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(out.toByteArray());
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }
}
