package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Caps refuse on the clients whose hooks once could only record a capped request: Reactor Netty
 * (and Spring's {@code WebClient} and {@code RestClient} on it), Jetty 12 and {@code
 * HttpURLConnection}, under the shaded agent in {@code flowcost.caps.mode=enforce}. Per client,
 * {@code examples/http-clients-app --capped} opens one workflow capped at two model calls and makes
 * four requests (plain, stream, plain, stream): the first two are answered, the last two are
 * refused before any byte leaves the JVM — the fake provider receives exactly two per client — and
 * the app catches what each client surfaces; each workflow has one breach row, {@code
 * enforced=true}, and two model calls.
 */
class HttpClientCapsEndToEndTest extends OneRunEndToEnd {

  static final String CAP_EXCEPTION = "io.flowcost.outcome.WorkflowCapExceededException";

  /** What the app catches per client (class names, outermost first). */
  static final Map<String, String> REFUSED = Map.of(
      "reactor-netty", CAP_EXCEPTION,
      // WebClient wraps every connector failure: the refusal is the cause
      "webclient", "org.springframework.web.reactive.function.client.WebClientRequestException <- "
          + CAP_EXCEPTION,
      // RestClient's Reactor request factory turns a failed exchange into an IOException, which
      // RestClient reports as its ResourceAccessException: the refusal is the root cause
      "restclient", "org.springframework.web.client.ResourceAccessException <- java.io.IOException"
          + " <- " + CAP_EXCEPTION,
      "url-connection", CAP_EXCEPTION,
      "jetty", CAP_EXCEPTION);

  /**
   * Jetty's stream request goes through the asynchronous {@code send(listener)}: its {@code
   * InputStreamResponseListener.get} reports the failed result as an {@code ExecutionException}.
   */
  static final String JETTY_ASYNC = "java.util.concurrent.ExecutionException <- " + CAP_EXCEPTION;

  static final List<String> CLIENTS =
      List.of("reactor-netty", "webclient", "restclient", "url-connection", "jetty");

  /** The clients capped, one workflow each (all of {@link #CLIENTS} by default). */
  List<String> clients() {
    return CLIENTS;
  }

  /** The app build they run in: by default Reactor Netty 1.2 / Spring Framework 6.2. */
  Path app() {
    return HttpClientEndToEndContract.appJar();
  }

  @Override
  AgentRun.Builder agentRun() throws Exception {
    return AgentRun.builder("http-caps")
        .jar(app())
        .fakeProvider(base -> List.of("--provider-url", base, "--clients",
            String.join(",", clients()), "--capped"))
        .service("http-caps")
        .agentFlags(base -> List.of(
            "-Dflowcost.caps.mode=enforce",
            // 127.0.0.1 is no provider's host: its model paths are model calls when configured
            "-Dflowcost.llm-endpoints=" + base));
  }

  @Test
  void theRequestsPastTheCapAreRefusedBeforeTheyLeaveTheJvm() {
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    for (String client : clients()) {
      assertThat(run.stdout().lines().filter(l -> l.startsWith(client + " capped-")))
          .as(client)
          .containsExactly(
              client + " capped-1 200",
              client + " capped-2 200",
              client + " capped-3 refused " + REFUSED.get(client),
              client + " capped-4 refused "
                  + (client.equals("jetty") ? JETTY_ASYNC : REFUSED.get(client)));
    }
    assertThat(exchanges.size()).as("requests the provider received: two per client")
        .isEqualTo(2 * clients().size());
  }

  @Test
  void eachWorkflowHasOneEnforcedBreachAndTwoModelCalls() throws Exception {
    Map<String, Long> calls = new HashMap<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT w.workflow_name, count(*) FROM calls c JOIN workflows_latest w USING (workflow_id)"
            + " WHERE c.kind = 'model' AND c.service = 'http-caps' GROUP BY w.workflow_name")) {
      while (rs.next()) {
        calls.put(rs.getString(1), rs.getLong(2));
      }
    }
    Map<String, Long> expected = new HashMap<>();
    clients().forEach(c -> expected.put("capped " + c, 2L));
    assertThat(calls).isEqualTo(expected);
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*), count(DISTINCT workflow_id), bool_and(enforced),"
            + " bool_and(mode = 'enforce'), bool_and(cap_kind = 'max-model-calls'), min(model_calls),"
            + " max(model_calls) FROM cap_breaches WHERE service = 'http-caps'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("one breach row per workflow").isEqualTo(clients().size());
      assertThat(rs.getLong(2)).isEqualTo(clients().size());
      assertThat(rs.getBoolean(3)).as("enforced").isTrue();
      assertThat(rs.getBoolean(4)).isTrue();
      assertThat(rs.getBoolean(5)).isTrue();
      assertThat(rs.getLong(6)).isEqualTo(2);
      assertThat(rs.getLong(7)).isEqualTo(2);
    }
  }
}
