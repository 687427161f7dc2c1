package io.flowcost.agent.openai;

import io.flowcost.agent.caps.CapRefusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code RetryingHttpClient.executeAsync(HttpRequest, RequestOptions)}: the logical call
 * ends once the returned future has completed and the response body is read. Inlined; see {@code
 * AgentInstaller}.
 */
public final class RetryingExecuteAsyncAdvice {

  private RetryingExecuteAsyncAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.Argument(0) Object request) {
    return OpenAiSdkTracing.enter(request);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object future,
      @Advice.Thrown Throwable thrown) {
    future = OpenAiSdkTracing.asyncResult(token, future); // a refused call: a failed future
    OpenAiSdkTracing.exitAsync(token, future, thrown);
  }
}
