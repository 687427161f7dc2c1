package io.flowcost.agent.http.vertx;

import io.flowcost.agent.AgentLog;
import java.lang.reflect.Proxy;

/** Adds the agent's interceptor to a Vert.x {@code WebClient}. */
public final class VertxWebClientTracing {

  private VertxWebClientTracing() {}

  /** Adds the interceptor; never throws. */
  public static void addInterceptor(Object webClient) {
    try {
      ClassLoader loader = webClient.getClass().getClassLoader();
      Class<?> handler = Class.forName("io.vertx.core.Handler", false, loader);
      Object interceptor =
          Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, new Interceptor());
      webClient.getClass().getMethod("addInterceptor", handler).invoke(webClient, interceptor);
    } catch (Throwable t) {
      AgentLog.failure("vertx web client", t);
    }
  }
}
