package io.flowcost.agent.http.urlconnection;

import java.io.InputStream;
import java.net.HttpURLConnection;
import net.bytebuddy.asm.Advice;

/**
 * {@code getInputStream()}: the request is about to be sent (enter) and its response arrived or
 * failed (exit). The JDK calls it again from within (behind {@code getResponseCode()}); only the
 * outermost call acts.
 */
public final class GetInputStreamAdvice {

  private GetInputStreamAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static boolean enter(
      @Advice.This HttpURLConnection connection, @Advice.FieldValue("requests") Object requests) {
    return UrlConnectionTracing.beforeResponse(connection, requests);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter boolean outermost,
      @Advice.This HttpURLConnection connection,
      @Advice.Return(readOnly = false) InputStream stream,
      @Advice.Thrown Throwable thrown) {
    stream = UrlConnectionTracing.response(outermost, connection, stream, thrown);
  }
}
