package io.flowcost.agent.http.jdk;

import io.flowcost.agent.http.RequestFields;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.Flow;

/**
 * Reads the model of a JDK request whose body is an in-memory byte array ({@code
 * BodyPublishers.ofString}, {@code ofByteArray}): such a publisher replays the same bytes to every
 * subscriber, synchronously, so the agent's copy has no effect on what is sent. Any other
 * publisher (files, input streams, custom ones) is never touched.
 */
final class JdkRequestBodies {

  private JdkRequestBodies() {}

  static RequestFields read(Object request) {
    try {
      Object publisher = ((Optional<?>) JdkTypes.bodyPublisher(request)).orElse(null);
      if (!isByteArrayPublisher(publisher)) {
        return RequestFields.NONE;
      }
      long length = JdkTypes.contentLength(publisher);
      if (length <= 0 || length > RequestFields.MAX_BODY) {
        return RequestFields.NONE;
      }
      Copy copy = new Copy();
      @SuppressWarnings("unchecked")
      Flow.Publisher<ByteBuffer> bytes = (Flow.Publisher<ByteBuffer>) publisher;
      bytes.subscribe(copy);
      return copy.complete ? RequestFields.parse(copy.out.toByteArray()) : RequestFields.NONE;
    } catch (Throwable t) {
      return RequestFields.NONE;
    }
  }

  private static boolean isByteArrayPublisher(Object publisher) {
    for (Class<?> c = publisher == null ? null : publisher.getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals("jdk.internal.net.http.RequestPublishers$ByteArrayPublisher")) {
        return true;
      }
    }
    return false;
  }

  /** Collects the replayed bytes; delivery is synchronous for byte-array publishers. */
  private static final class Copy implements Flow.Subscriber<ByteBuffer> {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    volatile boolean complete;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(ByteBuffer item) {
      byte[] chunk = new byte[item.remaining()];
      item.get(chunk);
      out.write(chunk, 0, chunk.length);
    }

    @Override
    public void onError(Throwable throwable) {
      complete = false;
    }

    @Override
    public void onComplete() {
      complete = true;
    }
  }
}
