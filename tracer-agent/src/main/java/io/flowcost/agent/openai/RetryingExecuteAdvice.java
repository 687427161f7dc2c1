package io.flowcost.agent.openai;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code RetryingHttpClient.execute(HttpRequest, RequestOptions)} of the OpenAI and
 * Anthropic SDKs.
 * Inlined into the instrumented method; see {@code AgentInstaller}.
 */
public final class RetryingExecuteAdvice {

  private RetryingExecuteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.Argument(0) Object request) {
    return OpenAiSdkTracing.enter(request);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    thrown = OpenAiSdkTracing.exit(token, thrown);
  }
}
