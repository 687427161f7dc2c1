package io.flowcost.e2e;

import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The base of an end-to-end class whose tests all read one {@link AgentRun}: it runs what {@link
 * #agentRun()} describes once, before the class's tests (and before any {@code @BeforeAll} of the
 * class itself), keeps what the tests read in fields, and closes the run after them.
 *
 * <p>Why a base class: a dozen classes copied the same five fields out of their run and closed it
 * the same way; this is the one place that does it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OneRunEndToEnd {

  /** The run; {@code null} only when it failed to start (the class's tests then fail first). */
  AgentRun r;
  /** The (first) app under the agent ({@link AgentRun#run()}; its exit code was checked). */
  ChildJvm.Result run;
  /** The (first) app without the agent, or {@code null} without {@code withoutAgentToo()}. */
  ChildJvm.Result plain;
  /** DuckDB with the lake's views ({@link AgentRun#duck()}). */
  Connection duck;
  /** The fake provider's exchanges of the run under the agent ({@link AgentRun#exchanges()}). */
  List<FakeExchanges.Expected> exchanges;

  /** The run this class's tests read; it is started by {@link #startTheRun()}. */
  abstract AgentRun.Builder agentRun() throws Exception;

  @BeforeAll
  final void startTheRun() throws Exception {
    r = agentRun().run();
    run = r.run();
    plain = r.plain();
    duck = r.duck();
    exchanges = r.exchanges();
  }

  @AfterAll
  final void closeTheRun() throws Exception {
    if (r != null) {
      r.close();
    }
  }
}
