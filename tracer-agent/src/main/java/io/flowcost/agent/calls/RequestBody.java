package io.flowcost.agent.calls;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * A model request's body, held by reference — the copy the agent already made to read the request
 * model, or the client's own string — until its call knows whether an estimate is needed ({@link
 * TokenEstimate}). Nothing is copied or parsed here: only an estimate reads it, and the attempt
 * drops it when it ends. Never exported or logged.
 */
public final class RequestBody {

  private final byte[] utf8;
  private final String text;
  private final Supplier<byte[]> captured;

  private RequestBody(byte[] utf8, String text) {
    this(utf8, text, null);
  }

  private RequestBody(byte[] utf8, String text, Supplier<byte[]> captured) {
    this.utf8 = utf8;
    this.text = text;
    this.captured = captured;
  }

  /**
   * A body the client is still sending, copied as it goes out ({@code http.jdk}'s tee of a
   * streamed body publisher): {@code captured} gives the whole body once sent, else {@code null}
   * (not sent in full, or larger than the copy keeps).
   */
  public static RequestBody captured(Supplier<byte[]> captured) {
    return new RequestBody(null, null, captured);
  }

  /** This body with its bytes now known, or {@code null} when a captured body never completed. */
  RequestBody resolved() {
    if (captured == null) {
      return this;
    }
    return ofBytes(captured.get());
  }

  /** A body of UTF-8 bytes that nobody changes afterwards; {@code null} for none or empty. */
  public static RequestBody ofBytes(byte[] utf8) {
    return utf8 == null || utf8.length == 0 ? null : new RequestBody(utf8, null);
  }

  /** A body as text; {@code null} for none or empty. */
  public static RequestBody ofText(String text) {
    return text == null || text.isEmpty() ? null : new RequestBody(null, text);
  }

  /** The body as text (decoded on each call: estimates read it once). */
  String text() {
    return text != null ? text : new String(utf8, StandardCharsets.UTF_8);
  }

  /**
   * About the memory it holds, in bytes (its array, or its text's length; 0 while still
   * captured: the capture's own buffer bounds that).
   */
  int heldSize() {
    return utf8 != null ? utf8.length : text != null ? text.length() : 0;
  }

  /** Its size in UTF-8 bytes. */
  long utf8Length() {
    return utf8 != null ? utf8.length : text.getBytes(StandardCharsets.UTF_8).length;
  }
}
