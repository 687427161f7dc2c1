package io.flowcost.agent.http.urlconnection;

import java.io.OutputStream;
import java.net.HttpURLConnection;
import net.bytebuddy.asm.Advice;

/** Exit of {@code getOutputStream()}: the body the app writes is teed. */
public final class GetOutputStreamAdvice {

  private GetOutputStreamAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.This HttpURLConnection connection,
      @Advice.Return(readOnly = false) OutputStream stream) {
    stream = UrlConnectionTracing.requestStream(connection, stream);
  }
}
