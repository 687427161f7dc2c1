package io.flowcost.agent.http;

import io.flowcost.agent.calls.LateSummary;
import io.flowcost.agent.usage.ResponseSummary;
import io.flowcost.agent.usage.StreamUsageAccumulator;
import io.flowcost.agent.usage.UsageParser;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads usage from a copy of a response body as the application reads the body itself. Bounded:
 * a JSON body is kept up to {@link #MAX_JSON_BYTES} (beyond, usage is lost, not the app's data);
 * a stream is parsed line by line (SSE {@code data:} events or NDJSON) and only the usage fields
 * of each event are kept. Nothing of the body outlives {@link #finish()}. Not thread-safe: one
 * body delivers its bytes in order; callers synchronise.
 */
public final class BodyTap {

  /** Largest JSON body parsed for usage. */
  static final int MAX_JSON_BYTES = 8 * 1024 * 1024;

  /** Longest SSE or NDJSON line parsed; longer lines are skipped. */
  static final int MAX_LINE_BYTES = 1024 * 1024;

  private enum Mode {
    JSON,
    SSE,
    NDJSON,
    AWS_EVENT_STREAM,
    NONE
  }

  private final Mode mode;
  private final Buffer buffer = new Buffer();
  private final StreamUsageAccumulator stream = new StreamUsageAccumulator();
  private final StringBuilder eventData = new StringBuilder();
  private final AwsEventStream awsEvents = new AwsEventStream();
  private boolean overflow;

  private BodyTap(Mode mode) {
    this.mode = mode;
  }

  /** A tap for a body of this {@code Content-Type} (may be {@code null}). */
  public static BodyTap forContentType(String contentType) {
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    if (type.contains("event-stream")) {
      return new BodyTap(Mode.SSE);
    }
    if (type.contains("ndjson") || type.contains("jsonl")) {
      return new BodyTap(Mode.NDJSON);
    }
    if (type.contains("vnd.amazon.eventstream")) {
      return new BodyTap(Mode.AWS_EVENT_STREAM);
    }
    if (type.startsWith("image/") || type.startsWith("audio/")) {
      // binary media: no usage to read
      return new BodyTap(Mode.NONE);
    }
    return new BodyTap(Mode.JSON);
  }

  /** Whether the body is a stream of events. */
  public boolean streaming() {
    return mode == Mode.SSE || mode == Mode.NDJSON || mode == Mode.AWS_EVENT_STREAM;
  }

  /** Takes bytes the application is about to read. */
  public void write(byte[] bytes, int offset, int length) {
    if (mode == Mode.NONE || length <= 0) {
      return;
    }
    if (mode == Mode.JSON) {
      if (buffer.size() + length > MAX_JSON_BYTES) {
        overflow = true;
        return;
      }
      buffer.write(bytes, offset, length);
      return;
    }
    if (mode == Mode.AWS_EVENT_STREAM) {
      awsEvents.write(bytes, offset, length, stream);
      return;
    }
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        endLine();
      } else if (buffer.size() < MAX_LINE_BYTES) {
        buffer.write(b);
      } else {
        overflow = true;
      }
    }
  }

  /** Takes the readable bytes of a buffer without moving its position. */
  public void write(ByteBuffer bytes) {
    ByteBuffer copy = bytes.duplicate();
    byte[] chunk = new byte[Math.min(copy.remaining(), 16 * 1024)];
    while (copy.hasRemaining()) {
      int n = Math.min(chunk.length, copy.remaining());
      copy.get(chunk, 0, n);
      write(chunk, 0, n);
    }
  }

  /** What the body reported, or {@code null}; the tap keeps no body bytes afterwards. */
  public ResponseSummary finish() {
    ResponseSummary summary;
    switch (mode) {
      case JSON:
        // read in place: no copy of the body
        summary = overflow ? null : readJson(buffer.bytes(), buffer.size());
        break;
      case SSE:
      case NDJSON:
        endLine();
        dispatchEvent();
        summary = stream.result();
        break;
      case AWS_EVENT_STREAM:
        summary = stream.result();
        awsEvents.reset();
        break;
      default:
        summary = null;
    }
    buffer.reset();
    eventData.setLength(0);
    return summary;
  }

  /**
   * The whole JSON body as received, to be read later rather than by {@link #finish()} (on the
   * export thread: {@link io.flowcost.agent.calls.Attempt#succeededLater}): the tap's own buffer,
   * handed over, never copied — the tap keeps no byte of it. {@code null} when the body is not one
   * JSON document kept whole (a stream, media, or a body over {@link #MAX_JSON_BYTES}): then
   * {@link #finish()} reads it as before. {@link #finish()} afterwards reads nothing.
   *
   * @param ignoreModel whether the answer is read without its model (the exchange ignores it)
   */
  Json takeJson(boolean ignoreModel) {
    if (mode != Mode.JSON || overflow) {
      return null;
    }
    Json json = new Json(buffer.bytes(), buffer.size(), ignoreModel);
    buffer.handOver();
    return json;
  }

  /**
   * A JSON body handed over by {@link #takeJson}, {@code length} bytes at the array's start, read
   * when its attempt's span is exported as {@link #finish()} would have read it now.
   */
  static final class Json extends LateSummary {
    private final byte[] bytes;
    private final int length;
    private final boolean ignoreModel;

    Json(byte[] bytes, int length, boolean ignoreModel) {
      super(bytes.length); // the buffer's room, not only its bytes, is held
      this.bytes = bytes;
      this.length = length;
      this.ignoreModel = ignoreModel;
    }

    @Override
    protected ResponseSummary read() {
      ResponseSummary summary = readJson(bytes, length);
      return ignoreModel && summary != null ? summary.withoutModel() : summary;
    }
  }

  /** What a JSON body of {@code length} bytes at the start of {@code bytes} reports. */
  private static ResponseSummary readJson(byte[] bytes, int length) {
    return UsageParser.parse(bytes, 0, length);
  }

  /** A byte buffer whose bytes can be read where they are. */
  private static final class Buffer extends ByteArrayOutputStream {
    private static final byte[] NONE = new byte[0];

    byte[] bytes() {
      return buf;
    }

    /** Forgets its bytes without touching them: their array now belongs to someone else. */
    void handOver() {
      buf = NONE;
      count = 0;
    }
  }

  private void endLine() {
    if (overflow) {
      // a line too long to parse: drop it whole
      overflow = false;
      buffer.reset();
      return;
    }
    String line = buffer.toString(StandardCharsets.UTF_8);
    buffer.reset();
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    if (mode == Mode.NDJSON) {
      stream.onEvent(line.trim());
      return;
    }
    if (line.isEmpty()) {
      dispatchEvent();
    } else if (line.startsWith("data:")) {
      if (eventData.length() > 0) {
        eventData.append('\n');
      }
      eventData.append(line, line.length() > 5 && line.charAt(5) == ' ' ? 6 : 5, line.length());
    }
  }

  private void dispatchEvent() {
    if (eventData.length() > 0) {
      stream.onEvent(eventData.toString());
      eventData.setLength(0);
    }
  }
}
