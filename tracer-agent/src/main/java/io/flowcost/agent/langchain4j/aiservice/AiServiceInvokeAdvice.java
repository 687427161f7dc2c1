package io.flowcost.agent.langchain4j.aiservice;

import dev.langchain4j.service.TokenStream;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.langchain4j.TypedReads;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on the AI-service proxy handler {@code DefaultAiServices$N.invoke(Object, Method,
 * Object[])}. Inlined into the instrumented method; see {@code AgentInstaller}.
 *
 * <p>Whether the invocation returned a {@code TokenStream} is told here with a plain {@code
 * instanceof} (linked in the application's class loader), not by name through {@code Reflect}:
 * see {@code ChatAdvice}; a {@link LinkageError} sends it back to the name for good ({@link
 * AiServiceTracing#TYPED}).
 */
public final class AiServiceInvokeAdvice {

  private AiServiceInvokeAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(
      @Advice.Argument(1) java.lang.reflect.Method method, @Advice.Argument(2) Object[] args) {
    return AiServiceTracing.enter(method, args);
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object returned,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    Object tokenStream = TypedReads.UNREAD;
    if (thrown == null && AiServiceTracing.TYPED.on()) {
      try {
        tokenStream = returned instanceof TokenStream ? Boolean.TRUE : Boolean.FALSE;
      } catch (LinkageError e) {
        AiServiceTracing.TYPED.off(e);
        tokenStream = TypedReads.UNREAD;
      }
    }
    thrown = AiServiceTracing.exit(token, returned, thrown, tokenStream);
  }
}
