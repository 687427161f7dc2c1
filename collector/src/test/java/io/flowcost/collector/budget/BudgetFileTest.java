package io.flowcost.collector.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.collector.cli.FlowcostCollector;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The budgets file format: what is read, and each mistake refused naming its line. */
class BudgetFileTest {

  @TempDir Path tmp;

  @Test
  void readsOwnersPeriodsAndCapsIgnoringCommentsAndBlankLines() {
    List<Budget> budgets = BudgetFile.parse("budgets.txt", List.of(
        "# TAG=VALUE  PERIOD  CAPS",
        "",
        "team=payments   month  soft=800 hard=1000   # the payments team",
        "customer=acme day hard=50.5",
        "api_key_owner=bot-7 DAY soft=0.000000001"));
    assertThat(budgets).hasSize(3);
    Budget b = budgets.get(0);
    assertThat(b.ownerKey()).isEqualTo("team");
    assertThat(b.owner()).isEqualTo("payments");
    assertThat(b.period()).isEqualTo(BudgetPeriod.MONTH);
    assertThat(b.soft()).isEqualByComparingTo("800");
    assertThat(b.hard()).isEqualByComparingTo("1000");
    assertThat(b.line()).isEqualTo(3);
    assertThat(budgets.get(1).soft()).isNull();
    assertThat(budgets.get(1).hard()).isEqualByComparingTo(new BigDecimal("50.5"));
    assertThat(budgets.get(1).period()).isEqualTo(BudgetPeriod.DAY);
    assertThat(budgets.get(2).alertLimit()).isEqualByComparingTo("0.000000001");
    assertThat(budgets.get(2).line()).isEqualTo(5);
  }

  @Test
  void eachMistakeIsRefusedNamingItsLine() {
    String ok = "team=a month hard=1";
    assertRefused(List.of(ok, "team=b week hard=1"), "b.txt line 2: period 'week'");
    assertRefused(List.of("team month hard=1"), "line 1: the owner 'team' must be TAG=VALUE");
    assertRefused(List.of(ok, "", "team=b month"), "line 3: expected 'TAG=VALUE PERIOD");
    assertRefused(List.of("team=b month soft=x"), "line 1: soft 'x' is not a number");
    assertRefused(List.of("team=b month hard=-3"), "line 1: hard -3 must be above 0");
    assertRefused(List.of("team=b month hard=0.0000000001"), "with at most 9 decimals");
    assertRefused(List.of("team=b month soft=5 hard=4"), "line 1: soft cap 5 is above hard cap 4");
    assertRefused(List.of("team=b month max=4"), "line 1: 'max=4' must be soft=USD or hard=USD");
    assertRefused(List.of(ok, "team=a month soft=1"),
        "line 2: a month budget for team=a is already set on line 1");
    assertRefused(List.of("te am=b month hard=1"), "line 1:");
    assertRefused(List.of("# nothing"), "no budgets in file");
    assertRefused(List.of("team=b month hard=1 hard=2"), "line 1: hard cap given twice");
  }

  private static void assertRefused(List<String> lines, String message) {
    assertThatThrownBy(() -> BudgetFile.parse("b.txt", lines))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void serveRefusesAMalformedFileNamingTheLineAndDoesNotStart() throws Exception {
    Path file = tmp.resolve("budgets.txt");
    Files.writeString(file, "team=a month hard=10\n\nteam=b fortnight hard=1\n");
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new FlowcostCollector()).setErr(new PrintWriter(err, true));
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("flowcost-collector: " + e.getMessage());
      return 2;
    });
    int code = cli.execute("serve", "--port", "0", "--lake", tmp.resolve("lake").toString(),
        "--data-dir", tmp.resolve("data").toString(), "--budgets", file.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains(file + " line 3: period 'fortnight' must be 'day' or"
        + " 'month'");
    // nothing started: the data dir was never claimed
    assertThat(tmp.resolve("data").resolve("lake.id")).doesNotExist();
  }
}
