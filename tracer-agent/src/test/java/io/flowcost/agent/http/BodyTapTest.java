package io.flowcost.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.usage.ResponseSummary;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BodyTapTest {

  @Test
  void jsonBodyInSmallPiecesGivesItsUsage() {
    BodyTap tap = BodyTap.forContentType("application/json; charset=utf-8");
    byte[] body = TestLlmServer.JSON_REPLY.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < body.length; i += 7) {
      tap.write(body, i, Math.min(7, body.length - i));
    }
    ResponseSummary s = tap.finish();
    assertThat(s.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(s.finishReasons()).containsExactly("stop");
    assertThat(s.usage().inputTokens()).isEqualTo(11L);
    assertThat(s.usage().outputTokens()).isEqualTo(7L);
  }

  @Test
  void sseEventsSplitAcrossBuffersKeepTheFinalUsage() {
    BodyTap tap = BodyTap.forContentType("text/event-stream");
    StringBuilder sse = new StringBuilder();
    for (String e : TestLlmServer.SSE_EVENTS) {
      sse.append("data: ").append(e).append("\r\n\r\n");
    }
    byte[] bytes = sse.toString().getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += 13) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes, i, Math.min(13, bytes.length - i));
      int position = buffer.position();
      tap.write(buffer);
      assertThat(buffer.position()).as("the app's buffer is not consumed").isEqualTo(position);
    }
    assertThat(tap.streaming()).isTrue();
    ResponseSummary s = tap.finish();
    assertThat(s.model()).isEqualTo("gpt-4.1-2025");
    assertThat(s.usage().inputTokens()).isEqualTo(13L);
    assertThat(s.usage().outputTokens()).isEqualTo(5L);
  }

  @Test
  void ndjsonLinesAreEvents() {
    BodyTap tap = BodyTap.forContentType("application/x-ndjson");
    String lines =
        "{\"model\":\"llama3\",\"done\":false}\n"
            + "{\"model\":\"llama3\",\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":21,\"eval_count\":9}\n";
    byte[] bytes = lines.getBytes(StandardCharsets.UTF_8);
    tap.write(bytes, 0, bytes.length);
    ResponseSummary s = tap.finish();
    assertThat(s.usage().inputTokens()).isEqualTo(21L);
    assertThat(s.usage().outputTokens()).isEqualTo(9L);
  }

  @Test
  void aBodyBeyondTheBoundGivesNoUsageInsteadOfAWrongOne() {
    BodyTap tap = BodyTap.forContentType("application/json");
    byte[] chunk = new byte[1024 * 1024];
    for (int i = 0; i <= BodyTap.MAX_JSON_BYTES / chunk.length; i++) {
      tap.write(chunk, 0, chunk.length);
    }
    byte[] tail = TestLlmServer.JSON_REPLY.getBytes(StandardCharsets.UTF_8);
    tap.write(tail, 0, tail.length);
    assertThat(tap.finish()).isNull();
  }

  @Test
  void binaryStreamsAreNotParsed() {
    BodyTap tap = BodyTap.forContentType("application/vnd.amazon.eventstream");
    byte[] bytes = TestLlmServer.JSON_REPLY.getBytes(StandardCharsets.UTF_8);
    tap.write(bytes, 0, bytes.length);
    assertThat(tap.finish()).isNull();
  }
}
