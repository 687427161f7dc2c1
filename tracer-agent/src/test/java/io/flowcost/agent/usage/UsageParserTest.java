package io.flowcost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UsageParserTest {

  @Test
  void openAiChatCompletionKeepsPromptTokensAsTotalInput() {
    ResponseSummary summary =
        UsageParser.parse(
            "{\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-2024-08-06\","
                + "\"service_tier\":\"default\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":2006,\"completion_tokens\":300,\"total_tokens\":2306,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":1920,\"cache_write_tokens\":50,\"audio_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":128}}}");

    assertThat(summary.model()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(summary.finishReasons()).containsExactly("stop");
    assertThat(summary.usage())
        .isEqualTo(
            Usage.builder()
                .inputTokens(2006L)
                .cacheReadTokens(1920L)
                .cacheWriteTokens(50L)
                .outputTokens(300L)
                .reasoningTokens(128L)
                .serviceTier("default")
                .build());
  }

  @Test
  void openAiEmbeddingsHaveNoOutputAndSkipVectors() {
    ResponseSummary summary =
        UsageParser.parse(
            "{\"object\":\"list\",\"model\":\"text-embedding-3-small\",\"data\":[{\"object\":\"embedding\","
                + "\"index\":0,\"embedding\":[0.0023,-0.0091,{\"usage\":{\"prompt_tokens\":999}}]}],"
                + "\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}");

    assertThat(summary.model()).isEqualTo("text-embedding-3-small");
    assertThat(summary.usage().inputTokens()).isEqualTo(8L);
    assertThat(summary.usage().outputTokens()).isEqualTo(0L);
    assertThat(summary.usage().cacheReadTokens()).isNull();
  }

  @Test
  void openAiStreamTakesUsageFromTheFinalChunk() {
    StreamUsageAccumulator stream = new StreamUsageAccumulator();
    stream.onEvent(
        "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\",\"choices\":"
            + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}],\"usage\":null}");
    assertThat(stream.result().usage()).isNull();
    stream.onEvent(
        "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\",\"choices\":"
            + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}");
    stream.onEvent(
        "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\",\"service_tier\":\"flex\","
            + "\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2,\"total_tokens\":14,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":1}}}");
    stream.onEvent("[DONE]");

    ResponseSummary summary = stream.result();
    assertThat(summary.finishReasons()).containsExactly("stop");
    assertThat(summary.model()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(summary.usage())
        .isEqualTo(
            Usage.builder()
                .inputTokens(12L)
                .cacheReadTokens(4L)
                .outputTokens(2L)
                .reasoningTokens(1L)
                .serviceTier("flex")
                .build());
  }

  @Test
  void openAiResponsesStreamIsReadFromResponseCompleted() {
    StreamUsageAccumulator stream = new StreamUsageAccumulator();
    stream.onEvent(
        "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\","
            + "\"status\":\"in_progress\",\"usage\":null}}");
    stream.onEvent(
        "{\"type\":\"response.output_text.delta\",\"sequence_number\":3,\"item_id\":\"msg_1\",\"delta\":\"Hi\"}");
    stream.onEvent(
        "{\"type\":\"response.completed\",\"sequence_number\":9,\"response\":{\"id\":\"resp_1\",\"object\":\"response\","
            + "\"model\":\"gpt-5\",\"status\":\"completed\",\"service_tier\":\"default\",\"usage\":{\"input_tokens\":2006,"
            + "\"input_tokens_details\":{\"cached_tokens\":1920,\"cache_write_tokens\":0},\"output_tokens\":300,"
            + "\"output_tokens_details\":{\"reasoning_tokens\":128},\"total_tokens\":2306}}}");

    ResponseSummary summary = stream.result();
    assertThat(summary.model()).isEqualTo("gpt-5");
    assertThat(summary.usage())
        .isEqualTo(
            Usage.builder()
                .inputTokens(2006L)
                .cacheReadTokens(1920L)
                .cacheWriteTokens(0L)
                .outputTokens(300L)
                .reasoningTokens(128L)
                .serviceTier("default")
                .build());
  }

  @Test
  void anthropicInputAddsCacheReadsAndWrites() {
    ResponseSummary summary =
        UsageParser.parse(
            "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":50,\"cache_creation_input_tokens\":556,\"cache_read_input_tokens\":100000,"
                + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":456,\"ephemeral_1h_input_tokens\":100},"
                + "\"output_tokens\":320,\"server_tool_use\":{\"web_search_requests\":1},\"service_tier\":\"standard\"}}");

    assertThat(summary.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(summary.finishReasons()).containsExactly("end_turn");
    assertThat(summary.usage())
        .isEqualTo(
            Usage.builder()
                .inputTokens(100606L)
                .cacheReadTokens(100000L)
                .cacheWriteTokens(556L)
                .cacheWrite1hTokens(100L)
                .outputTokens(320L)
                .serviceTier("standard")
                .build());
  }

  @Test
  void anthropicStreamOverwritesCumulativeDeltasAndKeepsOneHourWrites() {
    StreamUsageAccumulator stream = new StreamUsageAccumulator();
    stream.onEvent(
        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"model\":\"claude-opus-4-1\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":25,"
            + "\"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":200,\"cache_creation\":"
            + "{\"ephemeral_5m_input_tokens\":400,\"ephemeral_1h_input_tokens\":600},\"output_tokens\":1,"
            + "\"service_tier\":\"standard\"}}}");
    stream.onEvent("{\"type\":\"ping\"}");
    stream.onEvent(
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}");
    stream.onEvent(
        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":15}}");
    stream.onEvent(
        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
            + "\"usage\":{\"output_tokens\":40,\"output_tokens_details\":{\"thinking_tokens\":10}}}");
    stream.onEvent("{\"type\":\"message_stop\"}");

    ResponseSummary summary = stream.result();
    assertThat(summary.model()).isEqualTo("claude-opus-4-1");
    assertThat(summary.finishReasons()).containsExactly("end_turn");
    assertThat(summary.usage())
        .isEqualTo(
            Usage.builder()
                .inputTokens(1225L)
                .cacheReadTokens(200L)
                .cacheWriteTokens(1000L)
                .cacheWrite1hTokens(600L)
                .outputTokens(40L)
                .reasoningTokens(10L)
                .serviceTier("standard")
                .build());
  }

  @Test
  void geminiOutputAddsThoughtsAndInputAddsToolUsePrompt() {
    ResponseSummary summary =
        UsageParser.parse(
            "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hi\"}]},\"finishReason\":\"STOP\","
                + "\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":220,\"cachedContentTokenCount\":128,"
                + "\"candidatesTokenCount\":5,\"thoughtsTokenCount\":185,\"toolUsePromptTokenCount\":7,"
                + "\"totalTokenCount\":417,\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":220}]},"
                + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"abc123\"}");

    assertThat(summary.model()).isEqualTo("gemini-2.5-flash");
    assertThat(summary.finishReasons()).containsExactly("STOP");
    assertThat(summary.usage())
        .isEqualTo(
            Usage.builder()
                .inputTokens(227L)
                .cacheReadTokens(128L)
                .outputTokens(190L)
                .reasoningTokens(185L)
                .build());
  }

  @Test
  void geminiStreamTakesTheLastCumulativeCounts() {
    StreamUsageAccumulator stream = new StreamUsageAccumulator();
    stream.onEvent(
        "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"H\"}]}}],\"usageMetadata\":{\"promptTokenCount\":10,"
            + "\"candidatesTokenCount\":1},\"modelVersion\":\"gemini-2.5-pro\"}");
    stream.onEvent(
        "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"i\"}]},\"finishReason\":\"STOP\"}],"
            + "\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":17},\"modelVersion\":\"gemini-2.5-pro\"}");

    assertThat(stream.result().usage().inputTokens()).isEqualTo(10L);
    assertThat(stream.result().usage().outputTokens()).isEqualTo(17L);
    assertThat(stream.result().finishReasons()).containsExactly("STOP");
  }

  @Test
  void bedrockConverseAddsCacheToInputAndReadsOneHourWrites() {
    ResponseSummary summary =
        UsageParser.parse(
            "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"Hi\"}]}},\"stopReason\":\"end_turn\","
                + "\"usage\":{\"inputTokens\":50,\"outputTokens\":320,\"totalTokens\":100926,\"cacheReadInputTokens\":100000,"
                + "\"cacheWriteInputTokens\":556,\"cacheDetails\":[{\"ttl\":\"1h\",\"inputTokens\":100},"
                + "{\"ttl\":\"5m\",\"inputTokens\":456}]},\"metrics\":{\"latencyMs\":812},\"serviceTier\":{\"type\":\"priority\"}}");

    assertThat(summary.finishReasons()).containsExactly("end_turn");
    assertThat(summary.usage())
        .isEqualTo(
            Usage.builder()
                .inputTokens(100606L)
                .cacheReadTokens(100000L)
                .cacheWriteTokens(556L)
                .cacheWrite1hTokens(100L)
                .outputTokens(320L)
                .serviceTier("priority")
                .build());
  }

  @Test
  void ollamaNativeCountsAndMissingPromptCountMeansFullyCached() {
    ResponseSummary summary =
        UsageParser.parse(
            "{\"model\":\"llama3.2\",\"created_at\":\"2025-10-17T23:14:07Z\",\"message\":{\"role\":\"assistant\","
                + "\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":174560334,"
                + "\"prompt_eval_count\":11,\"prompt_eval_duration\":13074791,\"eval_count\":18,\"eval_duration\":52479709}");
    assertThat(summary.model()).isEqualTo("llama3.2");
    assertThat(summary.finishReasons()).containsExactly("stop");
    assertThat(summary.usage()).isEqualTo(Usage.builder().inputTokens(11L).outputTokens(18L).build());

    ResponseSummary cached =
        UsageParser.parse("{\"model\":\"llama3.2\",\"done\":true,\"eval_count\":5}");
    assertThat(cached.usage().inputTokens()).isEqualTo(0L);
    assertThat(cached.usage().outputTokens()).isEqualTo(5L);
  }

  @Test
  void errorBodiesAndNonJsonCarryNoUsage() {
    assertThat(
            UsageParser.parse(
                "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\",\"code\":\"x\"}}"))
        .isNull();
    ResponseSummary anthropicError =
        UsageParser.parse(
            "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
    assertThat(anthropicError == null || anthropicError.usage() == null).isTrue();

    assertThat(UsageParser.parse("<html>bad gateway</html>")).isNull();
    assertThat(UsageParser.parse((String) null)).isNull();
    assertThat(UsageParser.parse("{\"usage\":{\"prompt_tokens\":")).isNull();
  }

  private static final String OPENROUTER_HEAD =
      "{\"id\":\"gen-1\",\"object\":\"chat.completion\",\"model\":\"openai/gpt-4o-mini\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
          + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":5,";

  private static String openRouter(String costJson) {
    return OPENROUTER_HEAD + "\"total_tokens\":25" + (costJson == null ? "" : ",\"cost\":" + costJson) + "}}";
  }

  @Test
  void openRouterUsageCostIsKeptAsItsExactDecimalText() {
    // 19 significant digits: a double would round it (0.00001234567890123457)
    ResponseSummary summary = UsageParser.parse(openRouter("0.0000123456789012345678"));
    assertThat(summary.providerCostUsd()).isEqualTo("0.0000123456789012345678");
    assertThat(new java.math.BigDecimal(summary.providerCostUsd()))
        .isEqualByComparingTo(new java.math.BigDecimal("1.23456789012345678E-5"));
    assertThat(summary.usage().inputTokens()).isEqualTo(20L);
    assertThat(summary.usage().outputTokens()).isEqualTo(5L);
    // the same body as bytes
    assertThat(UsageParser.parse(openRouter("0.5").getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .providerCostUsd())
        .isEqualTo("0.5");
  }

  @Test
  void openRouterCostInScientificOrIntegerFormIsWrittenPlain() {
    assertThat(UsageParser.parse(openRouter("1.5E-5")).providerCostUsd()).isEqualTo("0.000015");
    assertThat(UsageParser.parse(openRouter("2e-9")).providerCostUsd()).isEqualTo("0.000000002");
    assertThat(UsageParser.parse(openRouter("0")).providerCostUsd()).isEqualTo("0");
    assertThat(UsageParser.parse(openRouter("3")).providerCostUsd()).isEqualTo("3");
    assertThat(UsageParser.parse(openRouter("\"0.0021\"")).providerCostUsd())
        .as("a cost sent as a string is read the same")
        .isEqualTo("0.0021");
  }

  @Test
  void withoutUsageCostThereIsNoProviderCost() {
    assertThat(UsageParser.parse(openRouter(null)).providerCostUsd()).isNull();
    assertThat(UsageParser.parse(openRouter(null)).usage().inputTokens()).isEqualTo(20L);
  }

  @Test
  void aMalformedCostIsIgnoredAndTheUsageIsKept() {
    for (String bad :
        new String[] {
          "-0.001", "null", "true", "\"abc\"", "\"NaN\"", "\"Infinity\"", "\"-1\"", "\"1e999\"",
          "\"0x10\"", "\"\"", "1e999", "{\"amount\":1}", "[0.1]",
          "0." + "1".repeat(60)
        }) {
      ResponseSummary summary = UsageParser.parse(openRouter(bad));
      assertThat(summary.providerCostUsd()).as(bad).isNull();
      assertThat(summary.usage().inputTokens()).as(bad).isEqualTo(20L);
      assertThat(summary.usage().outputTokens()).as(bad).isEqualTo(5L);
    }
  }

  @Test
  void openRouterStreamTakesTheCostFromTheFinalChunk() {
    StreamUsageAccumulator stream = new StreamUsageAccumulator();
    stream.onEvent(
        "{\"id\":\"gen-2\",\"object\":\"chat.completion.chunk\",\"model\":\"openai/gpt-4o-mini\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}");
    assertThat(stream.progress().providerCostUsd()).isNull();
    stream.onEvent(
        "{\"id\":\"gen-2\",\"object\":\"chat.completion.chunk\",\"model\":\"openai/gpt-4o-mini\","
            + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12,"
            + "\"cost\":0.00000987654321}}");
    stream.onEvent("[DONE]");

    ResponseSummary summary = stream.result();
    assertThat(summary.providerCostUsd()).isEqualTo("0.00000987654321");
    assertThat(summary.usage().inputTokens()).isEqualTo(9L);
    assertThat(summary.usage().outputTokens()).isEqualTo(3L);
  }

  @Test
  void aStreamWithoutCostOrWithAMalformedOneHasNone() {
    StreamUsageAccumulator plain = new StreamUsageAccumulator();
    plain.onEvent(
        "{\"object\":\"chat.completion.chunk\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}");
    assertThat(plain.result().providerCostUsd()).isNull();

    StreamUsageAccumulator bad = new StreamUsageAccumulator();
    bad.onEvent(
        "{\"object\":\"chat.completion.chunk\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"cost\":-2.5}}");
    assertThat(bad.result().providerCostUsd()).isNull();
    assertThat(bad.result().usage().inputTokens()).isEqualTo(9L);
  }

  @Test
  void providerCostValidationIsExactAndBounded() {
    assertThat(ProviderCost.usd(" 0.00042 ")).isEqualTo("0.00042");
    assertThat(ProviderCost.usd("0.100")).as("exact: trailing zeros kept").isEqualTo("0.100");
    assertThat(ProviderCost.usd(null)).isNull();
    assertThat(ProviderCost.usd("1,5")).isNull();
    assertThat(ProviderCost.usd("+1")).isNull();
    assertThat(ProviderCost.usd("1e99")).as("plain form longer than the bound").isNull();
    assertThat(ProviderCost.usd("9".repeat(ProviderCost.MAX_CHARS + 1))).isNull();
    assertThat(ProviderCost.usd("9".repeat(ProviderCost.MAX_CHARS))).isEqualTo("9".repeat(ProviderCost.MAX_CHARS));
  }

  /** The response id lets the collector count a request once when the app reports it too. */
  @Test
  void theProvidersResponseIdIsKeptFromWholeResponsesAndStreams() {
    assertThat(UsageParser.parse("{\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion\","
        + "\"model\":\"gpt-4o-mini\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}")
        .responseId()).isEqualTo("chatcmpl-abc");
    assertThat(UsageParser.parse("{\"responseId\":\"g-77\",\"modelVersion\":\"gemini-2.5-flash\","
        + "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":2}}").responseId())
        .isEqualTo("g-77");
    StreamUsageAccumulator anthropic = new StreamUsageAccumulator();
    anthropic.onEvent("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01X\","
        + "\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}");
    anthropic.onEvent("{\"type\":\"content_block_start\",\"index\":0,"
        + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"f\"}}");
    anthropic.onEvent("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
        + "\"usage\":{\"output_tokens\":7}}");
    assertThat(anthropic.result().responseId()).isEqualTo("msg_01X");
    StreamUsageAccumulator openAi = new StreamUsageAccumulator();
    openAi.onEvent("{\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\","
        + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}");
    openAi.onEvent("{\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\","
        + "\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,"
        + "\"completion_tokens\":1}}");
    assertThat(openAi.result().responseId()).isEqualTo("chatcmpl-s1");
    // a value too long to be an id is not kept; a response without one has none
    assertThat(UsageParser.parse("{\"id\":\"" + "x".repeat(300) + "\",\"usage\":{\"prompt_tokens\":1,"
        + "\"completion_tokens\":1}}").responseId()).isNull();
    assertThat(UsageParser.parse("{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}")
        .responseId()).isNull();
  }
}
