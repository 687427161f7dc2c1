package io.flowcost.agent.http.apache4;

import static io.flowcost.agent.http.apache5.ApacheTracing.call;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.calls.CallDepth;
import io.flowcost.agent.http.HttpEntityProxy;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.http.HttpExchanges;
import io.flowcost.agent.http.RequestFields;
import io.flowcost.agent.http.apache5.ApacheTracing;
import io.flowcost.agent.propagation.ClientPropagation;
import io.flowcost.agent.propagation.OutgoingHeaders;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.net.URI;

/** Helpers of {@link DoExecuteAdvice}; HttpClient 4 objects are read reflectively by public API. */
public final class Apache4Tracing {

  /** Returned for nested {@code doExecute} calls. */
  private static final Object NESTED = new Object();

  private static final CallDepth DEPTH = new CallDepth();

  private Apache4Tracing() {}

  /**
   * Entry: records the request and sets propagation headers on it; a {@link CapRefusal} when the
   * workflow's caps refuse it (the advice then skips {@code doExecute}). Never throws.
   */
  public static Object enter(Object target, Object request) {
    if (DEPTH.increment() > 1) {
      return NESTED;
    }
    try {
      Object line = call(request, "getRequestLine");
      String method = (String) call(line, "getMethod");
      URI uri = URI.create((String) call(line, "getUri"));
      String scheme;
      String host;
      int port;
      if (target != null) {
        scheme = (String) call(target, "getSchemeName");
        host = (String) call(target, "getHostName");
        port = (Integer) call(target, "getPort");
      } else {
        scheme = uri.getScheme();
        host = uri.getHost();
        port = uri.getPort();
      }
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      HttpExchange exchange = HttpExchanges.start(method, scheme, host, port, path,
          () -> requestFields(request), request.getClass().getClassLoader());
      CapRefusal refused = HttpExchange.refusalOf(exchange);
      if (refused != null) {
        return refused; // the advice skips doExecute and throws it: never sent
      }
      inject(exchange, request, scheme, host, port, path);
      return exchange;
    } catch (Throwable t) {
      AgentLog.failure("apache http 4 enter", t);
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
      int code = (Integer) call(call(response, "getStatusLine"), "getStatusCode");
      if (!exchange.responseHead(code, header(response, "Content-Type"),
          header(response, HttpExchange.PROVIDER_COST_HEADER))) {
        return thrown;
      }
      Object entity = call(response, "getEntity");
      if (entity == null) {
        exchange.bodyComplete();
        return thrown;
      }
      Class<?> entityType =
          Class.forName("org.apache.http.HttpEntity", false, entity.getClass().getClassLoader());
      Object teed = Proxy.newProxyInstance(entityType.getClassLoader(), new Class<?>[] {entityType},
          new HttpEntityProxy(exchange, entity));
      // the response is HttpClient 4's package-private HttpResponseProxy: call through its interface
      ApacheTracing.publicMethod(response.getClass(), "setEntity", new Class<?>[] {entityType})
          .invoke(response, teed);
    } catch (Throwable t) {
      AgentLog.failure("apache http 4 exit", t);
      exchange.bodyComplete();
    }
    return thrown;
  }

  private static String header(Object message, String name) throws ReflectiveOperationException {
    Object header = call(message, "getFirstHeader", name);
    return header == null ? null : (String) call(header, "getValue");
  }

  private static void inject(
      HttpExchange exchange, Object request, String scheme, String host, int port, String path)
      throws ReflectiveOperationException {
    OutgoingHeaders headers = ClientPropagation.headers(exchange, scheme, host, port, path,
        header(request, "traceparent"), header(request, "baggage"));
    if (headers.traceparent() != null) {
      call(request, "setHeader", "traceparent", headers.traceparent());
    }
    if (headers.baggage() != null) {
      call(request, "setHeader", "baggage", headers.baggage());
    }
  }

  /** The model of a repeatable, in-memory JSON request entity. */
  private static RequestFields requestFields(Object request) {
    try {
      if (!io.flowcost.agent.langchain4j.Reflect.isInstance(
          request, "org.apache.http.HttpEntityEnclosingRequest")) {
        return RequestFields.NONE;
      }
      Object entity = call(request, "getEntity");
      if (entity == null || !(Boolean) call(entity, "isRepeatable")) {
        return RequestFields.NONE;
      }
      Object typeHeader = call(entity, "getContentType");
      String type = typeHeader == null ? null : (String) call(typeHeader, "getValue");
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
}
