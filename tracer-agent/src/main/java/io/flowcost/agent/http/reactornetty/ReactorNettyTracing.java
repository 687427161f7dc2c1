package io.flowcost.agent.http.reactornetty;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.http.HttpExchanges;
import io.flowcost.agent.http.RequestFields;
import io.flowcost.agent.langchain4j.Reflect;
import io.flowcost.agent.propagation.ClientPropagation;
import io.flowcost.agent.propagation.OutgoingHeaders;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the Reactor Netty advice calls. Reactor Netty and Netty are read reflectively through their
 * public types ({@code ByteBuf}, {@code HttpHeaders}, {@code HttpResponse}, …); every entry point
 * catches everything, so the application's exchange never sees the agent fail.
 */
public final class ReactorNettyTracing {

  /** The caller's context per request handler, taken on the subscribing thread. */
  private static final Map<Object, Context> CALLERS = Collections.synchronizedMap(new WeakHashMap<>());

  /** The exchange of each {@code HttpClientOperations}, one per request on the wire. */
  private static final Map<Object, State> STATES = Collections.synchronizedMap(new WeakHashMap<>());

  private static final ClassValue<Map<String, Method>> METHODS =
      new ClassValue<>() {
        @Override
        protected Map<String, Method> computeValue(Class<?> type) {
          return new ConcurrentHashMap<>();
        }
      };

  private ReactorNettyTracing() {}

  /** One request on the wire: its caller's context and, once started, its exchange. */
  private static final class State {
    final Context caller;
    volatile boolean started;
    volatile HttpExchange exchange;
    /** Set when the workflow's caps refused the request: thrown before its head is marked sent. */
    volatile CapRefusal refusal;
    volatile boolean headSeen;

    State(Context caller) {
      this.caller = caller;
    }
  }

  /**
   * A request handler was created by a subscription: remember the subscriber's context — the root
   * context too, which says "outside any workflow" as much as a workflow's context says "in it".
   */
  public static void handlerCreated(Object handler) {
    try {
      CALLERS.put(handler, Context.current());
    } catch (Throwable t) {
      AgentLog.failure("reactor-netty subscribe", t);
    }
  }

  /**
   * The connection is ready and the handler will now write its request through {@code operations}.
   * The request's context is its subscriber's: a request that waited for a pooled connection gets
   * it here on the I/O thread that released the connection — inside the previous request's
   * {@code onInboundNext}, whose caller context is current ({@link #inboundEnter}) — so the
   * current context is only the fallback for a handler the constructor advice never saw.
   */
  public static void bind(Object handler, Object operations) {
    try {
      Context caller = CALLERS.get(handler);
      STATES.put(operations, new State(caller != null ? caller : Context.current()));
    } catch (Throwable t) {
      AgentLog.failure("reactor-netty request", t);
    }
  }

  /**
   * The request's head is about to be marked sent and written ({@code markSentHeaders} or {@code
   * markSentHeaderAndBody}, whose arguments are what Reactor Netty releases should that fail: the
   * whole body when it is sent as one {@code Mono}). Starts the exchange once, with the body's
   * model and stream flag when the body is one buffer, and adds {@code traceparent} to the
   * request's headers, still unsent. A model request the workflow's caps refuse gets its refusal,
   * which {@link #refusal} throws from {@code beforeMarkSentHeaders}, before any byte is written.
   */
  public static void beforeHead(Object operations, Object[] toRelease) {
    try {
      State state = STATES.get(operations);
      if (state == null || state.started) {
        return;
      }
      state.started = true;
      Target target = target(operations);
      if (target == null) {
        return;
      }
      Object body = toRelease != null && toRelease.length == 1
          && Reflect.isInstance(toRelease[0], "io.netty.buffer.ByteBuf") ? toRelease[0] : null;
      Object headers = Reflect.call(operations, "requestHeaders");
      HttpExchange exchange;
      OutgoingHeaders outgoing;
      try (Scope ignored = state.caller.makeCurrent()) {
        exchange = HttpExchanges.start(target.method, target.scheme, target.host, target.port,
            target.path, () -> body == null ? RequestFields.NONE : requestFields(body),
            operations.getClass().getClassLoader());
        state.refusal = HttpExchange.refusalOf(exchange);
        if (state.refusal != null) {
          return; // beforeMarkSentHeaders throws it
        }
        outgoing = ClientPropagation.headers(exchange, target.scheme, target.host, target.port,
            target.path, header(headers, "traceparent"), header(headers, "baggage"));
      }
      state.exchange = exchange;
      if (outgoing.traceparent() != null) {
        setHeader(headers, "traceparent", outgoing.traceparent());
      }
      if (outgoing.baggage() != null) {
        setHeader(headers, "baggage", outgoing.baggage());
      }
    } catch (Throwable t) {
      AgentLog.failure("reactor-netty request", t);
    }
  }

  /**
   * {@code beforeMarkSentHeaders}: the refusal of a request the workflow's caps refused (the
   * advice throws it, and Reactor Netty fails the response with it), else {@code null}.
   */
  public static CapRefusal refusal(Object operations) {
    try {
      State state = STATES.get(operations);
      if (state == null || state.refusal == null) {
        return null;
      }
      STATES.remove(operations);
      return state.refusal;
    } catch (Throwable t) {
      AgentLog.failure("reactor-netty caps", t);
      return null;
    }
  }

  /**
   * The outbound side completes. A request whose handler wrote no head (no body) starts its
   * exchange here, before {@code onOutboundComplete} writes that head: recorded, never refused
   * (a failure thrown there would not reach the response).
   */
  public static void outboundComplete(Object operations) {
    try {
      State state = STATES.get(operations);
      if (state == null || state.started) {
        return;
      }
      state.started = true;
      Target target = target(operations);
      if (target != null) {
        try (Scope ignored = state.caller.makeCurrent()) {
          state.exchange = HttpExchanges.startUnstoppable(target.method, target.scheme,
              target.host, target.port, target.path, () -> RequestFields.NONE);
        }
      }
    } catch (Throwable t) {
      AgentLog.failure("reactor-netty request", t);
    }
  }

  /**
   * Entry of {@code onInboundNext}: records the message ({@link #inbound}) and makes the request's
   * caller context current while Reactor Netty hands it to the application — the response head
   * that completes a {@code Mono}, the body chunks and the end that complete {@code bodyToMono}
   * run the application's next stages right here, on the I/O thread, and a model call made there
   * (a {@code flatMap} after a non-model request) must stay in the caller's workflow.
   *
   * @return the scope to close on exit, or {@code null}
   */
  public static Object inboundEnter(Object operations, Object message) {
    Scope scope = null;
    try {
      State state = STATES.get(operations);
      if (state != null && state.caller != null && state.caller != Context.current()) {
        scope = state.caller.makeCurrent();
      }
    } catch (Throwable t) {
      AgentLog.failure("reactor-netty inbound context", t);
    }
    inbound(operations, message);
    return scope;
  }

  /** Exit of {@code onInboundNext}: closes the scope {@link #inboundEnter} opened. */
  public static void inboundExit(Object scope) {
    if (scope instanceof Scope) {
      ((Scope) scope).close();
    }
  }

  /** Netty hands Reactor Netty one inbound message: the response head, a body chunk, or the end. */
  public static void inbound(Object operations, Object message) {
    try {
      State state = STATES.get(operations);
      HttpExchange exchange = state == null ? null : state.exchange;
      if (exchange == null) {
        return;
      }
      if (!state.headSeen && Reflect.isInstance(message, "io.netty.handler.codec.http.HttpResponse")) {
        Object status = Reflect.call(message, "status");
        Long code = Reflect.callLong(status, "code");
        if (code == null || code == 100) {
          return;
        }
        Object headers = Reflect.call(message, "headers");
        state.headSeen = true;
        exchange.responseHead(code.intValue(), header(headers, "Content-Type"),
            header(headers, HttpExchange.PROVIDER_COST_HEADER));
      }
      if (!state.headSeen) {
        return;
      }
      if (Reflect.isInstance(message, "io.netty.handler.codec.http.HttpContent")) {
        byte[] bytes = readable(Reflect.call(message, "content"), Integer.MAX_VALUE);
        if (bytes != null && bytes.length > 0) {
          exchange.bodyBytes(bytes, 0, bytes.length);
        }
      }
      if (Reflect.isInstance(message, "io.netty.handler.codec.http.LastHttpContent")) {
        STATES.remove(operations);
        exchange.bodyComplete();
      }
    } catch (Throwable t) {
      AgentLog.failure("reactor-netty response", t);
    }
  }

  /** The application stopped reading: the exchange ends with what was received. */
  public static void cancelled(Object operations) {
    try {
      State state = STATES.remove(operations);
      if (state != null && state.exchange != null) {
        state.exchange.bodyComplete();
      }
    } catch (Throwable t) {
      AgentLog.failure("reactor-netty cancel", t);
    }
  }

  /** The connection closed: an exchange not yet complete broke off. */
  public static void closed(Object operations) {
    failed(operations, new java.io.IOException("connection closed before the response ended"));
  }

  /** The exchange failed (no response, or the body broke off). */
  public static void failed(Object operations, Throwable error) {
    try {
      State state = STATES.remove(operations);
      if (state != null && state.exchange != null) {
        state.exchange.failed(error);
      }
    } catch (Throwable t) {
      AgentLog.failure("reactor-netty failure", t);
    }
  }

  /** Method, scheme, host, port and path of a request. */
  private record Target(String method, String scheme, String host, int port, String path) {}

  private static Target target(Object operations) {
    // the absolute URL Reactor Netty resolved (1.0+); the path alone is in uri()
    String url = Reflect.callString(operations, "resourceUrl");
    if (url == null) {
      return null;
    }
    URI uri = URI.create(url);
    Object method = Reflect.call(operations, "method");
    String scheme = uri.getScheme() == null ? "http" : uri.getScheme();
    return new Target(method == null ? null : method.toString(), scheme, uri.getHost(),
        uri.getPort(), uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
  }

  private static RequestFields requestFields(Object body) {
    byte[] bytes = readable(body, RequestFields.MAX_BODY);
    return bytes == null ? RequestFields.NONE : RequestFields.parse(bytes);
  }

  /** The readable bytes of a Netty {@code ByteBuf}, copied without moving its indexes. */
  private static byte[] readable(Object byteBuf, long max) {
    if (byteBuf == null) {
      return null;
    }
    try {
      Long length = Reflect.callLong(byteBuf, "readableBytes");
      Long index = Reflect.callLong(byteBuf, "readerIndex");
      if (length == null || index == null || length > max) {
        return null;
      }
      byte[] bytes = new byte[length.intValue()];
      method(byteBuf, "io.netty.buffer.ByteBuf", "getBytes", int.class, byte[].class)
          .invoke(byteBuf, index.intValue(), bytes);
      return bytes;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static String header(Object headers, String name) throws ReflectiveOperationException {
    if (headers == null) {
      return null;
    }
    Object value = method(headers, "io.netty.handler.codec.http.HttpHeaders", "get", String.class)
        .invoke(headers, name);
    return value == null ? null : value.toString();
  }

  private static void setHeader(Object headers, String name, String value)
      throws ReflectiveOperationException {
    method(headers, "io.netty.handler.codec.http.HttpHeaders", "set", String.class, Object.class)
        .invoke(headers, name, value);
  }

  /** A public method of the public type {@code typeName} that {@code target} extends. */
  private static Method method(Object target, String typeName, String name, Class<?>... params)
      throws NoSuchMethodException {
    Class<?> type = target.getClass();
    while (type != null && !type.getName().equals(typeName)) {
      type = type.getSuperclass();
    }
    if (type == null) {
      throw new NoSuchMethodException(typeName + "." + name);
    }
    Map<String, Method> methods = METHODS.get(type);
    String key = name + params.length;
    Method method = methods.get(key);
    if (method == null) {
      method = type.getMethod(name, params);
      methods.put(key, method);
    }
    return method;
  }
}
