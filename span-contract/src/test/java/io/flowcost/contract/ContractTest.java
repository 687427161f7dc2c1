package io.flowcost.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContractTest {

  @Test
  void callKindsRoundTripAndUnknownsAreEmpty() {
    for (CallKind k : CallKind.values()) {
      assertThat(CallKind.fromWire(k.wire())).contains(k);
      assertThat(CallKind.fromWire(" " + k.wire().toUpperCase() + " ")).contains(k);
    }
    assertThat(CallKind.fromWire("agent")).isEmpty();
    assertThat(CallKind.fromWire(null)).isEmpty();
    assertThat(CallKind.MODEL.wire()).isEqualTo("model");
    assertThat(CallStatus.fromWire("ERROR")).contains(CallStatus.ERROR);
    assertThat(CallStatus.fromWire("partial")).isEmpty();
    assertThat(WorkflowSource.fromWire("implicit")).contains(WorkflowSource.IMPLICIT);
    assertThat(WorkflowSource.fromWire("cron")).isEmpty();
  }

  @Test
  void operationsAreClassified() {
    for (String inference : List.of("chat", "text_completion", "generate_content", "embeddings")) {
      assertThat(GenAiOperation.fromWire(inference).orElseThrow().isInference()).isTrue();
    }
    assertThat(GenAiOperation.fromWire("embeddings").orElseThrow().callKind())
        .contains(CallKind.EMBEDDING);
    assertThat(GenAiOperation.fromWire("embedding").orElseThrow().callKind())
        .contains(CallKind.EMBEDDING);
    assertThat(GenAiOperation.fromWire("execute_tool").orElseThrow().role())
        .isEqualTo(GenAiOperation.Role.TOOL);
    for (String shaping : List.of("invoke_agent", "invoke_workflow", "create_agent", "framework")) {
      GenAiOperation op = GenAiOperation.fromWire(shaping).orElseThrow();
      assertThat(op.role()).isEqualTo(GenAiOperation.Role.SHAPING);
      assertThat(op.callKind()).isEmpty();
    }
    assertThat(GenAiOperation.fromWire("plan_the_day")).isEmpty();
    assertThat(GenAiOperation.fromWire(null)).isEmpty();
  }

  @Test
  void providersNormaliseAliasesAndKeepUnknownNames() {
    assertThat(Provider.normalise("azure-openai")).isEqualTo("azure.ai.openai");
    assertThat(Provider.normalise("bedrock_converse")).isEqualTo("aws.bedrock");
    assertThat(Provider.normalise("vertex_ai")).isEqualTo("gcp.vertex_ai");
    assertThat(Provider.normalise("OpenAI")).isEqualTo("openai");
    assertThat(Provider.normalise("acme_llm")).isEqualTo("acme_llm");
    assertThat(Provider.normalise(" ")).isNull();
    assertThat(Provider.fromWire("spring_ai")).isEmpty();
    assertThat(Provider.fromLangChain4j("OPEN_AI")).isEqualTo("openai");
    assertThat(Provider.fromLangChain4j("GOOGLE_VERTEX_AI_ANTHROPIC")).isEqualTo("gcp.vertex_ai");
    assertThat(Provider.fromLangChain4j("WATSONX")).isEqualTo("ibm.watsonx.ai");
    assertThat(Provider.fromLangChain4j("NEW_ONE")).isEqualTo("new_one");
    assertThat(Provider.fromLangChain4j("OTHER")).isNull();
  }

  @Test
  void everyKeyIsSpelledOnce() throws IllegalAccessException {
    List<String> keys = new ArrayList<>();
    for (Field f : SpanKeys.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        keys.add((String) f.get(null));
      }
    }
    Set<String> distinct = new HashSet<>(keys);
    assertThat(distinct).hasSameSizeAs(keys);
    assertThat(keys).contains("gen_ai.usage.cache_write.input_tokens",
        "gen_ai.usage.cache_creation.input_tokens", "gen_ai.response.id");
    // no content key is ever a key Flowcost reads
    assertThat(distinct).doesNotContainAnyElementsOf(SpanKeys.CONTENT_KEYS);
  }
}
