package io.flowcost.agent.http.apache5;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.calls.RequestBody;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.http.HttpExchanges;
import io.flowcost.agent.http.RequestFields;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;

/**
 * Helpers of {@link AsyncDoExecuteAdvice}: Apache HttpClient 5's async client. Its request producer
 * and response consumer are replaced by {@link Proxy} instances of their public interfaces that
 * forward every call unchanged and, on the way:
 *
 * <ul>
 *   <li>when the producer hands the request head to the client ({@code RequestChannel.sendRequest},
 *       still on the caller's thread, inside {@code doExecute}), start the exchange in the caller's
 *       context — a model request the workflow's caps refuse throws the refusal there, before
 *       anything is sent — and add {@code traceparent}/baggage to the head;
 *   <li>copy the request body as the producer writes it ({@code DataStreamChannel.write}), for a
 *       token estimate only, when the exchange has none;
 *   <li>report the response head ({@code consumeResponse}) and tee each body buffer ({@code
 *       consume(ByteBuffer)}, read without moving its position) before the application's consumer
 *       gets it, on the client's I/O thread: nothing is read ahead, buffered or delayed;
 *   <li>end the exchange at {@code streamEnd} (before the application's consumer sees the end),
 *       fail it at {@code failed}, and end a body the application stopped reading at {@code
 *       releaseResources}.
 * </ul>
 *
 * Apache objects are read by public API, reflectively, from the client's class loader.
 */
public final class ApacheAsyncTracing {

  private static final String PRODUCER = "org.apache.hc.core5.http.nio.AsyncRequestProducer";
  private static final String CONSUMER = "org.apache.hc.core5.http.nio.AsyncResponseConsumer";
  private static final String CHANNEL = "org.apache.hc.core5.http.nio.RequestChannel";
  private static final String DATA_CHANNEL = "org.apache.hc.core5.http.nio.DataStreamChannel";

  private ApacheAsyncTracing() {}

  /**
   * The producer and consumer to execute instead ({@code [producer, consumer]}), or {@code null} to
   * keep the application's own. Never throws.
   */
  public static Object[] wrap(Object producer, Object consumer) {
    if (producer == null || consumer == null || isOurs(consumer)) {
      return null;
    }
    try {
      ClassLoader loader = producer.getClass().getClassLoader();
      Class<?> producerType = Class.forName(PRODUCER, false, loader);
      Class<?> consumerType = Class.forName(CONSUMER, false, consumer.getClass().getClassLoader());
      State state = new State(Context.current(), loader);
      Object p = Proxy.newProxyInstance(producerType.getClassLoader(), new Class<?>[] {producerType},
          new ProducerHandler(producer, state));
      Object c = Proxy.newProxyInstance(consumerType.getClassLoader(), new Class<?>[] {consumerType},
          new ConsumerHandler(consumer, state));
      return new Object[] {p, c};
    } catch (Throwable t) {
      AgentLog.failure("apache async wrap", t);
      return null;
    }
  }

  private static boolean isOurs(Object consumer) {
    return Proxy.isProxyClass(consumer.getClass())
        && Proxy.getInvocationHandler(consumer) instanceof ConsumerHandler;
  }

  /** One execution: the caller's context and, once its head is sent, its exchange. */
  private static final class State {
    final Context caller;
    final ClassLoader loader;
    volatile HttpExchange exchange;
    volatile BodyCopy bodyCopy;
    /** Whether the response body is teed (a successful model response). */
    volatile boolean tee;

    State(Context caller, ClassLoader loader) {
      this.caller = caller;
      this.loader = loader;
    }

    /**
     * The request head is about to be sent: starts the exchange and adds propagation headers.
     *
     * @return the refusal's exception when the workflow's caps refuse the request, else {@code null}
     */
    RuntimeException start(Object request, Object entityDetails) {
      try (Scope ignored = caller.makeCurrent()) {
        String method = (String) ApacheTracing.call(request, "getMethod");
        String scheme = (String) ApacheTracing.call(request, "getScheme");
        Object authority = ApacheTracing.call(request, "getAuthority");
        if (authority == null) {
          return null;
        }
        String host = (String) ApacheTracing.call(authority, "getHostName");
        int port = (Integer) ApacheTracing.call(authority, "getPort");
        String path = (String) ApacheTracing.call(request, "getPath");
        int query = path == null ? -1 : path.indexOf('?');
        String rawPath = query < 0 ? path : path.substring(0, query);
        if (scheme == null) {
          scheme = "http";
        }
        // the body is a stream the producer writes later: model and stream flag come from the
        // framework's hints (Spring AI's ChatModel hook), the body is copied as it goes out
        HttpExchange started = HttpExchanges.start(method, scheme, host, port, rawPath,
            () -> RequestFields.NONE, loader);
        CapRefusal refusal = HttpExchange.refusalOf(started);
        if (refusal != null) {
          return refusal.exception();
        }
        ApacheTracing.inject(started, request, scheme, host, port, rawPath);
        if (started != null && entityDetails != null && started.needsRequestBody()) {
          BodyCopy copy = new BodyCopy();
          bodyCopy = copy;
          started.requestBody(RequestBody.captured(copy::bytes));
        }
        exchange = started;
      } catch (Throwable t) {
        AgentLog.failure("apache async request", t);
      }
      return null;
    }
  }

  /** The request body as the producer writes it, up to {@link RequestFields#MAX_BODY}. */
  private static final class BodyCopy {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean complete;
    private boolean overflow;

    synchronized void written(ByteBuffer src, int from, int count) {
      if (overflow || count <= 0) {
        return;
      }
      if (bytes.size() + (long) count > RequestFields.MAX_BODY) {
        overflow = true;
        bytes.reset();
        return;
      }
      ByteBuffer view = src.duplicate();
      view.position(from);
      byte[] chunk = new byte[count];
      view.get(chunk);
      bytes.write(chunk, 0, count);
    }

    synchronized void ended() {
      complete = true;
    }

    /** The whole body once sent, else {@code null}. */
    synchronized byte[] bytes() {
      return complete && !overflow ? bytes.toByteArray() : null;
    }
  }

  /** Forwards to the application's {@code AsyncRequestProducer}. */
  private static final class ProducerHandler extends Forwarding {
    private final State state;

    ProducerHandler(Object delegate, State state) {
      super(delegate);
      this.state = state;
    }

    @Override
    Object[] arguments(Method method, Object[] args) {
      String name = method.getName();
      if (name.equals("sendRequest") && args.length == 2 && args[0] != null) {
        args[0] = proxy(args[0], CHANNEL, new ChannelHandler(args[0], state));
      } else if (name.equals("produce") && args.length == 1 && args[0] != null
          && state.bodyCopy != null) {
        args[0] = proxy(args[0], DATA_CHANNEL, new DataChannelHandler(args[0], state.bodyCopy));
      }
      return args;
    }
  }

  /** Forwards to the client's {@code RequestChannel}: the head is about to be sent. */
  private static final class ChannelHandler extends Forwarding {
    private final State state;

    ChannelHandler(Object delegate, State state) {
      super(delegate);
      this.state = state;
    }

    @Override
    Object[] arguments(Method method, Object[] args) {
      if (method.getName().equals("sendRequest") && args.length == 3 && args[0] != null) {
        RuntimeException refused = state.start(args[0], args[1]);
        if (refused != null) {
          throw refused; // out of doExecute/execute, unchanged: nothing was sent
        }
      }
      return args;
    }
  }

  /** Forwards to the client's {@code DataStreamChannel}, copying what the body writes. */
  private static final class DataChannelHandler extends Forwarding {
    private final BodyCopy copy;

    DataChannelHandler(Object delegate, BodyCopy copy) {
      super(delegate);
      this.copy = copy;
    }

    @Override
    Object invokeDelegate(Method method, Object[] args) throws Throwable {
      if (method.getName().equals("write") && args.length == 1 && args[0] instanceof ByteBuffer) {
        ByteBuffer src = (ByteBuffer) args[0];
        int from = src.position();
        Object written = super.invokeDelegate(method, args);
        if (written instanceof Integer) {
          copy.written(src, from, (Integer) written);
        }
        return written;
      }
      if (method.getName().equals("endStream")) {
        copy.ended();
      }
      return super.invokeDelegate(method, args);
    }
  }

  /** Forwards to the application's {@code AsyncResponseConsumer}, teeing the response. */
  private static final class ConsumerHandler extends Forwarding {
    private final State state;

    ConsumerHandler(Object delegate, State state) {
      super(delegate);
      this.state = state;
    }

    @Override
    Object[] arguments(Method method, Object[] args) {
      HttpExchange exchange = state.exchange;
      if (exchange == null) {
        return args;
      }
      try {
        switch (method.getName()) {
          case "consumeResponse":
            if (args.length == 4 && args[0] != null) {
              head(exchange, args[0], args[1]);
            }
            break;
          case "consume":
            if (state.tee && args.length == 1 && args[0] instanceof ByteBuffer) {
              exchange.bodyBytes((ByteBuffer) args[0]);
            }
            break;
          case "streamEnd":
            exchange.bodyComplete(); // before the application sees the end
            break;
          case "failed":
            exchange.failed(args.length == 1 && args[0] instanceof Throwable
                ? (Throwable) args[0] : new IllegalStateException());
            break;
          default:
            break;
        }
      } catch (Throwable t) {
        AgentLog.failure("apache async response", t);
      }
      return args;
    }

    @Override
    Object invokeDelegate(Method method, Object[] args) throws Throwable {
      try {
        return super.invokeDelegate(method, args);
      } finally {
        HttpExchange exchange = state.exchange;
        if (exchange != null && method.getName().equals("releaseResources")) {
          exchange.bodyComplete(); // stopped reading: ends with what was received (first end wins)
        }
      }
    }

    private void head(HttpExchange exchange, Object response, Object entity)
        throws ReflectiveOperationException {
      int code = (Integer) ApacheTracing.call(response, "getCode");
      String type = entity == null ? null : (String) ApacheTracing.call(entity, "getContentType");
      if (type == null) {
        type = header(response, "Content-Type");
      }
      state.tee = exchange.responseHead(code, type, header(response, HttpExchange.PROVIDER_COST_HEADER));
      if (entity == null) {
        exchange.bodyComplete(); // a response without a body
      }
    }

    private static String header(Object message, String name) throws ReflectiveOperationException {
      Object header = ApacheTracing.call(message, "getFirstHeader", name);
      return header == null ? null : (String) ApacheTracing.call(header, "getValue");
    }
  }

  private static Object proxy(Object delegate, String typeName, InvocationHandler handler) {
    try {
      Class<?> type = Class.forName(typeName, false, delegate.getClass().getClassLoader());
      if (!type.isInstance(delegate)) {
        return delegate;
      }
      return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    } catch (Throwable t) {
      AgentLog.failure("apache async proxy", t);
      return delegate;
    }
  }

  /**
   * A proxy that forwards every call to its delegate, letting a subclass look at (or, for the head,
   * refuse) the arguments first.
   */
  private abstract static class Forwarding implements InvocationHandler {
    final Object delegate;

    Forwarding(Object delegate) {
      this.delegate = delegate;
    }

    /** The arguments to forward (these, unless overridden); may throw only a refusal. */
    Object[] arguments(Method method, Object[] args) {
      return args;
    }

    Object invokeDelegate(Method method, Object[] args) throws Throwable {
      try {
        return method.invoke(delegate, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }

    @Override
    public final Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        switch (method.getName()) {
          case "equals":
            return proxy == args[0];
          case "hashCode":
            return System.identityHashCode(proxy);
          default:
            return "flowcost(" + delegate + ")";
        }
      }
      Object[] forwarded = args == null ? null : arguments(method, args);
      return invokeDelegate(method, forwarded);
    }
  }
}
