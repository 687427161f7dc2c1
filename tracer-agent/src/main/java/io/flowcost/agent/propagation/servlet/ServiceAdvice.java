package io.flowcost.agent.propagation.servlet;

import net.bytebuddy.asm.Advice;

/** Advice on {@code jakarta.servlet.http.HttpServlet.service(ServletRequest, ServletResponse)}. Inlined; see {@code AgentInstaller}. */
public final class ServiceAdvice {

  private ServiceAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Argument(0) Object request) {
    return ServletTracing.enter(request);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object token, @Advice.Argument(0) Object request,
      @Advice.Argument(1) Object response, @Advice.Thrown Throwable thrown) {
    ServletTracing.exit(token, request, response, thrown);
  }
}
