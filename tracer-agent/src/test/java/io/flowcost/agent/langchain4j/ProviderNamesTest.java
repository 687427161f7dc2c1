package io.flowcost.agent.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProviderNamesTest {

  @ParameterizedTest
  @CsvSource({
    "OPEN_AI, openai",
    "ANTHROPIC, anthropic",
    "GOOGLE_AI_GEMINI, gcp.gemini",
    "AMAZON_BEDROCK, aws.bedrock",
    "AZURE_OPEN_AI, azure.ai.openai",
    "MISTRAL_AI, mistral_ai",
    "OLLAMA, ollama",
    "GOOGLE_GENAI, google_genai",
    "MICROSOFT_FOUNDRY, microsoft_foundry"
  })
  void mapsModelProviderConstantsByName(String constant, String expected) {
    assertThat(ProviderNames.fromEnumName(constant)).isEqualTo(expected);
  }

  @Test
  void otherAndBlankMeanUnknown() {
    assertThat(ProviderNames.fromEnumName("OTHER")).isNull();
    assertThat(ProviderNames.fromEnumName(null)).isNull();
    assertThat(ProviderNames.fromEnumName(" ")).isNull();
  }

  @ParameterizedTest
  @CsvSource({
    "dev.langchain4j.model.openai.OpenAiChatModel, openai",
    "dev.langchain4j.model.azure.AzureOpenAiChatModel, azure.ai.openai",
    "dev.langchain4j.model.anthropic.AnthropicStreamingChatModel, anthropic",
    "dev.langchain4j.model.googleai.GoogleAiGeminiChatModel, gcp.gemini",
    "dev.langchain4j.model.bedrock.BedrockChatModel, aws.bedrock",
    "dev.langchain4j.model.ollama.OllamaChatModel, ollama",
    "com.example.MyChatModel, mychatmodel"
  })
  void fallsBackToTheClassName(String className, String expected) {
    assertThat(ProviderNames.fromClassName(className)).isEqualTo(expected);
  }

  @Test
  void usesProviderMethodThenClassName() {
    assertThat(ProviderNames.of(new WithProvider(Provider.ANTHROPIC))).isEqualTo("anthropic");
    assertThat(ProviderNames.of(new WithProvider(Provider.OTHER))).isEqualTo("withprovider");
  }

  @Test
  void eachConstantIsMappedOnceAndAnswersAsTheNameDoes() {
    for (int i = 0; i < 3; i++) { // the first call fills the table, the next ones read it
      for (Provider p : Provider.values()) {
        assertThat(ProviderNames.ofConstant(p)).isEqualTo(ProviderNames.fromEnumName(p.name()));
      }
    }
    assertThat(ProviderNames.ofConstant(Provider.OPEN_AI)).isEqualTo("openai");
    assertThat(ProviderNames.ofConstant(Provider.SOMETHING_NEW)).isEqualTo("something_new");
    assertThat(ProviderNames.ofConstant(Provider.OTHER)).isNull();
    assertThat(ProviderNames.of(new WithProvider(Provider.OTHER))).isEqualTo("withprovider");
  }

  enum Provider {
    ANTHROPIC,
    OTHER,
    OPEN_AI,
    SOMETHING_NEW
  }

  public static final class WithProvider {
    private final Provider provider;

    WithProvider(Provider provider) {
      this.provider = provider;
    }

    public Provider provider() {
      return provider;
    }
  }
}
