package io.flowcost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The export thread's scanner ({@link ScanningThread}, a field of its thread) reads every answer
 * as the scanner of any other thread ({@code ThreadLocal}) does, one body after another through
 * the same reused scanner, and is that thread's own.
 */
class ScanningThreadTest {

  @Test
  void aScanningThreadReadsTheCorpusAsAnyThreadDoesWithItsOwnScanner() throws Exception {
    List<String> corpus = UsageScannerDifferentialTest.corpus();
    assertThat(corpus).hasSizeGreaterThan(100);
    List<String> here = read(corpus);
    AtomicReference<List<String>> there = new AtomicReference<>();
    AtomicReference<Object[]> scanners = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    ScanningThread thread = new ScanningThread(() -> {
      try {
        there.set(read(corpus));
        scanners.set(new Object[] {UsageScanner.get(), UsageScanner.get()});
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "scanning-test");
    thread.start();
    thread.join(60_000);
    assertThat(thread.isAlive()).isFalse();
    assertThat(failure.get()).isNull();
    assertThat(there.get()).isEqualTo(here);
    // the same scanner each time on that thread, and not this thread's
    assertThat(scanners.get()[0]).isSameAs(scanners.get()[1])
        .isNotSameAs(UsageScanner.get());
  }

  private static List<String> read(List<String> corpus) {
    List<String> out = new ArrayList<>();
    for (String body : corpus) {
      out.add(String.valueOf(UsageParser.parse(body.getBytes(StandardCharsets.UTF_8))));
      out.add(String.valueOf(UsageParser.parseWithoutToolCalls(
          body.getBytes(StandardCharsets.UTF_8))));
    }
    return out;
  }
}
