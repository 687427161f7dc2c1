package io.flowcost.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelResolverTest {

  private final ModelResolver resolver = PriceCatalog.bundled().resolver();

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(nullValues = "null", value = {
      // exact, case-insensitive, provider prefix
      "openai, gpt-4o, openai/gpt-4o",
      "openai, GPT-4o, openai/gpt-4o",
      "null, openai/gpt-4o, openai/gpt-4o",
      // dated snapshots
      "openai, gpt-4o-2024-08-06, openai/gpt-4o",
      "openai, gpt-4o-2024-05-13, openai/gpt-4o-2024-05-13",
      "openai, gpt-4o-mini-2024-07-18, openai/gpt-4o-mini",
      "openai, gpt-4.1-mini-2025-04-14, openai/gpt-4.1-mini",
      "openai, gpt-5-2025-08-07, openai/gpt-5",
      "anthropic, claude-sonnet-4-5-20250929, anthropic/claude-sonnet-4-5",
      "null, anthropic/claude-sonnet-4-5, anthropic/claude-sonnet-4-5",
      "anthropic, claude-opus-4-1-20250805, anthropic/claude-opus-4-1",
      // -latest aliases
      "anthropic, claude-3-5-haiku-latest, anthropic/claude-3-5-haiku",
      "mistral_ai, mistral-large-latest, mistral/mistral-large",
      "mistral_ai, mistral-small-latest, mistral/mistral-small-2603",
      "mistral, codestral-latest, mistral/codestral",
      "mistral, mistral-large-2512, mistral/mistral-large",
      "mistral, mistral-large-2407, mistral/mistral-large-2411",
      // never a different model by prefix
      "openai, gpt-4o-mini, openai/gpt-4o-mini",
      "openai, gpt-4.1-mini, openai/gpt-4.1-mini",
      "openai, gpt-4.1-nano, openai/gpt-4.1-nano",
      "openai, gpt-5-mini, openai/gpt-5-mini",
      "gcp.gemini, gemini-2.5-flash-lite, gemini/gemini-2.5-flash-lite",
      "gcp.gemini, gemini-2.5-flash, gemini/gemini-2.5-flash",
      // Gemini names, Vertex falls back to Gemini list prices
      "gcp.gemini, models/gemini-2.5-pro, gemini/gemini-2.5-pro",
      "gcp.vertex_ai, gemini-2.5-pro, gemini/gemini-2.5-pro",
      // Bedrock: ids, provider prefix, inference profiles, ARNs
      "aws.bedrock, amazon.nova-pro-v1:0, bedrock/amazon.nova-pro-v1:0",
      "null, bedrock/amazon.nova-lite-v1:0, bedrock/amazon.nova-lite-v1:0",
      "aws.bedrock, us.anthropic.claude-sonnet-4-5-20250929-v1:0,"
          + " bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "aws.bedrock, apac.anthropic.claude-sonnet-4-5-20250929-v1:0,"
          + " bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "aws.bedrock, global.anthropic.claude-sonnet-4-5-20250929-v1:0,"
          + " bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0",
      "aws.bedrock, eu.anthropic.claude-sonnet-4-20250514-v1:0,"
          + " bedrock/anthropic.claude-sonnet-4-20250514-v1:0",
      "aws.bedrock, arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0,"
          + " bedrock/amazon.nova-micro-v1:0",
      "aws.bedrock, meta.llama3-3-70b-instruct-v1:0, bedrock/meta.llama3-3-70b-instruct-v1:0",
      // Azure OpenAI falls back to OpenAI list prices
      "azure.ai.openai, gpt-4.1, openai/gpt-4.1",
      // no provider: a name owned by one provider resolves
      "null, claude-haiku-4-5, anthropic/claude-haiku-4-5",
  })
  void resolves(String provider, String model, String key) {
    assertThat(resolver.resolve(provider, model)).contains(key);
  }

  @ParameterizedTest(name = "{0} {1} -> unpriced")
  @CsvSource(nullValues = "null", value = {
      "openai, gpt-4o-mini-audio",       // a different model, not a snapshot of gpt-4o-mini
      "openai, gpt-4",                   // no prefix match onto gpt-4o / gpt-4.1
      "openai, gpt-5-hyper",            // no prefix match onto gpt-5
      "openai, claude-sonnet-4-5",       // wrong provider
      "ollama, mistral-small",           // local model must not borrow Mistral's API price
      "ollama, llama3.1:8b",
      "gemini, text-embedding-004",
      "null, ''",
  })
  void doesNotResolve(String provider, String model) {
    assertThat(resolver.resolve(provider, model)).isEmpty();
  }

  @Test
  void everyCatalogNameResolvesToItsOwnEntry() {
    // The strongest guard against prefix or suffix confusion: each model and alias in the
    // bundled catalog maps back to exactly its own key.
    PriceCatalog catalog = PriceCatalog.bundled();
    for (ModelPrice m : catalog.models()) {
      assertThat(resolver.resolve(m.provider(), m.model())).as(m.key()).contains(m.key());
      assertThat(resolver.resolve(null, m.provider() + "/" + m.model())).as(m.key())
          .contains(m.key());
      for (String alias : m.aliases()) {
        assertThat(resolver.resolve(m.provider(), alias)).as(alias).contains(m.key());
      }
    }
  }

  @Test
  void deploymentAliasesAreCaseInsensitiveAndDoNotChangeTheOriginal() {
    ModelResolver azure = resolver.withDeploymentAliases(
        Map.of("Prod-Chat", "gpt-4o-mini", "embedder", "openai/text-embedding-3-large"));
    assertThat(azure.resolve("azure.ai.openai", "PROD-CHAT")).contains("openai/gpt-4o-mini");
    assertThat(azure.resolve("azure.ai.openai", "embedder"))
        .contains("openai/text-embedding-3-large");
    assertThat(azure.resolve("azure.ai.openai", "gpt-4o")).contains("openai/gpt-4o");
    assertThat(resolver.resolve("azure.ai.openai", "prod-chat")).isEqualTo(Optional.empty());
  }
}
