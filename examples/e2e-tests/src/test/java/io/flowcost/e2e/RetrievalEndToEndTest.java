package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Under the agent, a LangChain4j AI service with a content retriever ({@link RetrievalApp}) records
 * its retrieval as a call of kind {@code retrieval} inside the workflow, with the query's
 * embedding call beneath it: in the agent's debug output and in the collector's lake.
 */
class RetrievalEndToEndTest {

  private static final Pattern SPAN =
      Pattern.compile("\\[flowcost] span '([^']*)' trace=(\\w+) span=(\\w+) parent=(\\w+) .* (\\{.*})$");

  record Span(String name, String trace, String id, String parent, String attributes) {
    /** A logical call of the kind (its attempts, beneath it, carry no attempt count). */
    boolean isCall(String kind) {
      return attributes.contains("flowcost.call.kind=" + kind)
          && attributes.contains("flowcost.attempts=");
    }
  }

  @Test
  void theRetrievalIsACallOfTheWorkflowWithItsEmbeddingBeneath() throws Exception {
    try (AgentRun r = AgentRun.builder("retrieval")
        .mainClass(RetrievalApp.class)
        .agentFlags(base -> List.of("-Dflowcost.debug=true"))
        .run()) {
      check(r);
    }
  }

  private static void check(AgentRun r) throws Exception {
    ChildJvm.Result run = r.run();
    assertThat(run.stdout()).startsWith("answer chars=");

    List<Span> spans = run.stderr().lines().map(SPAN::matcher).filter(Matcher::matches)
        .map(m -> new Span(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)))
        .collect(Collectors.toList());
    List<Span> retrievals = spans.stream()
        .filter(s -> s.attributes().contains("flowcost.call.kind=retrieval"))
        .collect(Collectors.toList());
    // the retriever's search of its store is part of the same retrieval, not a second one
    assertThat(retrievals).as(run.stderr()).hasSize(1);
    Span retrieval = retrievals.get(0);
    assertThat(retrieval.name()).isEqualTo("retrieval EmbeddingStoreContentRetriever");
    assertThat(retrieval.attributes()).contains("gen_ai.operation.name=retrieval",
        "flowcost.retrieval.source=EmbeddingStoreContentRetriever",
        "flowcost.retrieval.results=2");

    Span workflow = byId(spans, retrieval.parent()).orElseThrow();
    assertThat(workflow.name()).isEqualTo("PolicyAssistant.answer");
    assertThat(workflow.attributes()).contains("flowcost.workflow.root=true");

    List<Span> embeddings = spans.stream()
        .filter(s -> s.isCall("embedding")).collect(Collectors.toList());
    // one for filling the store (its own implicit workflow), one for the query
    assertThat(embeddings).hasSize(2);
    assertThat(embeddings).filteredOn(s -> s.parent().equals(retrieval.id())).hasSize(1);
    assertThat(embeddings).filteredOn(s -> s.trace().equals(workflow.trace())).hasSize(1);

    // the model call that reads the retrieved content is the workflow's too, beside the retrieval
    assertThat(spans).filteredOn(s -> s.isCall("model") && s.parent().equals(workflow.id()))
        .hasSize(1);
    assertThat(run.stderr()).doesNotContain("glass deductible", "hovercraft");

    // the lake keeps the nesting too: the embedding's parent_span_id is the retrieval's call id
    try (Statement st = r.duck().createStatement(); ResultSet rs = st.executeQuery(
        "SELECT r.workflow_id, r.tool_name, r.parent_span_id,"
            + " (SELECT count(*) FROM calls e WHERE e.kind = 'embedding'"
            + "  AND e.workflow_id = r.workflow_id AND e.parent_span_id = r.call_id)"
            + " FROM calls r WHERE r.kind = 'retrieval'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(workflow.trace());
      assertThat(rs.getString(2)).isEqualTo("EmbeddingStoreContentRetriever");
      assertThat(rs.getString(3)).isEqualTo(workflow.id());
      assertThat(rs.getLong(4)).isEqualTo(1);
      assertThat(rs.next()).isFalse();
    }
  }

  private static Optional<Span> byId(List<Span> spans, String id) {
    return spans.stream().filter(s -> s.id().equals(id)).findFirst();
  }
}
