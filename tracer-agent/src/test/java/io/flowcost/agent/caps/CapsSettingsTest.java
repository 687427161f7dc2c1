package io.flowcost.agent.caps;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.outcome.CapKind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapsSettingsTest {

  @Test
  void parsesEveryCapWithUnits() {
    List<String> problems = new ArrayList<>();
    Caps caps =
        Caps.parse("flowcost.caps",
            "max-cost-usd=0.50, max-tokens=12000,max-model-calls=40,MAX-TOOL-CALLS=7,max-wall-time=5m",
            problems);
    assertThat(problems).isEmpty();
    assertThat(caps.limit(Cap.MAX_COST_USD)).isEqualByComparingTo("0.50");
    assertThat(caps.limit(Cap.MAX_TOKENS)).isEqualByComparingTo("12000");
    assertThat(caps.limit(Cap.MAX_MODEL_CALLS)).isEqualByComparingTo("40");
    assertThat(caps.limit(Cap.MAX_TOOL_CALLS)).isEqualByComparingTo("7");
    assertThat(caps.limit(Cap.MAX_WALL_TIME)).isEqualByComparingTo("300000");
    for (String[] d : new String[][] {{"1500ms", "1500"}, {"90s", "90000"}, {"2h", "7200000"}}) {
      assertThat(Caps.parse("k", "max-wall-time=" + d[0], problems).limit(Cap.MAX_WALL_TIME))
          .isEqualByComparingTo(d[1]);
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void eachMalformedEntryIsNamedOnceAndTheOthersStillApply() {
    List<String> problems = new ArrayList<>();
    Caps caps =
        Caps.parse("flowcost.caps",
            "max-cost-usd=-1,max-tokens=lots,max-model-calls=40,max-wall-time=300,"
                + "max-toolcalls=3,oops,max-tool-calls=2.5",
            problems);
    assertThat(caps.limits()).containsOnlyKeys(Cap.MAX_MODEL_CALLS);
    assertThat(problems)
        .containsExactly(
            "flowcost.caps: max-cost-usd='-1' is not a decimal number of USD >= 0; running without this cap",
            "flowcost.caps: max-tokens='lots' is not a whole number >= 0; running without this cap",
            "flowcost.caps: max-wall-time='300' is not a duration >= 0 with a unit (ms, s, m or h),"
                + " e.g. 5m; running without this cap",
            "flowcost.caps: unknown cap 'max-toolcalls' (known: max-cost-usd, max-tokens,"
                + " max-model-calls, max-tool-calls, max-wall-time); running without it",
            "flowcost.caps: 'oops' is not key=value; running without it",
            "flowcost.caps: max-tool-calls='2.5' is not a whole number >= 0; running without this cap");
  }

  @Test
  void controlCharactersInAMalformedValueAreEscaped() {
    List<String> problems = new ArrayList<>();
    Caps.parse("flowcost.caps", "max-tokens=1\n\u001b[2J", problems);
    assertThat(problems).singleElement().asString()
        .contains("'1\\u000a\\u001b[2J'")
        .doesNotContain("\n")
        .doesNotContain("\u001b");
  }

  @Test
  void perNameOverridesDefaultsAndApiOverridesBoth_problemsReportedOncePerName() {
    Map<String, String> settings =
        Map.of(
            "flowcost.caps", "max-cost-usd=0.50,max-model-calls=40",
            "flowcost.caps.mode", "enforce",
            "flowcost.caps.triage", "max-model-calls=10,max-tokens=x");
    List<String> problems = new ArrayList<>();
    CapsSettings s = CapsSettings.read(settings::get, problems::add);
    assertThat(s.mode()).isEqualTo(CapMode.ENFORCE);
    assertThat(problems).isEmpty();

    Caps triage = s.forWorkflow("triage", null);
    assertThat(triage.limit(Cap.MAX_COST_USD)).isEqualByComparingTo("0.50");
    assertThat(triage.limit(Cap.MAX_MODEL_CALLS)).isEqualByComparingTo("10");
    assertThat(triage.limit(Cap.MAX_TOKENS)).isNull();
    s.forWorkflow("triage", null);
    assertThat(problems)
        .containsExactly("flowcost.caps.triage: max-tokens='x' is not a whole number >= 0;"
            + " running without this cap");

    Caps api = s.forWorkflow("triage", "max-model-calls=3,max-wall-time=1500ms");
    assertThat(api.limit(Cap.MAX_MODEL_CALLS)).isEqualByComparingTo("3");
    assertThat(api.limit(Cap.MAX_WALL_TIME)).isEqualByComparingTo("1500");
    assertThat(api.limit(Cap.MAX_COST_USD)).isEqualByComparingTo("0.50");
    assertThat(s.forWorkflow("other", null).limit(Cap.MAX_MODEL_CALLS)).isEqualByComparingTo("40");
  }

  @Test
  void aMalformedModeOnlyWarnsAndIsNamed() {
    List<String> problems = new ArrayList<>();
    CapsSettings s = CapsSettings.read(Map.of("flowcost.caps.mode", "block")::get, problems::add);
    assertThat(s.mode()).isEqualTo(CapMode.WARN);
    assertThat(problems).containsExactly("flowcost.caps.mode: 'block' is not warn or enforce; caps only warn");
    assertThat(CapsSettings.read(name -> null, problems::add).defaults().isEmpty()).isTrue();
  }

  @Test
  void environmentVariablesFollowTheAgentsReader() {
    Map<String, String> env = Map.of("FLOWCOST_CAPS", "max-model-calls=2", "FLOWCOST_CAPS_MODE", "enforce",
        "FLOWCOST_CAPS_CLAIM_TRIAGE", "max-model-calls=5");
    io.flowcost.agent.AgentConfig config = io.flowcost.agent.AgentConfig.from(name -> null, env::get);
    assertThat(config.caps().mode()).isEqualTo(CapMode.ENFORCE);
    assertThat(config.caps().forWorkflow("claim-triage", null).limit(Cap.MAX_MODEL_CALLS))
        .isEqualByComparingTo("5");
    assertThat(config.caps().forWorkflow("other", null).limit(Cap.MAX_MODEL_CALLS))
        .isEqualByComparingTo("2");
  }

  @Test
  void theAgentsCapsMirrorOutcomeApisCapKinds() {
    for (Cap cap : Cap.values()) {
      CapKind kind = CapKind.valueOf(cap.name());
      assertThat(kind.key()).isEqualTo(cap.key());
      assertThat(kind.unit()).isEqualTo(cap.unit());
    }
    assertThat(CapKind.values()).hasSameSizeAs(Cap.values());
    for (CapKind kind : CapKind.values()) {
      assertThat(Cap.valueOf(kind.name()).key()).isEqualTo(kind.key());
    }
  }

  @Test
  void budgetUsdIsNotAPerWorkflowCap() {
    List<String> problems = new ArrayList<>();
    Caps caps = Caps.parse("flowcost.caps", "budget-usd=5,max-model-calls=3", problems);
    assertThat(caps.limits()).containsOnlyKeys(Cap.MAX_MODEL_CALLS);
    assertThat(problems).singleElement().asString()
        .contains("unknown cap 'budget-usd'").doesNotContain("known: max-cost-usd, max-tokens,"
            + " max-model-calls, max-tool-calls, max-wall-time, budget-usd");
  }
}
