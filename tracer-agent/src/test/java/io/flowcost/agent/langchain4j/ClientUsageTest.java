package io.flowcost.agent.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.output.TokenUsage;
import io.flowcost.agent.usage.Usage;
import org.junit.jupiter.api.Test;

class ClientUsageTest {

  @Test
  void plainTokenUsageIsTakenAsIs() {
    assertThat(ClientUsage.from(new TokenUsage(12, 3)))
        .isEqualTo(Usage.builder().inputTokens(12L).outputTokens(3L).build());
    assertThat(ClientUsage.from(new TokenUsage())).isNull();
    assertThat(ClientUsage.from(null)).isNull();
  }

  @Test
  void anthropicInputCountGetsTheCacheAdded() {
    assertThat(ClientUsage.from(new AnthropicTokenUsageLike()))
        .isEqualTo(
            Usage.builder()
                .inputTokens(1225L)
                .cacheReadTokens(200L)
                .cacheWriteTokens(1000L)
                .outputTokens(15L)
                .build());
  }

  @Test
  void openAiDetailsAreReadThroughTheirAccessors() {
    assertThat(ClientUsage.from(new OpenAiTokenUsageLike()))
        .isEqualTo(
            Usage.builder()
                .inputTokens(2006L)
                .cacheReadTokens(1920L)
                .outputTokens(300L)
                .reasoningTokens(128L)
                .build());
  }

  /** Shaped like {@code AnthropicTokenUsage}: input excludes the cache. */
  public static final class AnthropicTokenUsageLike extends TokenUsage {
    AnthropicTokenUsageLike() {
      super(25, 15);
    }

    public Integer cacheCreationInputTokens() {
      return 1000;
    }

    public Integer cacheReadInputTokens() {
      return 200;
    }
  }

  /** Shaped like {@code OpenAiTokenUsage}. */
  public static final class OpenAiTokenUsageLike extends TokenUsage {
    OpenAiTokenUsageLike() {
      super(2006, 300);
    }

    public Details inputTokensDetails() {
      return new Details(1920);
    }

    public Details outputTokensDetails() {
      return new Details(128);
    }
  }

  /** Shaped like OpenAI's token details. */
  public static final class Details {
    private final int count;

    Details(int count) {
      this.count = count;
    }

    public Integer cachedTokens() {
      return count;
    }

    public Integer reasoningTokens() {
      return count;
    }
  }
}
