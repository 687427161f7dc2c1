package io.flowcost.agent.http.urlconnection;

import io.flowcost.agent.caps.CapRefusal;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import net.bytebuddy.asm.Advice;

/**
 * {@code getOutputStream()}: a model request the workflow's caps refuse is never connected nor
 * sent (enter: the method is skipped and throws the refusal); else the body the app writes is
 * teed (exit).
 */
public final class GetOutputStreamAdvice {

  private GetOutputStreamAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static CapRefusal enter(@Advice.This HttpURLConnection connection) {
    return UrlConnectionTracing.beforeRequestBody(connection);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter CapRefusal refusal,
      @Advice.This HttpURLConnection connection,
      @Advice.Return(readOnly = false) OutputStream stream,
      @Advice.Thrown(readOnly = false) Throwable thrown) {
    thrown = CapRefusal.thrown(refusal, thrown);
    stream = UrlConnectionTracing.requestStream(connection, stream);
  }
}
