package io.flowcost.agent.langchain4j.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code gen_ai.response.finish_reasons} from a LangChain4j {@code FinishReason} constant. */
class ChatFinishReasonsTest {

  enum FinishReason { STOP, LENGTH, TOOL_EXECUTION, CONTENT_FILTER { } }

  @Test
  void theConstantsNameInLowerCaseAsOneListPerConstant() {
    assertThat(ChatTracing.finishReasons(FinishReason.STOP)).containsExactly("stop");
    assertThat(ChatTracing.finishReasons(FinishReason.TOOL_EXECUTION))
        .containsExactly("tool_execution");
    // a constant with a body is a subclass: still its enum's constant
    assertThat(ChatTracing.finishReasons(FinishReason.CONTENT_FILTER))
        .containsExactly("content_filter");
    assertThat(ChatTracing.finishReasons(FinishReason.STOP))
        .as("built once per constant").isSameAs(ChatTracing.finishReasons(FinishReason.STOP));
    assertThat(ChatTracing.finishReasons(FinishReason.LENGTH)).containsExactly("length");
  }
}
