package io.flowcost.agent.http.okhttp;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.http.HttpExchanges;
import io.flowcost.agent.http.RequestFields;
import io.flowcost.agent.propagation.ClientPropagation;
import io.flowcost.agent.propagation.OutgoingHeaders;
import io.flowcost.agent.http.TeeInputStream;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The body of the agent's {@code okhttp3.Interceptor}: records the exchange and, when its body
 * carries usage, hands the application a response whose body tees every byte read.
 */
final class InterceptorHandler implements InvocationHandler {

  private final OkHttpTypes types;

  InterceptorHandler(OkHttpTypes types) {
    this.types = types;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      switch (method.getName()) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        default:
          return "flowcost-interceptor";
      }
    }
    if (!method.getName().equals("intercept") || args == null || args.length != 1) {
      throw new UnsupportedOperationException(method.getName());
    }
    return intercept(args[0]);
  }

  private Object intercept(Object chain) throws Throwable {
    Object original = types.chainRequest.invoke(chain);
    HttpExchange exchange = start(chain, original);
    RuntimeException refused = CapRefusal.exceptionOf(HttpExchange.refusalOf(exchange));
    if (refused != null) {
      throw refused; // refused by the workflow's caps: never sent; the application's call throws it
    }
    Object request = inject(exchange, original);
    if (exchange == null) {
      return proceed(chain, request);
    }
    Object response;
    try {
      response = proceed(chain, request);
    } catch (Throwable t) {
      exchange.failed(t);
      throw t;
    }
    try {
      return observe(exchange, response);
    } catch (Throwable t) {
      AgentLog.failure("okhttp response", t);
      exchange.bodyComplete();
      return response;
    }
  }

  private HttpExchange start(Object chain, Object request) {
    try {
      Object url = types.requestUrl.invoke(request);
      return HttpExchanges.start(
          (String) types.requestMethod.invoke(request),
          (String) types.urlScheme.invoke(url),
          (String) types.urlHost.invoke(url),
          (Integer) types.urlPort.invoke(url),
          (String) types.urlEncodedPath.invoke(url),
          () -> requestFields(request),
          chain.getClass().getClassLoader());
    } catch (Throwable t) {
      AgentLog.failure("okhttp request", t);
      return null;
    }
  }

  /** The request with {@code traceparent} and baggage when {@link ClientPropagation} says so. */
  private Object inject(HttpExchange exchange, Object request) {
    try {
      Object url = types.requestUrl.invoke(request);
      OutgoingHeaders headers =
          ClientPropagation.headers(
              exchange,
              (String) types.urlScheme.invoke(url),
              (String) types.urlHost.invoke(url),
              (Integer) types.urlPort.invoke(url),
              (String) types.urlEncodedPath.invoke(url),
              (String) types.requestHeader.invoke(request, "traceparent"),
              (String) types.requestHeader.invoke(request, "baggage"));
      if (headers.isEmpty()) {
        return request;
      }
      Object builder = types.requestNewBuilder.invoke(request);
      if (headers.traceparent() != null) {
        types.requestBuilderHeader.invoke(builder, "traceparent", headers.traceparent());
      }
      if (headers.baggage() != null) {
        types.requestBuilderHeader.invoke(builder, "baggage", headers.baggage());
      }
      return types.requestBuilderBuild.invoke(builder);
    } catch (Throwable t) {
      AgentLog.failure("okhttp inject", t);
      return request;
    }
  }

  /**
   * The model and stream flag of a JSON request body, copied into an Okio buffer of our own (a
   * body that is not one-shot writes the same bytes to every sink).
   */
  private RequestFields requestFields(Object request) {
    try {
      Object body = types.requestBody.invoke(request);
      if (body == null
          || (types.requestBodyIsOneShot != null
              && (Boolean) types.requestBodyIsOneShot.invoke(body))) {
        return RequestFields.NONE;
      }
      Object mediaType = types.requestBodyContentType.invoke(body);
      long length = (Long) types.requestBodyContentLength.invoke(body);
      if (mediaType == null
          || !String.valueOf(mediaType).contains("json")
          || length <= 0
          || length > RequestFields.MAX_BODY) {
        return RequestFields.NONE;
      }
      Object buffer = types.okioBufferNew.newInstance();
      types.requestBodyWriteTo.invoke(body, buffer);
      return RequestFields.parse((byte[]) types.okioBufferReadByteArray.invoke(buffer));
    } catch (Throwable t) {
      return RequestFields.NONE;
    }
  }

  private Object observe(HttpExchange exchange, Object response) throws ReflectiveOperationException {
    int code = (Integer) types.responseCode.invoke(response);
    String contentType = (String) types.responseHeader.invoke(response, "Content-Type");
    String cost = (String) types.responseHeader.invoke(response, HttpExchange.PROVIDER_COST_HEADER);
    Object body = types.responseBody.invoke(response);
    if (!exchange.responseHead(code, contentType, cost)) {
      return response;
    }
    if (body == null) {
      exchange.bodyComplete();
      return response;
    }
    InputStream tee = new TeeInputStream((InputStream) types.bodyByteStream.invoke(body), exchange);
    Object source = types.okioBuffer.invoke(null, types.okioSource.invoke(null, tee));
    Object teedBody =
        types.bodyCreate.invoke(
            null,
            types.bodyContentType.invoke(body),
            types.bodyContentLength.invoke(body),
            source);
    Object builder = types.responseNewBuilder.invoke(response);
    types.responseBuilderBody.invoke(builder, teedBody);
    return types.responseBuilderBuild.invoke(builder);
  }

  private Object proceed(Object chain, Object request) throws Throwable {
    try {
      return types.chainProceed.invoke(chain, request);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
