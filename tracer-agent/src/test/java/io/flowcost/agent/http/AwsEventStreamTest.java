package io.flowcost.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.usage.ResponseSummary;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Bedrock's binary {@code application/vnd.amazon.eventstream} read through {@link BodyTap}: usage
 * from ConverseStream's {@code metadata} event and from InvokeModelWithResponseStream's base64
 * {@code chunk}s, whatever the buffer boundaries; exceptions, oversized and corrupt messages give
 * no usage and never throw.
 */
class AwsEventStreamTest {

  private static final String TYPE = "application/vnd.amazon.eventstream";

  @Test
  void converseStreamUsageComesFromTheMetadataEventAcrossAnySplit() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(event("messageStart", "{\"role\":\"assistant\"}"));
    body.writeBytes(event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}"));
    body.writeBytes(event("contentBlockStop", "{\"contentBlockIndex\":0}"));
    body.writeBytes(event("messageStop", "{\"stopReason\":\"end_turn\"}"));
    body.writeBytes(event("metadata", "{\"usage\":{\"inputTokens\":100,\"outputTokens\":42,"
        + "\"totalTokens\":502,\"cacheReadInputTokens\":320,\"cacheWriteInputTokens\":40},"
        + "\"metrics\":{\"latencyMs\":9}}"));
    byte[] bytes = body.toByteArray();
    for (int split : new int[] {1, 3, 11, 12, 13, 64, bytes.length}) {
      BodyTap tap = BodyTap.forContentType(TYPE);
      assertThat(tap.streaming()).isTrue();
      for (int i = 0; i < bytes.length; i += split) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, i, Math.min(split, bytes.length - i));
        int position = buffer.position();
        tap.write(buffer);
        assertThat(buffer.position()).isEqualTo(position);
      }
      ResponseSummary s = tap.finish();
      assertThat(s.usage().inputTokens()).as("split " + split).isEqualTo(460L); // 100 + 320 + 40
      assertThat(s.usage().cacheReadTokens()).isEqualTo(320L);
      assertThat(s.usage().cacheWriteTokens()).isEqualTo(40L);
      assertThat(s.usage().outputTokens()).isEqualTo(42L);
      assertThat(s.finishReasons()).containsExactly("end_turn");
    }
  }

  @Test
  void invokeModelStreamChunksAreDecodedToTheModelsOwnEvents() {
    BodyTap tap = BodyTap.forContentType(TYPE);
    write(tap, chunk("{\"type\":\"message_start\",\"message\":{\"type\":\"message\","
        + "\"usage\":{\"input_tokens\":30,\"cache_read_input_tokens\":0,"
        + "\"cache_creation_input_tokens\":0,\"output_tokens\":1}}}"));
    write(tap, chunk("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
        + "\"usage\":{\"output_tokens\":17}}"));
    ResponseSummary s = tap.finish();
    assertThat(s.usage().inputTokens()).isEqualTo(30L);
    assertThat(s.usage().outputTokens()).isEqualTo(17L);
  }

  @Test
  void exceptionsOversizedAndCorruptMessagesGiveNoUsage() {
    BodyTap tap = BodyTap.forContentType(TYPE);
    write(tap, frame(":message-type", "exception", ":exception-type",
        "modelStreamErrorException", "{\"usage\":{\"inputTokens\":5,\"outputTokens\":5}}"));
    String big = "{\"pad\":\"" + "x".repeat(AwsEventStream.MAX_MESSAGE_BYTES) + "\"}";
    write(tap, event("contentBlockDelta", big));
    assertThat(tap.finish()).isNull();

    BodyTap corrupt = BodyTap.forContentType(TYPE);
    byte[] frame = event("metadata", "{\"usage\":{\"inputTokens\":1,\"outputTokens\":1}}");
    frame[9] ^= 0x55; // the prelude's CRC no longer matches: nothing after it is trusted
    write(corrupt, frame);
    write(corrupt, event("metadata", "{\"usage\":{\"inputTokens\":1,\"outputTokens\":1}}"));
    assertThat(corrupt.finish()).isNull();
  }

  @Test
  void aMessageAfterAnOversizedOneIsStillRead() {
    BodyTap tap = BodyTap.forContentType(TYPE);
    write(tap, event("contentBlockDelta",
        "{\"pad\":\"" + "y".repeat(AwsEventStream.MAX_MESSAGE_BYTES + 10) + "\"}"));
    write(tap, event("metadata", "{\"usage\":{\"inputTokens\":7,\"outputTokens\":3}}"));
    ResponseSummary s = tap.finish();
    assertThat(s.usage().inputTokens()).isEqualTo(7L);
    assertThat(s.usage().outputTokens()).isEqualTo(3L);
  }

  private static void write(BodyTap tap, byte[] bytes) {
    tap.write(bytes, 0, bytes.length);
  }

  private static byte[] chunk(String anthropicEvent) {
    String bytes = Base64.getEncoder().encodeToString(
        anthropicEvent.getBytes(StandardCharsets.UTF_8));
    return event("chunk", "{\"bytes\":\"" + bytes + "\"}");
  }

  private static byte[] event(String type, String json) {
    return frame(":event-type", type, ":message-type", "event", json);
  }

  /** AWS event-stream framing, written independently of the agent's decoder. */
  private static byte[] frame(String h1, String v1, String h2, String v2, String json) {
    ByteArrayOutputStream headers = new ByteArrayOutputStream();
    for (String[] h : new String[][] {{h1, v1}, {h2, v2}, {":content-type", "application/json"}}) {
      byte[] name = h[0].getBytes(StandardCharsets.UTF_8);
      byte[] value = h[1].getBytes(StandardCharsets.UTF_8);
      headers.write(name.length);
      headers.writeBytes(name);
      headers.write(7);
      headers.write(value.length >> 8);
      headers.write(value.length & 0xff);
      headers.writeBytes(value);
    }
    byte[] payload = json.getBytes(StandardCharsets.UTF_8);
    int total = 12 + headers.size() + payload.length + 4;
    ByteBuffer b = ByteBuffer.allocate(total);
    b.putInt(total).putInt(headers.size());
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, 8);
    b.putInt((int) crc.getValue());
    b.put(headers.toByteArray()).put(payload);
    CRC32 all = new CRC32();
    all.update(b.array(), 0, total - 4);
    b.putInt((int) all.getValue());
    return b.array();
  }
}
