package io.flowcost.agent.http.urlconnection;

import java.net.HttpURLConnection;
import net.bytebuddy.asm.Advice;

/** Enter of {@code disconnect()}: an exchange whose body was not read to its end ends here. */
public final class DisconnectAdvice {

  private DisconnectAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This HttpURLConnection connection) {
    UrlConnectionTracing.disconnected(connection);
  }
}
