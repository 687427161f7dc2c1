package io.flowcost.agent.http;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * An Apache {@code HttpEntity} (HttpClient 4 and 5 alike) forwarding everything to the response's
 * own entity, except that its content stream (or what {@code writeTo} writes) passes through the
 * exchange's tee.
 */
public final class HttpEntityProxy implements InvocationHandler {

  private final HttpExchange exchange;
  private final Object delegate;

  /** Forwards to {@code delegate}, teeing its content into {@code exchange}. */
  public HttpEntityProxy(HttpExchange exchange, Object delegate) {
    this.exchange = exchange;
    this.delegate = delegate;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      switch (method.getName()) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        default:
          return String.valueOf(delegate);
      }
    }
    int argc = args == null ? 0 : args.length;
    if (method.getName().equals("getContent") && argc == 0) {
      Object in = forward(method, args);
      return in instanceof InputStream ? new TeeInputStream((InputStream) in, exchange) : in;
    }
    if (method.getName().equals("writeTo") && argc == 1 && args[0] instanceof OutputStream) {
      try {
        forward(method, new Object[] {new TeeOutputStream((OutputStream) args[0], exchange)});
      } catch (IOException | RuntimeException e) {
        exchange.failed(e);
        throw e;
      }
      exchange.bodyComplete();
      return null;
    }
    if (method.getName().equals("close") && argc == 0) {
      try {
        return forward(method, args);
      } finally {
        exchange.bodyComplete();
      }
    }
    return forward(method, args);
  }

  private Object forward(Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(delegate, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Shows the exchange every byte written. */
  private static final class TeeOutputStream extends FilterOutputStream {
    private final HttpExchange exchange;

    TeeOutputStream(OutputStream out, HttpExchange exchange) {
      super(out);
      this.exchange = exchange;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      exchange.bodyBytes(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      exchange.bodyBytes(b, off, len);
    }
  }
}
