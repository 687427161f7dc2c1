package io.flowcost.agent.propagation.servlet;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.context.PendingWorkflow;
import io.flowcost.agent.propagation.ServerScopes;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * Helpers of {@link ServiceAdvice}. The Servlet API lives in the application's class loader, so it
 * is read reflectively (its methods looked up once per request class).
 *
 * <p>The workflow of a request that made model calls is named {@code <METHOD> <route>}: Spring
 * MVC's best-matching pattern ({@code HandlerMapping.bestMatchingPattern}, set once the handler is
 * mapped — so the name is settled again when the request ends), else the servlet's mapping
 * pattern ({@code HttpServletRequest.getHttpServletMapping().getPattern()}). It ends when the
 * response is complete: when {@code service} returns, or — after {@code startAsync} (Spring MVC's
 * {@code Callable}, {@code DeferredResult}, streaming) — when the async cycle completes, errs or
 * times out. The boundary rides on the request as an attribute, so the async and error dispatches
 * of the same request run in it instead of opening another.
 */
public final class ServletTracing {

  /** The request attribute holding the request's boundary. */
  static final String BOUNDARY_ATTRIBUTE = "io.flowcost.agent.boundary";

  /** Spring MVC's {@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}. */
  static final String SPRING_PATTERN =
      "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

  private static final ServerScopes SCOPES = new ServerScopes("servlet");

  private static final ClassValue<Api> APIS =
      new ClassValue<>() {
        @Override
        protected Api computeValue(Class<?> type) {
          return Api.of(type.getClassLoader());
        }
      };

  private ServletTracing() {}

  /** Entry: a token for {@link #exit}, or {@code null}. */
  public static Object enter(Object request) {
    Api api = request == null ? null : APIS.get(request.getClass());
    if (api == null || !api.request.isInstance(request)) {
      return null;
    }
    Object existing = api.attribute(request, BOUNDARY_ATTRIBUTE);
    if (existing instanceof PendingWorkflow) {
      return SCOPES.reenter((PendingWorkflow) existing); // async or error dispatch
    }
    Object token =
        SCOPES.enter(name -> api.headers(request, name), api.string(api.getMethod, request),
            () -> name(api, request));
    PendingWorkflow boundary = ServerScopes.boundary(token);
    if (boundary != null) {
      api.setAttribute(request, BOUNDARY_ATTRIBUTE, boundary);
    }
    return token;
  }

  /** Exit: restores the context; ends the request's workflow unless the request went async. */
  public static void exit(Object token, Object request, Object response, Throwable thrown) {
    SCOPES.exit(token);
    PendingWorkflow boundary = ServerScopes.boundary(token);
    if (boundary == null) {
      return;
    }
    Api api = APIS.get(request.getClass());
    try {
      if (thrown == null && api.asyncStarted(request)) {
        api.endWhenAsyncCompletes(request, boundary);
        return;
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      AgentLog.failure("servlet async listener", e);
    }
    boundary.end(ServerScopes.errorType(unwrap(thrown), api.status(response)));
  }

  /** The application's exception inside a {@code ServletException} (Spring MVC wraps it so). */
  static Throwable unwrap(Throwable thrown) {
    if (thrown != null && thrown.getCause() != null
        && thrown.getClass().getName().equals("jakarta.servlet.ServletException")) {
      return thrown.getCause();
    }
    return thrown;
  }

  static String name(Api api, Object request) {
    String method = api.string(api.getMethod, request);
    Object pattern = api.attribute(request, SPRING_PATTERN);
    if (pattern != null) {
      return ServerScopes.workflowName(method, pattern.toString());
    }
    return ServerScopes.workflowName(method, api.mappingPattern(request));
  }

  /** The Servlet API methods of one class loader. */
  static final class Api {
    final Class<?> request;
    final Class<?> response;
    final Method getHeaders;
    final Method getMethod;
    final Method getAttribute;
    final Method setAttribute;
    final Method getHttpServletMapping;
    final Method getPattern;
    final Method getStatus;
    final Method isAsyncStarted;
    final Method getAsyncContext;
    final Method addListener;
    final Class<?> asyncListener;
    final Method getSuppliedResponse;

    private Api(ClassLoader loader) throws ReflectiveOperationException {
      request = Class.forName("jakarta.servlet.http.HttpServletRequest", false, loader);
      response = Class.forName("jakarta.servlet.http.HttpServletResponse", false, loader);
      getHeaders = request.getMethod("getHeaders", String.class);
      getMethod = request.getMethod("getMethod");
      getAttribute = request.getMethod("getAttribute", String.class);
      setAttribute = request.getMethod("setAttribute", String.class, Object.class);
      getHttpServletMapping = request.getMethod("getHttpServletMapping");
      getPattern = getHttpServletMapping.getReturnType().getMethod("getPattern");
      getStatus = response.getMethod("getStatus");
      isAsyncStarted = request.getMethod("isAsyncStarted");
      getAsyncContext = request.getMethod("getAsyncContext");
      Class<?> asyncContext = getAsyncContext.getReturnType();
      asyncListener = Class.forName("jakarta.servlet.AsyncListener", false, loader);
      addListener = asyncContext.getMethod("addListener", asyncListener);
      Class<?> asyncEvent = Class.forName("jakarta.servlet.AsyncEvent", false, loader);
      getSuppliedResponse = asyncEvent.getMethod("getSuppliedResponse");
    }

    static Api of(ClassLoader loader) {
      try {
        return new Api(loader);
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        return null; // not a Servlet 6 request class loader
      }
    }

    Object call(Method method, Object target, Object... args) {
      try {
        return method.invoke(target, args);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    String string(Method method, Object target) {
      Object v = call(method, target);
      return v instanceof String ? (String) v : null;
    }

    Object attribute(Object request, String name) {
      return call(getAttribute, request, name);
    }

    void setAttribute(Object request, String name, Object value) {
      call(setAttribute, request, name, value);
    }

    String mappingPattern(Object request) {
      Object mapping = call(getHttpServletMapping, request);
      if (mapping == null) {
        return null;
      }
      Object pattern = call(getPattern, mapping);
      // "" is the context root mapping
      return pattern instanceof String ? (((String) pattern).isEmpty() ? "/" : (String) pattern) : null;
    }

    int status(Object response) {
      if (!this.response.isInstance(response)) {
        return -1;
      }
      Object v = call(getStatus, response);
      return v instanceof Integer ? (Integer) v : -1;
    }

    boolean asyncStarted(Object request) {
      return Boolean.TRUE.equals(call(isAsyncStarted, request));
    }

    List<String> headers(Object request, String name) {
      Object values = call(getHeaders, request, name);
      if (!(values instanceof Enumeration)) {
        return null;
      }
      List<String> out = new ArrayList<>();
      for (Enumeration<?> e = (Enumeration<?>) values; e.hasMoreElements(); ) {
        out.add(String.valueOf(e.nextElement()));
      }
      return out.isEmpty() ? null : out;
    }

    /**
     * Adds an {@code AsyncListener} that ends the boundary when the async cycle completes (failed
     * with a 5xx), errs or times out — and re-registers itself when the application starts another
     * async cycle, as the Servlet spec requires.
     */
    void endWhenAsyncCompletes(Object request, PendingWorkflow boundary)
        throws ReflectiveOperationException {
      Object asyncContext = getAsyncContext.invoke(request);
      Object[] self = new Object[1];
      self[0] =
          Proxy.newProxyInstance(
              asyncListener.getClassLoader(),
              new Class<?>[] {asyncListener},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "onComplete":
                    boundary.end(ServerScopes.errorType(null, status(supplied(args))));
                    return null;
                  case "onError":
                    boundary.end(ServerScopes.errorType(asyncError(args), 500));
                    return null;
                  case "onTimeout":
                    boundary.end("timeout");
                    return null;
                  case "onStartAsync":
                    Object next = call(getAsyncContext, request);
                    if (next != null) {
                      call(addListener, next, self[0]);
                    }
                    return null;
                  case "hashCode":
                    return System.identityHashCode(proxy);
                  case "equals":
                    return proxy == args[0];
                  case "toString":
                    return "flowcost-async-listener";
                  default:
                    return null;
                }
              });
      try {
        addListener.invoke(asyncContext, self[0]);
      } catch (InvocationTargetException e) {
        throw new IllegalStateException("addListener failed", e.getCause());
      }
    }

    private Object supplied(Object[] args) {
      return args == null || args.length == 0 ? null : call(getSuppliedResponse, args[0]);
    }

    private static Throwable asyncError(Object[] args) {
      if (args == null || args.length == 0 || args[0] == null) {
        return null;
      }
      try {
        Object t = args[0].getClass().getMethod("getThrowable").invoke(args[0]);
        return t instanceof Throwable ? (Throwable) t : null;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }
  }
}
