package io.flowcost.agent.http.urlconnection;

import io.flowcost.agent.caps.CapRefusal;
import java.io.InputStream;
import java.net.HttpURLConnection;
import net.bytebuddy.asm.Advice;

/**
 * {@code getInputStream()}: the request is about to be sent (enter) and its response arrived or
 * failed (exit). The JDK calls it again from within (behind {@code getResponseCode()}); only the
 * outermost call acts. A request the workflow's caps refuse is never sent: the method is skipped
 * and throws the refusal.
 */
public final class GetInputStreamAdvice {

  private GetInputStreamAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = CapRefusal.class)
  public static Object enter(
      @Advice.This HttpURLConnection connection, @Advice.FieldValue("requests") Object requests) {
    return UrlConnectionTracing.beforeResponse(connection, requests);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.This HttpURLConnection connection,
      @Advice.Return(readOnly = false) InputStream stream,
      @Advice.Thrown(readOnly = false) Throwable thrown) {
    thrown = CapRefusal.thrown(token, thrown);
    stream = UrlConnectionTracing.response(token, connection, stream, thrown);
  }
}
