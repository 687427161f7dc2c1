package io.flowcost.agent.http.urlconnection;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.http.HttpExchanges;
import io.flowcost.agent.http.HttpSettings;
import io.flowcost.agent.http.LlmEndpoints;
import io.flowcost.agent.http.RequestFields;
import io.flowcost.agent.http.TeeInputStream;
import io.flowcost.agent.propagation.ClientPropagation;
import io.flowcost.agent.propagation.OutgoingHeaders;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/** What the {@code HttpURLConnection} advice calls; every entry point catches everything. */
public final class UrlConnectionTracing {

  /** Per connection: the teed request body, the exchange, and the teed response stream. */
  private static final Map<HttpURLConnection, State> STATES =
      Collections.synchronizedMap(new WeakHashMap<>());

  private UrlConnectionTracing() {}

  private static final class State {
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean bodyTooLarge;
    /** Whether the caps were checked when the body was asked for ({@link HttpExchanges#admit}). */
    boolean admitted;
    /** The refusal every later {@code getOutputStream}/{@code getInputStream} throws again. */
    CapRefusal refusal;
    boolean started;
    HttpExchange exchange;
    InputStream teed;
    InputStream raw;
    int depth;
  }

  /**
   * Enter of {@code getOutputStream()}: the first time, before the JDK connects or (in streaming
   * mode) sends the head, a model request of its own is checked against the workflow's caps. A
   * refused request is never sent: this and every later {@code getOutputStream()}/{@code
   * getInputStream()} of the connection throws the refusal. Never throws.
   *
   * @return the {@link CapRefusal} (the advice then skips the method and throws it), or {@code null}
   */
  public static CapRefusal beforeRequestBody(HttpURLConnection connection) {
    try {
      URL url = connection.getURL();
      if (HttpSettings.current().isCollector(url.getProtocol(), url.getHost(), url.getPort())) {
        return null; // the agent's own export
      }
      State state = STATES.computeIfAbsent(connection, c -> new State());
      synchronized (state) {
        if (state.refusal != null || state.admitted || state.started) {
          return state.refusal;
        }
        state.admitted = true;
        state.refusal = HttpExchanges.admit(url.getProtocol(), url.getHost(), url.getPort(),
            path(url), null); // a JDK class: the exception type comes from the context loader
        return state.refusal;
      }
    } catch (Throwable t) {
      AgentLog.failure("url connection caps", t);
      return null;
    }
  }

  /** A request to a model endpoint has its body teed; any other stream is returned unchanged. */
  public static OutputStream requestStream(HttpURLConnection connection, OutputStream stream) {
    try {
      if (stream == null || stream instanceof BodyTee) {
        return stream;
      }
      URL url = connection.getURL();
      HttpSettings settings = HttpSettings.current();
      if (settings.isCollector(url.getProtocol(), url.getHost(), url.getPort())
          || LlmEndpoints.match(settings, url.getProtocol(), url.getHost(), url.getPort(),
              path(url)) == null) {
        return stream;
      }
      State state = STATES.computeIfAbsent(connection, c -> new State());
      return new BodyTee(stream, state);
    } catch (Throwable t) {
      AgentLog.failure("url connection request body", t);
      return stream;
    }
  }

  /**
   * The request is about to be sent (or was, in streaming mode): starts the exchange once and adds
   * {@code traceparent} to the headers. A model request not yet checked against the workflow's
   * caps (no {@code getOutputStream()} before) is checked now, before anything is sent.
   *
   * @return a {@link CapRefusal} when the request is refused (the advice skips the method and
   *     throws it), else whether this is the outermost {@code getInputStream()} of the connection
   */
  public static Object beforeResponse(HttpURLConnection connection, Object requests) {
    try {
      URL url = connection.getURL();
      if (HttpSettings.current().isCollector(url.getProtocol(), url.getHost(), url.getPort())) {
        return Boolean.FALSE; // the agent's own export
      }
      State state = STATES.computeIfAbsent(connection, c -> new State());
      synchronized (state) {
        if (state.refusal != null) {
          return state.refusal;
        }
        if (state.depth++ > 0) {
          return Boolean.FALSE;
        }
        if (state.started) {
          return Boolean.TRUE;
        }
        state.started = true;
      }
      String scheme = url.getProtocol();
      String path = path(url);
      byte[] body = state.bodyTooLarge ? null : state.body.toByteArray();
      java.util.function.Supplier<RequestFields> fields =
          () -> body == null || body.length == 0 ? RequestFields.NONE : RequestFields.parse(body);
      HttpExchange exchange = state.admitted
          ? HttpExchanges.startAdmitted(connection.getRequestMethod(), scheme, url.getHost(),
              url.getPort(), path, fields)
          : HttpExchanges.start(connection.getRequestMethod(), scheme, url.getHost(),
              url.getPort(), path, fields, null);
      CapRefusal refused = HttpExchange.refusalOf(exchange);
      if (refused != null) {
        synchronized (state) {
          state.depth--;
          state.refusal = refused; // every later call on the connection throws it again
          return refused;
        }
      }
      state.exchange = exchange;
      OutgoingHeaders headers = ClientPropagation.headers(state.exchange, scheme, url.getHost(),
          url.getPort(), path, header(requests, "traceparent"), header(requests, "baggage"));
      if (headers.traceparent() != null) {
        setHeader(requests, "traceparent", headers.traceparent());
      }
      if (headers.baggage() != null) {
        setHeader(requests, "baggage", headers.baggage());
      }
      return Boolean.TRUE;
    } catch (Throwable t) {
      AgentLog.failure("url connection request", t);
      return Boolean.FALSE;
    }
  }

  /**
   * The outermost {@code getInputStream()} returned or threw: the response head, and its body
   * teed. {@code token} is what {@link #beforeResponse} returned.
   */
  public static InputStream response(
      Object token, HttpURLConnection connection, InputStream stream, Throwable thrown) {
    State state = STATES.get(connection);
    if (state == null || CapRefusal.isRefusal(token)) {
      return stream;
    }
    boolean outermost = Boolean.TRUE.equals(token);
    try {
      if (!outermost) {
        return stream;
      }
      HttpExchange exchange = state.exchange;
      if (exchange == null) {
        return stream;
      }
      if (thrown != null) {
        int code = connection.getResponseCode(); // answered from what was received; -1 if nothing
        if (code > 0) {
          exchange.responseHead(code, connection.getContentType(), null);
        }
        exchange.failed(thrown); // a no-op when an error status already ended it
        return stream;
      }
      if (stream == null) {
        return null;
      }
      if (state.raw == stream && state.teed != null) {
        return state.teed; // asked again: the same stream the app already has
      }
      boolean tee = exchange.responseHead(connection.getResponseCode(), connection.getContentType(),
          connection.getHeaderField(HttpExchange.PROVIDER_COST_HEADER));
      if (!tee) {
        return stream;
      }
      state.raw = stream;
      state.teed = new TeeInputStream(stream, exchange);
      return state.teed;
    } catch (Throwable t) {
      AgentLog.failure("url connection response", t);
      return stream;
    } finally {
      synchronized (state) {
        state.depth = Math.max(0, state.depth - 1);
      }
    }
  }

  /** The app let the connection go: an exchange not yet ended ends with what was read. */
  public static void disconnected(HttpURLConnection connection) {
    try {
      State state = STATES.remove(connection);
      if (state != null && state.exchange != null) {
        state.exchange.bodyComplete();
      }
    } catch (Throwable t) {
      AgentLog.failure("url connection disconnect", t);
    }
  }

  private static String path(URL url) {
    String path = url.getPath();
    return path == null || path.isEmpty() ? "/" : path;
  }

  private static String header(Object requests, String name) throws ReflectiveOperationException {
    if (requests == null) {
      return null;
    }
    return (String) requests.getClass().getMethod("findValue", String.class).invoke(requests, name);
  }

  private static void setHeader(Object requests, String name, String value)
      throws ReflectiveOperationException {
    if (requests != null) {
      requests.getClass().getMethod("set", String.class, String.class).invoke(requests, name, value);
    }
  }

  /** Passes the app's writes on unchanged and keeps a bounded copy for the request's model. */
  private static final class BodyTee extends FilterOutputStream {
    private final State state;

    BodyTee(OutputStream out, State state) {
      super(out);
      this.state = state;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      copy(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      copy(b, off, len);
    }

    private void copy(byte[] b, int off, int len) {
      synchronized (state) {
        if (state.bodyTooLarge) {
          return;
        }
        if (state.body.size() + (long) len > RequestFields.MAX_BODY) {
          state.bodyTooLarge = true;
          state.body.reset();
          return;
        }
        state.body.write(b, off, len);
      }
    }
  }
}
