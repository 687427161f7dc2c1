package io.flowcost.agent.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.flowcost.agent.calls.RequestBody;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;

/**
 * The two request fields a logical call needs — {@code model} and {@code stream} — read from a
 * replayable JSON request body (the client sends its own copy; reading ours has no side effect).
 * Everything else in the body (the prompt) is skipped unread by the streaming parser; the copy
 * itself is handed to the call by reference ({@link #body}) and read again only if the call needs
 * a token estimate ({@code TokenEstimate}), then dropped when its attempt ends.
 *
 * @param model the requested model, or {@code null}
 * @param stream whether a stream was requested
 * @param body the request body copy, or {@code null}
 */
public record RequestFields(String model, boolean stream, RequestBody body) {

  /** Nothing known about the request. */
  public static final RequestFields NONE = new RequestFields(null, false, null);

  /** Largest request body read for its model. */
  public static final long MAX_BODY = 1024L * 1024;

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Reads the request body of a Stainless-generated SDK (the official OpenAI and Anthropic Java
   * SDKs: {@code com.openai.core.http.HttpRequestBody}, {@code com.anthropic.core.http...}) when it
   * is repeatable JSON; {@link #NONE} otherwise.
   */
  public static RequestFields readSdkBody(Object body) {
    return parse(sdkBodyBytes(body));
  }

  /**
   * The bytes of a Stainless-generated SDK's request body (as {@link #readSdkBody}) when it is
   * repeatable JSON of at most {@link #MAX_BODY} bytes; {@code null} otherwise. Never exported or
   * logged.
   */
  public static byte[] sdkBodyBytes(Object body) {
    Class<?> type = sdkBodyType(body == null ? null : body.getClass());
    if (type == null) {
      return null;
    }
    try {
      String contentType = (String) type.getMethod("contentType").invoke(body);
      boolean repeatable = (Boolean) type.getMethod("repeatable").invoke(body);
      long length = (Long) type.getMethod("contentLength").invoke(body);
      if (!repeatable || contentType == null || !contentType.contains("json") || length > MAX_BODY) {
        return null;
      }
      Method writeTo = type.getMethod("writeTo", OutputStream.class);
      BoundedBytes bytes = new BoundedBytes();
      writeTo.invoke(body, bytes);
      return bytes.toByteArray();
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  private static Class<?> sdkBodyType(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> i : c.getInterfaces()) {
        if (i.getName().endsWith(".core.http.HttpRequestBody")) {
          return i;
        }
      }
    }
    return null;
  }

  /** Reads the top-level {@code model} and {@code stream} fields of a JSON object. */
  public static RequestFields parse(byte[] json) {
    if (json == null || json.length == 0) {
      return NONE;
    }
    String model = null;
    boolean stream = false;
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return NONE;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("model".equals(name) && value == JsonToken.VALUE_STRING) {
          model = parser.getText();
        } else if ("stream".equals(name)) {
          stream = value == JsonToken.VALUE_TRUE;
        } else {
          parser.skipChildren();
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // a truncated or odd body: keep what was read
    }
    return new RequestFields(model, stream, RequestBody.ofBytes(json));
  }

  /** Collects at most {@link #MAX_BODY} bytes; a longer body fails the copy, not the request. */
  private static final class BoundedBytes extends ByteArrayOutputStream {
    @Override
    public synchronized void write(byte[] b, int off, int len) {
      if (count + (long) len > MAX_BODY) {
        throw new IllegalStateException("request body too large to read its model");
      }
      super.write(b, off, len);
    }

    @Override
    public synchronized void write(int b) {
      if (count + 1L > MAX_BODY) {
        throw new IllegalStateException("request body too large to read its model");
      }
      super.write(b);
    }
  }
}
