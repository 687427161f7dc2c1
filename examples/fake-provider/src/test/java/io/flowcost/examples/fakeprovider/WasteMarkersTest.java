package io.flowcost.examples.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The markers of answers an app throws away: rejected, unparseable, or never received. */
class WasteMarkersTest {

  static FakeProvider fake;

  @BeforeAll
  static void startFake() {
    fake = FakeProvider.start();
  }

  @AfterAll
  static void stopFake() {
    fake.close();
  }

  @BeforeEach
  void resetFake() {
    fake.reset();
  }

  static OpenAiChatModel model(Duration timeout) {
    return OpenAiChatModel.builder()
        .baseUrl(fake.baseUrl())
        .apiKey("test")
        .modelName("gpt-4o-mini")
        .maxRetries(0)
        .timeout(timeout)
        .build();
  }

  @Test
  void anOffPolicyAnswerIsGivenOnceAndARepromptGetsANormalOne() {
    OpenAiChatModel model = model(Duration.ofSeconds(10));
    UserMessage ask = UserMessage.from("Can I get paid today? [off-policy]");
    AiMessage first = model.chat(List.of(ask)).aiMessage();
    assertThat(first.text()).contains(Reply.OFF_POLICY);

    ChatResponse again = model.chat(List.of(ask, first, UserMessage.from("Stay within policy.")));
    assertThat(again.aiMessage().text()).startsWith(Reply.TEXT_PREFIX).doesNotContain(Reply.OFF_POLICY);
    assertThat(fake.exchanges()).hasSize(2).allSatisfy(e -> assertThat(e.usageSent()).isTrue());
  }

  @Test
  void badJsonFirstThenTheScriptedJsonOnTheReprompt() throws Exception {
    OpenAiChatModel model = model(Duration.ofSeconds(10));
    UserMessage ask = UserMessage.from(
        "Assess the damage. [bad-json] [json-answer {\"severity\": \"minor\", \"amount\": 1200}]");
    AiMessage first = model.chat(List.of(ask)).aiMessage();
    ObjectMapper json = new ObjectMapper();
    assertThatThrownBy(() -> json.readTree(first.text())).isInstanceOf(Exception.class);

    AiMessage second =
        model.chat(List.of(ask, first, UserMessage.from("Return valid JSON."))).aiMessage();
    assertThat(json.readTree(second.text()).path("amount").asInt()).isEqualTo(1200);
    assertThat(json.readTree(second.text()).path("severity").asText()).isEqualTo("minor");

    // an app's own retry resends the identical request: only the first answer was bad
    AiMessage retried = model.chat(List.of(ask)).aiMessage();
    assertThat(json.readTree(retried.text()).path("amount").asInt()).isEqualTo(1200);
  }

  @Test
  void aSlowAnswerPastTheClientTimeoutIsStillAnsweredAndLogged() throws Exception {
    OpenAiChatModel model = model(Duration.ofMillis(200));
    assertThatThrownBy(() -> model.chat(List.of(UserMessage.from("Summarise. [slow:600]"))))
        .isInstanceOf(RuntimeException.class);
    assertThat(fake.exchanges()).isEmpty(); // still "generating"
    assertThat(fake.awaitIdle(Duration.ofSeconds(5), 0)).isTrue();
    Exchange billed = fake.exchanges().get(0);
    assertThat(billed.httpStatus()).isEqualTo(200);
    assertThat(billed.usageSent()).isTrue();
    assertThat(billed.usageOrZero("prompt_tokens")).isPositive();
    assertThat(billed.requestBytes()).isGreaterThan(billed.usageOrZero("prompt_tokens"));
    assertThat(fake.exchangesJson().get(0).path("request_bytes").asLong())
        .isEqualTo(billed.requestBytes());
  }
}
