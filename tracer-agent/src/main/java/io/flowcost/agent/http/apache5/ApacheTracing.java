package io.flowcost.agent.http.apache5;

import io.flowcost.agent.AgentLog;
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

/**
 * Helpers of {@link DoExecuteAdvice} — and of HttpClient 4's ({@code apache4.Apache4Tracing}): one
 * skeleton for both classic clients, whose differences are {@link ApacheClassic}'s. Apache objects
 * are read reflectively by public API.
 */
public final class ApacheTracing {

  /** Returned for nested {@code doExecute} calls. */
  private static final Object NESTED = new Object();

  private ApacheTracing() {}

  /** Entry of HttpClient 5's {@code doExecute}: see {@link #enter(ApacheClassic, Object, Object)}. */
  public static Object enter(Object target, Object request) {
    return enter(ApacheClassic.HTTP_CLIENT_5, target, request);
  }

  /** Exit of HttpClient 5's {@code doExecute}: see {@link #exit(ApacheClassic, Object, Object, Throwable)}. */
  public static Throwable exit(Object token, Object response, Throwable thrown) {
    return exit(ApacheClassic.HTTP_CLIENT_5, token, response, thrown);
  }

  /**
   * Entry of a classic client's {@code doExecute}: records the request and sets propagation
   * headers on it; a {@link CapRefusal} when the workflow's caps refuse it (the advice then skips
   * {@code doExecute}). Never throws.
   */
  public static Object enter(ApacheClassic client, Object target, Object request) {
    if (client.depth.increment() > 1) {
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
        java.net.URI uri = client.uri(request);
        scheme = uri.getScheme();
        host = uri.getHost();
        port = uri.getPort();
      }
      String path = client.path(request);
      HttpExchange exchange =
          HttpExchanges.start(
              client.method(request), scheme, host, port, path,
              () -> requestFields(client, request),
              request.getClass().getClassLoader());
      CapRefusal refused = HttpExchange.refusalOf(exchange);
      if (refused != null) {
        return refused; // the advice skips doExecute and throws it: never sent
      }
      inject(client, exchange, request, scheme, host, port, path);
      return exchange;
    } catch (Throwable t) {
      AgentLog.failure(client.logName + " enter", t);
      return null;
    }
  }

  /**
   * Exit of a classic client's {@code doExecute}: the response head, and a teed entity when the
   * exchange wants the body.
   *
   * @return what {@code doExecute} throws: a refusal's exception, else {@code thrown}
   */
  public static Throwable exit(ApacheClassic client, Object token, Object response,
      Throwable thrown) {
    client.depth.decrement();
    if (!(token instanceof HttpExchange)) {
      return CapRefusal.thrown(token, thrown); // a refusal's exception, else thrown
    }
    HttpExchange exchange = (HttpExchange) token;
    try {
      if (thrown != null || response == null) {
        exchange.failed(thrown != null ? thrown : new IllegalStateException());
        return thrown;
      }
      if (!exchange.responseHead(client.status(response), header(response, "Content-Type"),
          header(response, HttpExchange.PROVIDER_COST_HEADER))) {
        return thrown;
      }
      Object entity = call(response, "getEntity");
      if (entity == null) {
        exchange.bodyComplete();
        return thrown;
      }
      Class<?> entityType =
          Class.forName(client.entityType, false, entity.getClass().getClassLoader());
      Object teed =
          Proxy.newProxyInstance(
              entityType.getClassLoader(),
              new Class<?>[] {entityType},
              new HttpEntityProxy(exchange, entity));
      // HttpClient 4's response is the package-private HttpResponseProxy: call through a public type
      publicMethod(response.getClass(), "setEntity", new Class<?>[] {entityType})
          .invoke(response, teed);
    } catch (Throwable t) {
      AgentLog.failure(client.logName + " exit", t);
      exchange.bodyComplete();
    }
    return thrown;
  }

  /** A header's value ({@code getFirstHeader(name).getValue()}, both versions), or {@code null}. */
  private static String header(Object message, String name) throws ReflectiveOperationException {
    Object header = call(message, "getFirstHeader", name);
    return header == null ? null : (String) call(header, "getValue");
  }

  /** Sets the propagation headers on an HttpClient 5 request (classic or async). */
  static void inject(
      HttpExchange exchange, Object request, String scheme, String host, int port, String path)
      throws ReflectiveOperationException {
    inject(ApacheClassic.HTTP_CLIENT_5, exchange, request, scheme, host, port, path);
  }

  private static void inject(ApacheClassic client, HttpExchange exchange, Object request,
      String scheme, String host, int port, String path) throws ReflectiveOperationException {
    OutgoingHeaders headers =
        ClientPropagation.headers(
            exchange, scheme, host, port, path,
            header(request, "traceparent"), header(request, "baggage"));
    if (headers.traceparent() != null) {
      client.setHeader(request, "traceparent", headers.traceparent());
    }
    if (headers.baggage() != null) {
      client.setHeader(request, "baggage", headers.baggage());
    }
  }

  /** The model of a repeatable, in-memory JSON request entity. */
  private static RequestFields requestFields(ApacheClassic client, Object request) {
    try {
      Object entity = client.requestEntity(request);
      if (entity == null || !(Boolean) call(entity, "isRepeatable")) {
        return RequestFields.NONE;
      }
      String type = client.contentType(entity);
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
