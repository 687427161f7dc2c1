package io.flowcost.agent.langchain4j.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.http.client.SuccessfulHttpResponse;
import io.flowcost.agent.usage.ResponseSummary;
import io.flowcost.agent.usage.UsageParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The usage of a LangChain4j response is read from its bytes, and falls back to its decoded text
 * where the bytes cannot be read as JSON or are not there (LangChain4j before 1.4).
 */
class HttpTracingSummaryTest {

  private static final String BODY = "{\"object\":\"chat.completion\",\"model\":\"%s\","
      + "\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"content\":\"ok\"}}],"
      + "\"usage\":{\"prompt_tokens\":31,\"completion_tokens\":7,"
      + "\"prompt_tokens_details\":{\"cached_tokens\":5}}}";

  @Test
  void aUtf8BodyIsReadFromItsBytesAsFromItsText() {
    String body = String.format(BODY, "gpt-4o-mini-é");
    ResponseSummary summary = HttpTracing.summary(SuccessfulHttpResponse.builder()
        .statusCode(200).headers(Map.of("content-type", List.of("application/json")))
        .body(body).build());
    ResponseSummary fromText = UsageParser.parse(body);
    assertThat(summary.model()).isEqualTo("gpt-4o-mini-é").isEqualTo(fromText.model());
    assertThat(summary.finishReasons()).containsExactly("stop");
    assertThat(summary.usage().inputTokens()).isEqualTo(31L);
    assertThat(summary.usage().outputTokens()).isEqualTo(7L);
    assertThat(summary.usage().cacheReadTokens()).isEqualTo(5L);
    assertThat(summary.usage()).isEqualTo(fromText.usage());
  }

  @Test
  void aLatin1BodyFallsBackToTheTextItsCharsetDecodes() {
    byte[] latin1 = String.format(BODY, "modèle").getBytes(StandardCharsets.ISO_8859_1);
    ResponseSummary summary = HttpTracing.summary(new Latin1Response(latin1));
    assertThat(summary.model()).isEqualTo("modèle");
    assertThat(summary.usage().inputTokens()).isEqualTo(31L);
  }

  @Test
  void aResponseWithoutBodyBytesIsReadFromItsText() {
    ResponseSummary summary = HttpTracing.summary(new TextOnlyResponse(String.format(BODY, "m")));
    assertThat(summary.model()).isEqualTo("m");
    assertThat(summary.usage().outputTokens()).isEqualTo(7L);
  }

  /** A response whose bytes are ISO-8859-1 (declared so), as LangChain4j would decode them. */
  public static final class Latin1Response {
    private final byte[] body;

    Latin1Response(byte[] body) {
      this.body = body;
    }

    public byte[] bodyBytes() {
      return body;
    }

    public String body() {
      return new String(body, StandardCharsets.ISO_8859_1);
    }
  }

  /** The shape of LangChain4j's response before {@code bodyBytes()}. */
  public static final class TextOnlyResponse {
    private final String body;

    TextOnlyResponse(String body) {
      this.body = body;
    }

    public String body() {
      return body;
    }
  }
}
