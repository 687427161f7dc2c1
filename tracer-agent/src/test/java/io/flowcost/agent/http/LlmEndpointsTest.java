package io.flowcost.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LlmEndpointsTest {

  private static final HttpSettings NONE = HttpSettings.from(n -> null, n -> null, "http://127.0.0.1:4318");
  private static final HttpSettings GATEWAY =
      HttpSettings.from(
          java.util.Map.of("flowcost.llm-endpoints", "http://127.0.0.1:8089/v1, https://gw.corp/llm")::get,
          n -> null,
          "http://127.0.0.1:4318");

  @Test
  void providerHostsAndTheirModelPathsAreModelCalls() {
    assertThat(LlmEndpoints.match(NONE, "https", "api.openai.com", -1, "/v1/chat/completions"))
        .isEqualTo(new LlmEndpoint("model", "chat", "openai", null));
    assertThat(LlmEndpoints.match(NONE, "https", "api.openai.com", -1, "/v1/responses"))
        .isEqualTo(new LlmEndpoint("model", "chat", "openai", null));
    assertThat(LlmEndpoints.match(NONE, "https", "api.openai.com", -1, "/v1/embeddings"))
        .isEqualTo(new LlmEndpoint("embedding", "embeddings", "openai", null));
    assertThat(LlmEndpoints.match(NONE, "https", "acme.openai.azure.com", -1,
            "/openai/deployments/my-gpt4o/chat/completions"))
        .isEqualTo(new LlmEndpoint("model", "chat", "azure.ai.openai", "my-gpt4o"));
    assertThat(LlmEndpoints.match(NONE, "https", "api.anthropic.com", -1, "/v1/messages"))
        .isEqualTo(new LlmEndpoint("model", "chat", "anthropic", null));
    assertThat(LlmEndpoints.match(NONE, "https", "generativelanguage.googleapis.com", -1,
            "/v1beta/models/gemini-2.5-flash:streamGenerateContent"))
        .isEqualTo(new LlmEndpoint("model", "generate_content", "gcp.gemini", "gemini-2.5-flash"));
    assertThat(LlmEndpoints.match(NONE, "https", "bedrock-runtime.us-east-1.amazonaws.com", -1,
            "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream"))
        .isEqualTo(new LlmEndpoint("model", "chat", "aws.bedrock",
            "anthropic.claude-3-5-sonnet-20240620-v1:0"));
    assertThat(LlmEndpoints.match(NONE, "https", "bedrock-runtime.us-east-1.amazonaws.com", -1,
            "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke"))
        .isEqualTo(new LlmEndpoint("model", "chat", "aws.bedrock",
            "anthropic.claude-sonnet-4-5-20250929-v1:0"));
    assertThat(LlmEndpoints.match(NONE, "https", "bedrock-runtime.us-east-1.amazonaws.com", -1,
            "/model/us.amazon.nova-lite-v1%3A0/invoke-with-response-stream"))
        .isEqualTo(new LlmEndpoint("model", "chat", "aws.bedrock", "us.amazon.nova-lite-v1:0"));
    assertThat(LlmEndpoints.match(NONE, "http", "localhost", 11434, "/api/chat"))
        .isEqualTo(new LlmEndpoint("model", "chat", "ollama", null));
    assertThat(LlmEndpoints.match(NONE, "https", "api.mistral.ai", -1, "/v1/chat/completions"))
        .isEqualTo(new LlmEndpoint("model", "chat", "mistral_ai", null));
  }

  @Test
  void otherPathsOfAProviderAndUnknownHostsAreNot() {
    assertThat(LlmEndpoints.match(NONE, "https", "api.openai.com", -1, "/v1/models")).isNull();
    assertThat(LlmEndpoints.match(NONE, "https", "api.anthropic.com", -1, "/v1/messages/count_tokens"))
        .isNull();
    assertThat(LlmEndpoints.match(NONE, "http", "127.0.0.1", 8089, "/v1/chat/completions")).isNull();
    assertThat(LlmEndpoints.match(NONE, "https", "example.com", -1, "/api/chat")).isNull();
  }

  @Test
  void configuredBaseUrlsMakeTheirModelPathsModelCalls() {
    assertThat(LlmEndpoints.match(GATEWAY, "http", "127.0.0.1", 8089, "/v1/chat/completions"))
        .isEqualTo(new LlmEndpoint("model", "chat", "openai", null));
    assertThat(LlmEndpoints.match(GATEWAY, "http", "127.0.0.1", 8089, "/v1/messages"))
        .isEqualTo(new LlmEndpoint("model", "chat", "anthropic", null));
    assertThat(LlmEndpoints.match(GATEWAY, "https", "gw.corp", -1, "/llm/v1/embeddings"))
        .isEqualTo(new LlmEndpoint("embedding", "embeddings", "openai", null));
    // another port, another prefix, a non-model path
    assertThat(LlmEndpoints.match(GATEWAY, "http", "127.0.0.1", 8090, "/v1/chat/completions")).isNull();
    assertThat(LlmEndpoints.match(GATEWAY, "https", "gw.corp", -1, "/other/chat/completions")).isNull();
    assertThat(LlmEndpoints.match(GATEWAY, "http", "127.0.0.1", 8089, "/v1/models")).isNull();
  }

  @Test
  void theStreamOperationsOfGeminiAndBedrockStreamByTheirPathAlone() {
    assertThat(LlmEndpoints.streamsByPath("/v1beta/models/gemini-2.5-flash:streamGenerateContent"))
        .isTrue();
    assertThat(LlmEndpoints.streamsByPath("/model/anthropic.claude-3/converse-stream")).isTrue();
    assertThat(LlmEndpoints.streamsByPath("/v1beta/models/gemini-2.5-flash:generateContent"))
        .isFalse();
    assertThat(LlmEndpoints.streamsByPath("/v1/chat/completions")).isFalse();
    assertThat(LlmEndpoints.streamsByPath(null)).isFalse();
  }
}
