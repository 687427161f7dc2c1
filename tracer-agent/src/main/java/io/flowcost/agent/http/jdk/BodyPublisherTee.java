package io.flowcost.agent.http.jdk;

import io.flowcost.agent.http.RequestFields;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;

/**
 * A JDK {@code BodyPublisher} that copies the bytes of a model request as the client sends them,
 * for a token estimate should the answer carry no usage. Used for the publishers {@link
 * JdkRequestBodies} cannot replay — streamed ones, like Spring's {@code RestClient} and {@code
 * WebClient} bodies. The client receives the very same buffers, in the same order and with the
 * same demand; the copy reads each buffer's duplicate before passing it on. At most {@link
 * RequestFields#MAX_BODY} bytes are kept; a larger body is dropped, and a re-subscription (the
 * client resending) starts the copy again.
 */
final class BodyPublisherTee implements InvocationHandler {

  private final Object delegate;
  private volatile Copy current;

  BodyPublisherTee(Object delegate) {
    this.delegate = delegate;
  }

  /** The whole body as sent, or {@code null} when it was not sent in full or was too large. */
  byte[] captured() {
    Copy copy = current;
    return copy == null ? null : copy.bytes();
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getName().equals("subscribe") && args != null && args.length == 1) {
      @SuppressWarnings("unchecked")
      Flow.Subscriber<? super ByteBuffer> downstream = (Flow.Subscriber<? super ByteBuffer>) args[0];
      Copy copy = new Copy(downstream);
      current = copy;
      return JdkTypes.forward(delegate, method, new Object[] {copy});
    }
    switch (method.getName()) {
      case "hashCode":
        return System.identityHashCode(proxy);
      case "equals":
        return proxy == args[0];
      case "toString":
        return String.valueOf(delegate);
      default:
        return JdkTypes.forward(delegate, method, args);
    }
  }

  /** Passes every signal on, copying the bytes first. */
  private static final class Copy implements Flow.Subscriber<ByteBuffer> {
    private final Flow.Subscriber<? super ByteBuffer> downstream;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private boolean overflow; // guarded by out
    private boolean complete; // guarded by out

    Copy(Flow.Subscriber<? super ByteBuffer> downstream) {
      this.downstream = downstream;
    }

    byte[] bytes() {
      synchronized (out) {
        return complete && !overflow ? out.toByteArray() : null;
      }
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      downstream.onSubscribe(subscription);
    }

    @Override
    public void onNext(ByteBuffer item) {
      try {
        synchronized (out) {
          if (!overflow && item != null) {
            ByteBuffer view = item.duplicate();
            if (out.size() + view.remaining() > RequestFields.MAX_BODY) {
              overflow = true;
              out.reset();
            } else {
              byte[] chunk = new byte[view.remaining()];
              view.get(chunk);
              out.write(chunk, 0, chunk.length);
            }
          }
        }
      } catch (Throwable t) {
        synchronized (out) {
          overflow = true;
        }
      }
      downstream.onNext(item);
    }

    @Override
    public void onError(Throwable throwable) {
      downstream.onError(throwable);
    }

    @Override
    public void onComplete() {
      synchronized (out) {
        complete = true;
      }
      downstream.onComplete();
    }
  }
}
