package io.flowcost.agent.langchain4j.chat;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.langchain4j.TypedReads;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code ChatModel.chat(ChatRequest[, ChatRequestOptions])}. Inlined into the instrumented
 * method; see {@code AgentInstaller}.
 *
 * <p>The values the call's span needs are read here with plain calls to LangChain4j, linked in
 * the application's class loader (this code runs inside LangChain4j's own method): each reflective
 * read ({@code Reflect.Getter}) went through a customised method handle of its own, cold between
 * two hooks in an application (≈ 4 µs per AI-service invocation in situ over ≈ 25 reads). Every
 * supported line (1.4, 1.19) has these methods; should one be missing ({@link LinkageError}), the
 * reads go back to the reflective path for good ({@link ChatTracing#TYPED}); a getter that throws
 * makes this call read reflectively, as before (its value then reads null).
 */
public final class ChatAdvice {

  private ChatAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(@Advice.This Object model, @Advice.Argument(0) Object request) {
    Object provider = TypedReads.UNREAD;
    String requestModel = null;
    if (ChatTracing.TYPED.on()) {
      try {
        ChatModel chatModel = (ChatModel) model;
        requestModel = ((ChatRequest) request).modelName();
        if (requestModel == null) {
          ChatRequestParameters defaults = chatModel.defaultRequestParameters();
          requestModel = defaults == null ? null : defaults.modelName();
        }
        provider = chatModel.provider(); // last: read means all were read
      } catch (LinkageError e) {
        ChatTracing.TYPED.off(e);
        provider = TypedReads.UNREAD;
      } catch (Throwable t) {
        provider = TypedReads.UNREAD;
      }
    }
    return provider == TypedReads.UNREAD
        ? ChatTracing.enter(model, request, false)
        : ChatTracing.enter(model, provider, requestModel);
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object response,
      @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) {
    Object finishReason = TypedReads.UNREAD;
    String responseModel = null;
    if (response != null && ChatTracing.TYPED.on() && ChatTracing.ends(token)) {
      try {
        ChatResponse chatResponse = (ChatResponse) response;
        responseModel = chatResponse.modelName();
        finishReason = chatResponse.finishReason(); // last: read means all were read
      } catch (LinkageError e) {
        ChatTracing.TYPED.off(e);
        finishReason = TypedReads.UNREAD;
      } catch (Throwable t) {
        finishReason = TypedReads.UNREAD;
      }
    }
    thrown = finishReason == TypedReads.UNREAD
        ? ChatTracing.exit(token, response, thrown)
        : ChatTracing.exit(token, response, thrown, responseModel, finishReason);
  }
}
