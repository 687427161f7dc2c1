package io.flowcost.agent.langchain4j.tool;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.service.tool.ToolExecutionResult;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.langchain4j.TypedReads;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on the static {@code ToolService.executeWithErrorHandling(..)}. Inlined into the
 * instrumented method; see {@code AgentInstaller}.
 *
 * <p>The request's {@code name()} and the result's {@code isError()} are read here with plain
 * calls to LangChain4j (linked in the application's class loader), not reflectively: see {@code
 * ChatAdvice}. Every supported line has {@code ToolExecutionRequest.name()}; 1.4 returns a {@code
 * ToolExecutionResultMessage}, not a {@code ToolExecutionResult}: once that class fails to link,
 * the result is read reflectively, as before ({@link ToolTracing#RESULT_TYPED}), as is a result of
 * another class. Any other {@link LinkageError} sends the name back to the reflective path ({@link
 * ToolTracing#TYPED}); a getter that throws makes this call read reflectively.
 */
public final class ToolServiceAdvice {

  private ToolServiceAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.Argument(0) Object request) {
    Object tool = TypedReads.UNREAD;
    if (request != null && ToolTracing.TYPED.on()) {
      try {
        tool = ((ToolExecutionRequest) request).name();
      } catch (LinkageError e) {
        ToolTracing.TYPED.off(e);
        tool = TypedReads.UNREAD;
      } catch (Throwable t) {
        tool = TypedReads.UNREAD;
      }
    }
    return ToolTracing.enter(request, tool);
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object result,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    Object isError = TypedReads.UNREAD;
    if (thrown == null && ToolTracing.RESULT_TYPED.on() && ToolTracing.ends(token)) {
      try {
        // the cast's value stays on the stack (no local, no frame names the class): on a line
        // without it only this instanceof fails to link
        if (result instanceof ToolExecutionResult) {
          isError = ((ToolExecutionResult) result).isError() ? Boolean.TRUE : Boolean.FALSE;
        }
      } catch (LinkageError e) {
        ToolTracing.RESULT_TYPED.off(e);
        isError = TypedReads.UNREAD;
      } catch (Throwable t) {
        isError = TypedReads.UNREAD;
      }
    }
    thrown = ToolTracing.exit(token, result, thrown, isError);
  }
}
