package io.flowcost.agent.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowcostBaggageTest {

  static final String ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void mergeKeepsTheAppsMembersAndReplacesOurs() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("team", "claims");
    tags.put("customer", "Zoë & Co, Ltd");
    String header =
        FlowcostBaggage.merge("userId=alice,flowcost.workflow.id=old;p=1", ID, tags);
    assertThat(header)
        .isEqualTo("userId=alice,flowcost.workflow.id=" + ID
            + ",flowcost.tag.team=claims,flowcost.tag.customer=Zo%C3%AB%20%26%20Co%2C%20Ltd");
    Map<String, String> parsed = FlowcostBaggage.parse(List.of(header));
    assertThat(parsed)
        .containsEntry(FlowcostBaggage.WORKFLOW_ID, ID)
        .containsEntry("flowcost.tag.team", "claims")
        .containsEntry("flowcost.tag.customer", "Zoë & Co, Ltd")
        .doesNotContainKey("userId");
  }

  @Test
  void parseSkipsMalformedMembersAndInvalidIds() {
    assertThat(FlowcostBaggage.parse(List.of("flowcost.workflow.id=xyz,flowcost.tag.a=%zz,=x,flowcost.tag.b=ok")))
        .containsOnlyKeys("flowcost.tag.b");
    assertThat(FlowcostBaggage.parse(List.of("a=1", "flowcost.workflow.id=" + ID.toUpperCase())))
        .containsEntry(FlowcostBaggage.WORKFLOW_ID, ID);
    assertThat(FlowcostBaggage.parse(null)).isEmpty();
  }
}
