package io.flowcost.agent.http.okhttp;

import io.flowcost.agent.AgentLog;
import java.lang.reflect.Proxy;
import java.util.List;

/** Adds the agent's interceptor to an {@code OkHttpClient.Builder}, once. */
public final class OkHttpTracing {

  private OkHttpTracing() {}

  /** Appends the interceptor unless the builder already has it (a copied builder). Never throws. */
  @SuppressWarnings("unchecked")
  public static void addInterceptor(Object builder) {
    try {
      ClassLoader loader = builder.getClass().getClassLoader();
      Class<?> interceptorType = Class.forName("okhttp3.Interceptor", false, loader);
      List<Object> interceptors =
          (List<Object>) builder.getClass().getMethod("interceptors").invoke(builder);
      for (Object existing : interceptors) {
        if (existing instanceof Proxy
            && Proxy.getInvocationHandler(existing) instanceof InterceptorHandler) {
          return;
        }
      }
      Object interceptor =
          Proxy.newProxyInstance(
              interceptorType.getClassLoader(),
              new Class<?>[] {interceptorType},
              new InterceptorHandler(OkHttpTypes.of(loader)));
      interceptors.add(interceptor);
    } catch (Throwable t) {
      AgentLog.failure("okhttp builder", t);
    }
  }
}
