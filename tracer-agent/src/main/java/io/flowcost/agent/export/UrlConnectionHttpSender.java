package io.flowcost.agent.export;

import io.flowcost.agent.AgentLog;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.common.export.HttpSender;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.MessageWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * OTLP/HTTP sender over {@link HttpURLConnection}.
 *
 * <p>The agent's classes live on the bootstrap class path, which cannot see {@code java.net.http}
 * (a platform-loader module), so OpenTelemetry's JDK-HttpClient sender cannot be used. The sender
 * runs on the batch processor's export thread, never on an application thread, and bypasses any
 * proxy so that the agent's own traffic stays off the application's network path.
 */
final class UrlConnectionHttpSender implements HttpSender {

  private static final int MAX_ERROR_BODY = 4096;

  private final HttpSenderConfig config;

  UrlConnectionHttpSender(HttpSenderConfig config) {
    this.config = config;
  }

  @Override
  public void send(
      MessageWriter messageWriter,
      Consumer<HttpResponse> onResponse,
      Consumer<Throwable> onError) {
    HttpURLConnection connection = null;
    try {
      connection = (HttpURLConnection) new URL(config.getEndpoint().toString()).openConnection(Proxy.NO_PROXY);
      connection.setRequestMethod("POST");
      connection.setDoOutput(true);
      connection.setUseCaches(false);
      connection.setConnectTimeout(millis(config.getConnectTimeout(), 2000));
      connection.setReadTimeout(millis(config.getTimeout(), 10000));
      connection.setRequestProperty("Content-Type", config.getContentType());
      if (config.getHeadersSupplier() != null) {
        Map<String, List<String>> headers = config.getHeadersSupplier().get();
        if (headers != null) {
          for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            for (String value : h.getValue()) {
              connection.addRequestProperty(h.getKey(), value);
            }
          }
        }
      }
      int length = messageWriter.getContentLength();
      if (length >= 0) {
        connection.setFixedLengthStreamingMode(length);
      }
      try (OutputStream out = connection.getOutputStream()) {
        messageWriter.writeMessage(out);
      }
      int status = connection.getResponseCode();
      String statusMessage = connection.getResponseMessage();
      byte[] body = readBody(connection, status);
      onResponse.accept(new Response(status, statusMessage, body));
    } catch (IOException | RuntimeException e) {
      AgentLog.once(
          "export-failure",
          "could not send spans to "
              + config.getEndpoint()
              + " ("
              + e.getClass().getName()
              + "); the application is not affected. Further failures are not logged.");
      onError.accept(e);
    } finally {
      if (connection != null) {
        connection.disconnect();
      }
    }
  }

  private static byte[] readBody(HttpURLConnection connection, int status) throws IOException {
    InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
    if (in == null) {
      return new byte[0];
    }
    try (InputStream stream = in) {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      byte[] chunk = new byte[1024];
      int n;
      while ((n = stream.read(chunk)) > 0 && buffer.size() < MAX_ERROR_BODY) {
        buffer.write(chunk, 0, n);
      }
      return buffer.toByteArray();
    }
  }

  private static int millis(java.time.Duration duration, int fallback) {
    if (duration == null || duration.isZero() || duration.isNegative()) {
      return fallback;
    }
    return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }

  private static final class Response implements HttpResponse {
    private final int status;
    private final String message;
    private final byte[] body;

    Response(int status, String message, byte[] body) {
      this.status = status;
      this.message = message == null ? "" : message;
      this.body = body;
    }

    @Override
    public int getStatusCode() {
      return status;
    }

    @Override
    public String getStatusMessage() {
      return message;
    }

    @Override
    public byte[] getResponseBody() {
      return body;
    }
  }
}
