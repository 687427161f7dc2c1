package io.flowcost.agent.http.vertx;

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
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.net.URI;

/**
 * The web-client interceptor: {@code handle(HttpContext)} for each phase, always passing on with
 * {@code next()}. Per-request state lives in the context's own attributes.
 */
final class Interceptor implements InvocationHandler {

  private static final String CONTEXT = "flowcost.context";
  private static final String EXCHANGE = "flowcost.exchange";

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      switch (method.getName()) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        default:
          return "flowcost-web-client-interceptor";
      }
    }
    Object ctx = args == null || args.length != 1 ? null : args[0];
    if (ctx == null || !method.getName().equals("handle")) {
      return null;
    }
    RuntimeException refusal = null;
    try {
      refusal = observe(ctx);
    } catch (Throwable t) {
      AgentLog.failure("vertx web client phase", t);
    }
    if (refusal != null) {
      // refused by the workflow's caps: the request is never created; the response future fails
      ctx.getClass().getMethod("fail", Throwable.class).invoke(ctx, refusal);
      return null;
    }
    ctx.getClass().getMethod("next").invoke(ctx);
    return null;
  }

  /** Observes one phase; returns a refusal's exception when the request must not be sent. */
  private static RuntimeException observe(Object ctx) throws ReflectiveOperationException {
    Object phase = Reflect.call(ctx, "phase");
    String name = phase instanceof Enum ? ((Enum<?>) phase).name() : "";
    switch (name) {
      case "PREPARE_REQUEST":
        // on the caller's thread: remember its context for the event-loop phases
        set(ctx, CONTEXT, Context.current());
        break;
      case "CREATE_REQUEST":
        return createRequest(ctx);
      case "RECEIVE_RESPONSE":
        HttpExchange exchange = get(ctx, EXCHANGE);
        Object response = Reflect.call(ctx, "clientResponse");
        if (exchange != null && response != null) {
          Long status = Reflect.callLong(response, "statusCode");
          java.lang.reflect.Method getHeader =
              response.getClass().getMethod("getHeader", String.class);
          String type = (String) getHeader.invoke(response, "Content-Type");
          String cost = (String) getHeader.invoke(response, HttpExchange.PROVIDER_COST_HEADER);
          exchange.responseHead(status == null ? 0 : status.intValue(), type, cost);
        }
        break;
      case "DISPATCH_RESPONSE":
        dispatchResponse(ctx);
        break;
      case "FAILURE":
        HttpExchange failed = get(ctx, EXCHANGE);
        Object error = Reflect.call(ctx, "failure");
        if (failed != null) {
          failed.failed(error instanceof Throwable ? (Throwable) error : new IllegalStateException());
        }
        break;
      default:
        break;
    }
    return null;
  }

  private static RuntimeException createRequest(Object ctx) throws ReflectiveOperationException {
    if (get(ctx, EXCHANGE) != null) {
      return null; // a redirect: still the same exchange
    }
    Object options = Reflect.call(ctx, "requestOptions");
    if (options == null) {
      return null;
    }
    String host = Reflect.callString(options, "getHost");
    Long port = Reflect.callLong(options, "getPort");
    Object ssl = Reflect.call(options, "isSsl");
    String uri = Reflect.callString(options, "getURI");
    Object method = Reflect.call(options, "getMethod");
    String scheme = Boolean.TRUE.equals(ssl) ? "https" : "http";
    String path = uri == null ? "/" : URI.create(uri).getRawPath();
    Context captured = get(ctx, CONTEXT);
    HttpExchange exchange;
    OutgoingHeaders headers;
    try (Scope ignored = (captured != null ? captured : Context.current()).makeCurrent()) {
      exchange =
          HttpExchanges.start(
              method == null ? null : method.toString(),
              scheme,
              host,
              port == null ? -1 : port.intValue(),
              path,
              () -> requestFields(ctx),
              ctx.getClass().getClassLoader());
      RuntimeException refused = CapRefusal.exceptionOf(HttpExchange.refusalOf(exchange));
      if (refused != null) {
        return refused;
      }
      Object existing = Reflect.call(options, "getHeaders");
      headers =
          ClientPropagation.headers(
              exchange, scheme, host, port == null ? -1 : port.intValue(), path,
              header(existing, "traceparent"), header(existing, "baggage"));
    }
    if (exchange != null) {
      set(ctx, EXCHANGE, exchange);
    }
    Method put = options.getClass().getMethod("putHeader", String.class, String.class);
    if (headers.traceparent() != null) {
      put.invoke(options, "traceparent", headers.traceparent());
    }
    if (headers.baggage() != null) {
      put.invoke(options, "baggage", headers.baggage());
    }
    return null;
  }

  private static void dispatchResponse(Object ctx) {
    HttpExchange exchange = get(ctx, EXCHANGE);
    if (exchange == null) {
      return;
    }
    Object response = Reflect.call(ctx, "response");
    Object buffer = Reflect.call(response, "bodyAsBuffer");
    Object bytes = Reflect.call(buffer, "getBytes");
    if (bytes instanceof byte[]) {
      exchange.bodyBytes((byte[]) bytes, 0, ((byte[]) bytes).length);
    }
    exchange.bodyComplete();
  }

  private static RequestFields requestFields(Object ctx) {
    Object body = Reflect.call(ctx, "body");
    if (body == null) {
      return RequestFields.NONE;
    }
    // a Buffer, or a JsonObject / POJO the client encodes: both render to JSON bytes
    Object buffer = Reflect.isInstance(body, "io.vertx.core.buffer.Buffer") ? body : Reflect.call(body, "toBuffer");
    Object bytes = Reflect.call(buffer, "getBytes");
    return bytes instanceof byte[] && ((byte[]) bytes).length <= RequestFields.MAX_BODY
        ? RequestFields.parse((byte[]) bytes)
        : RequestFields.NONE;
  }

  private static String header(Object multiMap, String name) throws ReflectiveOperationException {
    if (multiMap == null) {
      return null;
    }
    return (String) multiMap.getClass().getMethod("get", String.class).invoke(multiMap, name);
  }

  @SuppressWarnings("unchecked")
  private static <T> T get(Object ctx, String key) {
    try {
      return (T) ctx.getClass().getMethod("get", String.class).invoke(ctx, key);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static void set(Object ctx, String key, Object value) throws ReflectiveOperationException {
    ctx.getClass().getMethod("set", String.class, Object.class).invoke(ctx, key, value);
  }
}
