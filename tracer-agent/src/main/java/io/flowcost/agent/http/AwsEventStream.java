package io.flowcost.agent.http;

import io.flowcost.agent.usage.StreamUsageAccumulator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * Decodes the binary {@code application/vnd.amazon.eventstream} framing of Bedrock's streaming
 * responses as its bytes go by, and hands the JSON payload of every {@code event} message to a
 * {@link StreamUsageAccumulator}: ConverseStream's {@code metadata} event carries the usage, its
 * {@code messageStop} the stop reason; InvokeModelWithResponseStream's {@code chunk} events carry
 * the model's own stream events base64-encoded in {@code bytes}, decoded before they are handed on.
 *
 * <p>A message is a prelude (total length and headers length, big-endian 32-bit, then the CRC32 of
 * those 8 bytes), headers (name length byte, name, type byte, typed value), the payload and the
 * CRC32 of the whole message. A message whose prelude CRC does not match ends the decoding (the
 * SDK itself rejects the stream then); one larger than {@link #MAX_MESSAGE_BYTES} is skipped.
 * Not thread-safe: one body delivers its bytes in order.
 */
final class AwsEventStream {

  /** Largest message decoded; larger ones are skipped whole. */
  static final int MAX_MESSAGE_BYTES = 1024 * 1024;

  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private long skip;
  private boolean broken;

  /** Takes bytes of the body. */
  void write(byte[] bytes, int offset, int length, StreamUsageAccumulator out) {
    int i = offset;
    int end = offset + length;
    while (i < end && !broken) {
      if (skip > 0) {
        int n = (int) Math.min(skip, end - i);
        skip -= n;
        i += n;
        continue;
      }
      if (buffer.size() < 12) {
        int n = Math.min(12 - buffer.size(), end - i);
        buffer.write(bytes, i, n);
        i += n;
        if (buffer.size() == 12 && !preludeValid()) {
          broken = true;
        }
        continue;
      }
      int total = readInt(buffer.toByteArray(), 0);
      if (total > MAX_MESSAGE_BYTES) {
        skip = total - 12L;
        buffer.reset();
        continue;
      }
      int n = Math.min(total - buffer.size(), end - i);
      buffer.write(bytes, i, n);
      i += n;
      if (buffer.size() == total) {
        message(buffer.toByteArray(), out);
        buffer.reset();
      }
    }
  }

  /** Forgets any partial message. */
  void reset() {
    buffer.reset();
    skip = 0;
  }

  private boolean preludeValid() {
    byte[] prelude = buffer.toByteArray();
    int total = readInt(prelude, 0);
    int headers = readInt(prelude, 4);
    CRC32 crc = new CRC32();
    crc.update(prelude, 0, 8);
    return (int) crc.getValue() == readInt(prelude, 8) && total >= 16 && headers >= 0
        && headers <= total - 16;
  }

  private static void message(byte[] m, StreamUsageAccumulator out) {
    int headersLength = readInt(m, 4);
    int headersEnd = 12 + headersLength;
    String messageType = null;
    String eventType = null;
    int i = 12;
    while (i < headersEnd) {
      int nameLength = m[i] & 0xff;
      String name = new String(m, i + 1, nameLength, StandardCharsets.UTF_8);
      i += 1 + nameLength;
      int type = m[i++];
      int valueLength = valueLength(type, m, i);
      if (valueLength < 0 || i + valueLength > headersEnd) {
        return; // a header type this decoder does not know: skip the message
      }
      if (type == 7) {
        String value = new String(m, i + 2, valueLength - 2, StandardCharsets.UTF_8);
        if (name.equals(":message-type")) {
          messageType = value;
        } else if (name.equals(":event-type")) {
          eventType = value;
        }
      }
      i += valueLength;
    }
    if (!"event".equals(messageType)) {
      return; // exceptions and errors carry no usage
    }
    String payload = new String(m, headersEnd, m.length - 4 - headersEnd, StandardCharsets.UTF_8);
    if ("chunk".equals(eventType)) {
      payload = chunkBytes(payload);
    }
    if (payload != null) {
      out.onEvent(payload);
    }
  }

  /** Bytes a header value takes after its type byte, or -1 for an unknown type. */
  private static int valueLength(int type, byte[] m, int at) {
    switch (type) {
      case 0:
      case 1:
        return 0; // true, false
      case 2:
        return 1;
      case 3:
        return 2;
      case 4:
        return 4;
      case 5:
      case 8:
        return 8; // long, timestamp
      case 6:
      case 7:
        return 2 + (((m[at] & 0xff) << 8) | (m[at + 1] & 0xff)); // bytes, string
      case 9:
        return 16; // uuid
      default:
        return -1;
    }
  }

  /** The decoded {@code bytes} of an InvokeModelWithResponseStream chunk, or {@code null}. */
  private static String chunkBytes(String payload) {
    int key = payload.indexOf("\"bytes\"");
    int open = key < 0 ? -1 : payload.indexOf('"', payload.indexOf(':', key) + 1);
    int close = open < 0 ? -1 : payload.indexOf('"', open + 1);
    if (close < 0) {
      return null;
    }
    try {
      return new String(Base64.getDecoder().decode(payload.substring(open + 1, close)),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static int readInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }
}
