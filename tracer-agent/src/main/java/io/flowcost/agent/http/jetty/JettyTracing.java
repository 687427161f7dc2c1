package io.flowcost.agent.http.jetty;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.http.HttpExchanges;
import io.flowcost.agent.http.RequestFields;
import io.flowcost.agent.langchain4j.Reflect;
import io.flowcost.agent.propagation.ClientPropagation;
import io.flowcost.agent.propagation.OutgoingHeaders;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/** What {@link SendAdvice} calls; Jetty is read reflectively through its public interfaces. */
public final class JettyTracing {

  private static final String RESPONSE = "org.eclipse.jetty.client.Response";

  /** The refusal of each request the workflow's caps refused, for the blocking {@code send()}. */
  private static final Map<Object, RuntimeException> REFUSED =
      Collections.synchronizedMap(new WeakHashMap<>());

  private JettyTracing() {}

  /**
   * A request is sent: starts its exchange and adds the listeners that see its response. A model
   * request the workflow's caps refuse is aborted with the refusal before Jetty takes it: Jetty
   * then never writes it and fails it through its own path (the listeners complete with a failed
   * {@code Result} whose failure is the refusal; the connection, if one was opened, goes back to
   * the pool unused).
   */
  public static void send(Object request) {
    try {
      String scheme = Reflect.callString(request, "getScheme");
      String host = Reflect.callString(request, "getHost");
      Long port = Reflect.callLong(request, "getPort");
      String path = Reflect.callString(request, "getPath");
      String method = Reflect.callString(request, "getMethod");
      int p = port == null ? -1 : port.intValue();
      String rawPath = path == null || path.isEmpty() ? "/" : path;
      HttpExchange exchange = HttpExchanges.start(method, scheme, host, p, rawPath,
          () -> requestFields(request), request.getClass().getClassLoader());
      RuntimeException refused = CapRefusal.exceptionOf(HttpExchange.refusalOf(exchange));
      if (refused != null) {
        REFUSED.put(request, refused);
        publicMethod(request, "abort", Throwable.class).invoke(request, refused);
        return;
      }
      Object fields = Reflect.call(request, "getHeaders");
      OutgoingHeaders headers = ClientPropagation.headers(exchange, scheme, host, p, rawPath,
          header(fields, "traceparent"), header(fields, "baggage"));
      if (headers.traceparent() != null || headers.baggage() != null) {
        Consumer<Object> put = mutable -> {
          try {
            Method putMethod = publicMethod(mutable, "put", String.class, String.class);
            if (headers.traceparent() != null) {
              putMethod.invoke(mutable, "traceparent", headers.traceparent());
            }
            if (headers.baggage() != null) {
              putMethod.invoke(mutable, "baggage", headers.baggage());
            }
          } catch (ReflectiveOperationException | RuntimeException e) {
            AgentLog.failure("jetty headers", e);
          }
        };
        publicMethod(request, "headers", Consumer.class).invoke(request, put);
      }
      if (exchange != null) {
        listen(request, exchange);
      }
    } catch (Throwable t) {
      AgentLog.failure("jetty send", t);
    }
  }

  /**
   * Exit of the blocking {@code send()}: Jetty wraps a request's failure in an {@code
   * ExecutionException}; a refused request throws the refusal itself, as on every other client
   * (apps catch {@code WorkflowCapExceededException} by type). Anything else is thrown unchanged.
   */
  public static Throwable blockingSendThrown(Object request, Throwable thrown) {
    try {
      if (thrown instanceof ExecutionException && thrown.getCause() != null) {
        RuntimeException refusal = REFUSED.get(request);
        if (refusal != null && thrown.getCause() == refusal) {
          return refusal;
        }
      }
    } catch (Throwable t) {
      AgentLog.failure("jetty send", t);
    }
    return thrown;
  }

  private static void listen(Object request, HttpExchange exchange) throws ReflectiveOperationException {
    ClassLoader loader = request.getClass().getClassLoader();
    Listener listener = new Listener(exchange);
    for (String kind : new String[] {"HeadersListener", "ContentListener", "CompleteListener"}) {
      Class<?> type = Class.forName(RESPONSE + "$" + kind, false, loader);
      Object proxy = Proxy.newProxyInstance(loader, new Class<?>[] {type}, listener);
      String register = kind.equals("HeadersListener") ? "onResponseHeaders"
          : kind.equals("ContentListener") ? "onResponseContent" : "onComplete";
      publicMethod(request, register, type).invoke(request, proxy);
    }
  }

  /** The three listeners in one handler: head, each content chunk, completion. */
  private static final class Listener implements InvocationHandler {
    private final HttpExchange exchange;
    private volatile boolean tee;

    Listener(HttpExchange exchange) {
      this.exchange = exchange;
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
            return "flowcost-jetty-listener";
        }
      }
      if (method.isDefault()) {
        // Jetty's adapters (an async content callback onto onContent(Response, ByteBuffer))
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      try {
        observe(method.getName(), args);
      } catch (Throwable t) {
        AgentLog.failure("jetty response", t);
      }
      return null;
    }

    private void observe(String name, Object[] args) throws ReflectiveOperationException {
      if (name.equals("onHeaders") && args.length == 1) {
        Object response = args[0];
        Long status = Reflect.callLong(response, "getStatus");
        Object fields = Reflect.call(response, "getHeaders");
        tee = exchange.responseHead(status == null ? 0 : status.intValue(),
            header(fields, "Content-Type"), header(fields, HttpExchange.PROVIDER_COST_HEADER));
      } else if (name.equals("onContent") && args.length == 2 && args[1] instanceof ByteBuffer) {
        if (tee) {
          exchange.bodyBytes((ByteBuffer) args[1]);
        }
      } else if (name.equals("onComplete") && args.length == 1) {
        Object result = args[0];
        Object failure = Reflect.call(result, "getFailure");
        if (failure instanceof Throwable) {
          exchange.failed((Throwable) failure);
        } else {
          exchange.bodyComplete();
        }
      }
    }
  }

  /** The model and stream flag of an in-memory body ({@code StringRequestContent}, …). */
  private static RequestFields requestFields(Object request) {
    try {
      Object body = Reflect.call(request, "getBody");
      if (body == null) {
        return RequestFields.NONE;
      }
      Object buffers = Reflect.call(body, "getByteBuffers");
      if (!(buffers instanceof Collection)) {
        return RequestFields.NONE;
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      for (Object b : (Collection<?>) buffers) {
        ByteBuffer view = ((ByteBuffer) b).duplicate();
        if (bytes.size() + (long) view.remaining() > RequestFields.MAX_BODY) {
          return RequestFields.NONE;
        }
        byte[] chunk = new byte[view.remaining()];
        view.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
      return RequestFields.parse(bytes.toByteArray());
    } catch (Throwable t) {
      return RequestFields.NONE;
    }
  }

  private static String header(Object fields, String name) throws ReflectiveOperationException {
    if (fields == null) {
      return null;
    }
    Object value = publicMethod(fields, "get", String.class).invoke(fields, name);
    return value == null ? null : value.toString();
  }

  /** A public method of {@code target} reached through a public class or interface. */
  private static Method publicMethod(Object target, String name, Class<?>... params)
      throws NoSuchMethodException {
    Method method = target.getClass().getMethod(name, params);
    if (method.trySetAccessible()) {
      return method;
    }
    throw new NoSuchMethodException(name);
  }
}
