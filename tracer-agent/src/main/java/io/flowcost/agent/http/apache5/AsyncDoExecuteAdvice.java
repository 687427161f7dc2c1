package io.flowcost.agent.http.apache5;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code InternalAbstractHttpAsyncClient.doExecute(HttpHost, AsyncRequestProducer,
 * AsyncResponseConsumer, HandlerFactory, HttpContext, FutureCallback)}: the producer and consumer
 * are replaced by the agent's forwarding proxies ({@link ApacheAsyncTracing#wrap}). Inlined; see
 * {@code AgentInstaller}.
 */
public final class AsyncDoExecuteAdvice {

  private AsyncDoExecuteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(
      @Advice.Argument(value = 1, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object producer,
      @Advice.Argument(value = 2, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object consumer) {
    Object[] wrapped = ApacheAsyncTracing.wrap(producer, consumer);
    if (wrapped != null) {
      producer = wrapped[0];
      consumer = wrapped[1];
    }
  }
}
