package io.flowcost.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --help} wraps at spaces only: no word of the source text is split across lines. */
class HelpLayoutTest {

  @Test
  void everyCommandsHelpKeepsEveryWordWholeWithinEightyColumns() {
    CommandLine wrapped = HelpLayout.install(new CommandLine(new FlowcostCollector()));
    CommandLine wide = new CommandLine(new FlowcostCollector()).setUsageHelpWidth(2000);
    List<String> names = new ArrayList<>(List.of(""));
    names.addAll(wrapped.getSubcommands().keySet());
    for (String name : names) {
      String text = usage(wrapped, name);
      String source = usage(wide, name);
      // the same words in the same order as the unwrapped text: nothing split or joined
      assertThat(words(text)).as(name).isEqualTo(words(source));
      for (String line : text.split("\n")) {
        boolean oneLongWord = line.strip().indexOf(' ') < 0;
        if (!oneLongWord) {
          assertThat(line.length()).as(name + ": " + line).isLessThanOrEqualTo(HelpLayout.WIDTH);
        }
      }
    }
    // the tokens that picocli's own wrapping used to split are whole
    String serve = usage(wrapped, "serve");
    assertThat(serve).contains("./flowcost-lake", "java.io.tmpdir", "http://127.0.0.1:9000",
        "[--lake=DIR|s3://BUCKET/PREFIX]");
  }

  @Test
  void continuationLinesAreIndentedUnderTheirColumn() {
    String serve = usage(HelpLayout.install(new CommandLine(new FlowcostCollector())), "serve");
    List<String> lines = Arrays.asList(serve.split("\n"));
    // the text column follows the options' widths: take it from the row, then check the next line
    int row = lines.indexOf(lines.stream().filter(l -> l.matches(" +--max-buffered-rows=N +Rows.*"))
        .findFirst().orElseThrow());
    int column = lines.get(row).indexOf("Rows");
    assertThat(column).isBetween(28, 32);
    assertThat(lines.get(row + 1)).startsWith(" ".repeat(column + 2))
        .doesNotStartWith(" ".repeat(column + 3));
    assertThat(lines.get(1)).startsWith(" ".repeat("Usage: flowcost-collector serve ".length()))
        .contains("[--");
  }

  private static String usage(CommandLine cli, String name) {
    CommandLine cmd = name.isEmpty() ? cli : cli.getSubcommands().get(name);
    return cmd.getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  private static List<String> words(String text) {
    return Arrays.stream(text.split("\\s+")).filter(w -> !w.isEmpty()).toList();
  }
}
