package io.flowcost.agent.langchain4j.http;

import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import io.flowcost.agent.langchain4j.TypedReads;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code HttpClient.execute(HttpRequest)}. Inlined into the instrumented method; see
 * {@code AgentInstaller}.
 *
 * <p>The request's body, the response's status and body bytes are read here with plain calls to
 * LangChain4j (linked in the application's class loader), not reflectively: see {@code
 * ChatAdvice}. {@code bodyBytes()} is LangChain4j 1.4's only missing method: once it fails to link,
 * it reads null (as the reflective read of an absent method does) and the other reads stay plain;
 * any other {@link LinkageError} sends every later read back to the reflective path ({@link
 * HttpTracing#TYPED}), a getter that throws this call's.
 */
public final class HttpExecuteAdvice {

  private HttpExecuteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Argument(0) Object request) {
    Object body = TypedReads.UNREAD;
    if (HttpTracing.TYPED.on()) {
      try {
        body = ((HttpRequest) request).body();
      } catch (LinkageError e) {
        HttpTracing.TYPED.off(e);
        body = TypedReads.UNREAD;
      } catch (Throwable t) {
        body = TypedReads.UNREAD;
      }
    }
    return body == TypedReads.UNREAD
        ? HttpTracing.enter(request)
        : HttpTracing.enter(request, (String) body);
  }

  @Advice.OnMethodExit(backupArguments = false, onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object response,
      @Advice.Thrown Throwable thrown) {
    Object bytes = TypedReads.UNREAD;
    int status = 0;
    if (thrown == null && response != null && HttpTracing.TYPED.on() && HttpTracing.isAttempt(token)) {
      try {
        SuccessfulHttpResponse answer = (SuccessfulHttpResponse) response;
        status = answer.statusCode();
        bytes = null;
        if (HttpTracing.BODY_BYTES_TYPED.on()) {
          try {
            bytes = answer.bodyBytes();
          } catch (LinkageError e) {
            HttpTracing.BODY_BYTES_TYPED.off(e); // LangChain4j before 1.5: body() is read, as before
            bytes = null;
          }
        }
      } catch (LinkageError e) {
        HttpTracing.TYPED.off(e);
        bytes = TypedReads.UNREAD;
      } catch (Throwable t) {
        bytes = TypedReads.UNREAD;
      }
    }
    if (bytes == TypedReads.UNREAD) {
      HttpTracing.exitSync(token, response, thrown);
    } else {
      HttpTracing.exitSync(token, response, status, bytes);
    }
  }
}
