package io.flowcost.agent.http.jdk;

import java.lang.reflect.Method;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Run by {@link TrustedSubscriberTest} in a JVM where {@code java.net.http} exports {@code
 * jdk.internal.net.http} to the unnamed module (as {@link JdkHttpClientInstrumentation#prepare}
 * does to the agent's): prints one {@code name=value} line per fact about the agent's wrapper of a
 * body subscriber.
 */
public final class TrustedSubscriberMain {

  private TrustedSubscriberMain() {}

  public static void main(String[] args) throws Exception {
    Method needsExecutor = JdkTypes.TRUSTED_SUBSCRIBER.getMethod("needsExecutor");
    System.out.println("access=" + JdkTypes.trustedAccess());

    HttpResponse.BodySubscriber<String> ofString =
        HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
    Object wrapped = wrap(ofString);
    System.out.println("ofString.trusted=" + JdkTypes.TRUSTED_SUBSCRIBER.isInstance(wrapped));
    System.out.println("ofString.needsExecutor=" + needsExecutor.invoke(wrapped)
        + "/" + needsExecutor.invoke(ofString));

    // trusted by the JDK, yet it needs an executor (a mapper the JDK cannot vouch for)
    HttpResponse.BodySubscriber<Integer> mapping =
        HttpResponse.BodySubscribers.mapping(ofString, String::length);
    Object wrappedMapping = wrap(mapping);
    System.out.println("mapping.trusted=" + JdkTypes.TRUSTED_SUBSCRIBER.isInstance(wrappedMapping));
    System.out.println("mapping.needsExecutor=" + needsExecutor.invoke(wrappedMapping)
        + "/" + needsExecutor.invoke(mapping));

    System.out.println("own.trusted=" + JdkTypes.TRUSTED_SUBSCRIBER.isInstance(wrap(new Own())));

    // the wrapper still passes everything through: subscribe, one buffer, complete, the body
    @SuppressWarnings("unchecked")
    HttpResponse.BodySubscriber<String> through = (HttpResponse.BodySubscriber<String>) wrapped;
    through.onSubscribe(new Flow.Subscription() {
      @Override public void request(long n) {}
      @Override public void cancel() {}
    });
    through.onNext(List.of(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8))));
    through.onComplete();
    System.out.println("body=" + through.getBody().toCompletableFuture().get());
  }

  private static Object wrap(Object subscriber) {
    return JdkTypes.proxyBodySubscriber(new BodySubscriberProxy(null, subscriber), subscriber);
  }

  /** An application's own subscriber: never trusted by the JDK. */
  private static final class Own implements HttpResponse.BodySubscriber<String> {
    @Override public CompletionStage<String> getBody() {
      return new CompletableFuture<>();
    }
    @Override public void onSubscribe(Flow.Subscription subscription) {}
    @Override public void onNext(List<ByteBuffer> item) {}
    @Override public void onError(Throwable throwable) {}
    @Override public void onComplete() {}
  }
}
