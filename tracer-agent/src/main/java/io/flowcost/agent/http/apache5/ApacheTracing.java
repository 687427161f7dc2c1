package io.flowcost.agent.http.apache5;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.calls.CallDepth;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.http.HttpEntityProxy;
import io.flowcost.agent.http.HttpExchanges;
import io.flowcost.agent.http.RequestFields;
import io.flowcost.agent.propagation.ClientPropagation;
import io.flowcost.agent.propagation.OutgoingHeaders;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/** Helpers of {@link DoExecuteAdvice}; Apache objects are read reflectively by public API. */
public final class ApacheTracing {

  /** Returned for nested {@code doExecute} calls. */
  private static final Object NESTED = new Object();

  private static final CallDepth DEPTH = new CallDepth();

  private ApacheTracing() {}

  /** Entry: records the request and sets propagation headers on it. Never throws. */
  public static Object enter(Object target, Object request) {
    if (DEPTH.increment() > 1) {
      return NESTED;
    }
    try {
      String scheme;
      String host;
      int port;
      if (target != null) {
        scheme = (String) call(target, "getSchemeName");
        host = (String) call(target, "getHostName");
        port = (Integer) call(target, "getPort");
      } else {
        java.net.URI uri = (java.net.URI) call(request, "getUri");
        scheme = uri.getScheme();
        host = uri.getHost();
        port = uri.getPort();
      }
      String path = (String) call(request, "getPath");
      int query = path == null ? -1 : path.indexOf('?');
      String rawPath = query < 0 ? path : path.substring(0, query);
      HttpExchange exchange =
          HttpExchanges.start(
              (String) call(request, "getMethod"), scheme, host, port, rawPath,
              () -> requestFields(request),
              request.getClass().getClassLoader());
      CapRefusal refused = HttpExchange.refusalOf(exchange);
      if (refused != null) {
        return refused; // the advice skips doExecute and throws it: never sent
      }
      inject(exchange, request, scheme, host, port, rawPath);
      return exchange;
    } catch (Throwable t) {
      AgentLog.failure("apache http enter", t);
      return null;
    }
  }

  /**
   * Exit: the response head, and a teed entity when the exchange wants the body.
   *
   * @return what {@code doExecute} throws: a refusal's exception, else {@code thrown}
   */
  public static Throwable exit(Object token, Object response, Throwable thrown) {
    DEPTH.decrement();
    if (!(token instanceof HttpExchange)) {
      return CapRefusal.thrown(token, thrown); // a refusal's exception, else thrown
    }
    HttpExchange exchange = (HttpExchange) token;
    try {
      if (thrown != null || response == null) {
        exchange.failed(thrown != null ? thrown : new IllegalStateException());
        return thrown;
      }
      int code = (Integer) call(response, "getCode");
      Object contentType = call(response, "getFirstHeader", "Content-Type");
      String type = contentType == null ? null : (String) call(contentType, "getValue");
      Object costHeader = call(response, "getFirstHeader", HttpExchange.PROVIDER_COST_HEADER);
      String cost = costHeader == null ? null : (String) call(costHeader, "getValue");
      if (!exchange.responseHead(code, type, cost)) {
        return thrown;
      }
      Object entity = call(response, "getEntity");
      if (entity == null) {
        exchange.bodyComplete();
        return thrown;
      }
      Class<?> entityType =
          Class.forName("org.apache.hc.core5.http.HttpEntity", false, entity.getClass().getClassLoader());
      Object teed =
          Proxy.newProxyInstance(
              entityType.getClassLoader(),
              new Class<?>[] {entityType},
              new HttpEntityProxy(exchange, entity));
      response.getClass().getMethod("setEntity", entityType).invoke(response, teed);
    } catch (Throwable t) {
      AgentLog.failure("apache http exit", t);
      exchange.bodyComplete();
    }
    return thrown;
  }

  static void inject(
      HttpExchange exchange, Object request, String scheme, String host, int port, String path)
      throws ReflectiveOperationException {
    Object tp = call(request, "getFirstHeader", "traceparent");
    Object bg = call(request, "getFirstHeader", "baggage");
    OutgoingHeaders headers =
        ClientPropagation.headers(
            exchange, scheme, host, port, path,
            tp == null ? null : (String) call(tp, "getValue"),
            bg == null ? null : (String) call(bg, "getValue"));
    Method setHeader = request.getClass().getMethod("setHeader", String.class, Object.class);
    if (headers.traceparent() != null) {
      setHeader.invoke(request, "traceparent", headers.traceparent());
    }
    if (headers.baggage() != null) {
      setHeader.invoke(request, "baggage", headers.baggage());
    }
  }

  /** The model of a repeatable, in-memory JSON request entity. */
  private static RequestFields requestFields(Object request) {
    try {
      Object entity = call(request, "getEntity");
      if (entity == null || !(Boolean) call(entity, "isRepeatable")) {
        return RequestFields.NONE;
      }
      String type = (String) call(entity, "getContentType");
      long length = (Long) call(entity, "getContentLength");
      if (type == null || !type.contains("json") || length <= 0 || length > RequestFields.MAX_BODY) {
        return RequestFields.NONE;
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      entity.getClass().getMethod("writeTo", OutputStream.class).invoke(entity, bytes);
      return RequestFields.parse(bytes.toByteArray());
    } catch (Throwable t) {
      return RequestFields.NONE;
    }
  }

  /**
   * Calls a public method through a public type (Apache's implementation classes may be
   * package-private); {@code String} arguments match {@code String} parameters. Shared with the
   * HttpClient 4 helpers, whose objects are read the same way.
   */
  public static Object call(Object target, String name, Object... args)
      throws ReflectiveOperationException {
    Class<?>[] types = new Class<?>[args.length];
    for (int i = 0; i < args.length; i++) {
      types[i] = args[i] instanceof String ? String.class : args[i].getClass();
    }
    Method method = publicMethod(target.getClass(), name, types);
    return method.invoke(target, args);
  }

  /** A public method declared by a public type (implementation classes may be package-private). */
  public static Method publicMethod(Class<?> type, String name, Class<?>[] types)
      throws NoSuchMethodException {
    Method m = type.getMethod(name, types);
    if (java.lang.reflect.Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
      return m;
    }
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> i : c.getInterfaces()) {
        try {
          Method im = i.getMethod(name, types);
          if (java.lang.reflect.Modifier.isPublic(i.getModifiers())) {
            return im;
          }
        } catch (NoSuchMethodException e) {
          // keep looking
        }
      }
    }
    m.setAccessible(true);
    return m;
  }
}
