package io.flowcost.agent.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.http.HttpSettings;
import io.flowcost.agent.http.TestLlmServer;
import io.flowcost.agent.http.jdk.JdkHttpTracing;
import io.flowcost.agent.propagation.jdkserver.JdkServerTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both ends in one JVM: a JDK client (helpers called as the advice calls them) sends to a JDK
 * server whose filter runs {@link JdkServerTracing} as the {@code doFilter} advice does.
 */
class PropagationTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  static TestLlmServer llm;
  static HttpServer tool;
  static final AtomicReference<Map<String, List<String>>> toolHeaders = new AtomicReference<>();
  static final AtomicReference<String> joinedWorkflow = new AtomicReference<>();
  static final AtomicReference<Upstream> joinedUpstream = new AtomicReference<>();
  static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws IOException {
    llm = TestLlmServer.start();
    tool = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    tool.createContext("/tool", PropagationTest::handleTool)
        .getFilters()
        .add(
            new Filter() {
              @Override
              public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                Object scope = JdkServerTracing.enter(exchange); // what DoFilterAdvice does
                try {
                  chain.doFilter(exchange);
                } finally {
                  JdkServerTracing.exit(scope, exchange, null);
                }
              }

              @Override
              public String description() {
                return "as the advice";
              }
            });
    tool.start();
  }

  @AfterAll
  static void stop() {
    llm.close();
    tool.stop(0);
  }

  @AfterEach
  void reset() {
    HttpSettings.install(HttpSettings.from(n -> null, n -> null, "http://127.0.0.1:4318"));
    toolHeaders.set(null);
    joinedWorkflow.set(null);
    joinedUpstream.set(null);
  }

  private static void handleTool(HttpExchange exchange) throws IOException {
    try (exchange) {
      toolHeaders.set(Map.copyOf(exchange.getRequestHeaders()));
      Workflow wf = AgentContext.startedWorkflow(); // never opens the request's own boundary
      joinedWorkflow.set(wf == null ? null : wf.id());
      joinedUpstream.set(Upstream.from(Context.current()));
      exchange.sendResponseHeaders(204, -1);
    }
  }

  static void settings(String hosts) {
    HttpSettings.install(
        HttpSettings.from(
            Map.of("flowcost.propagation.hosts", hosts, "flowcost.llm-endpoints", llm.baseUrl())::get,
            n -> null,
            "http://127.0.0.1:4318"));
  }

  static String toolUrl() {
    return "http://127.0.0.1:" + tool.getAddress().getPort() + "/tool";
  }

  @SuppressWarnings("unchecked")
  static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws Exception {
    Object exchange = JdkHttpTracing.start(request);
    HttpRequest r = (HttpRequest) JdkHttpTracing.request(exchange, request);
    HttpResponse.BodyHandler<T> h = (HttpResponse.BodyHandler<T>) JdkHttpTracing.handler(exchange, handler);
    CompletableFuture<HttpResponse<T>> future = client.sendAsync(r, h);
    JdkHttpTracing.end(exchange, future, null);
    return future.get();
  }

  static String header(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        assertThat(e.getValue()).as("one " + name + " header").hasSize(1);
        return e.getValue().get(0);
      }
    }
    return null;
  }

  @Test
  void aToolServiceJoinsTheCallersWorkflowWithItsTagsAndTheModelGetsNoBaggage() throws Exception {
    settings("127.0.0.1");
    Workflow wf =
        AgentContext.startWorkflow("delegate", "api", Map.of("customer", "acme corp"), null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      send(HttpRequest.newBuilder(URI.create(toolUrl())).header("baggage", "userId=alice").build(),
          HttpResponse.BodyHandlers.discarding());
      String chat = "{\"model\":\"gpt-4o-mini\",\"messages\":[]}";
      send(HttpRequest.newBuilder(URI.create(llm.baseUrl() + "/chat/completions"))
              .POST(HttpRequest.BodyPublishers.ofString(chat)).build(),
          HttpResponse.BodyHandlers.ofString());
    }
    wf.rootSpan().end();

    Map<String, List<String>> sent = toolHeaders.get();
    assertThat(header(sent, "traceparent")).startsWith("00-" + wf.id() + "-");
    assertThat(header(sent, "baggage"))
        .startsWith("userId=alice,flowcost.workflow.id=" + wf.id())
        .contains("flowcost.tag.team=claims", "flowcost.tag.customer=acme%20corp");
    assertThat(joinedWorkflow.get()).isEqualTo(wf.id());
    assertThat(joinedUpstream.get().tags()).containsEntry("team", "claims").containsEntry("customer", "acme corp");

    Map<String, List<String>> toModel = llm.requestHeaders().get(llm.requestHeaders().size() - 1);
    assertThat(header(toModel, "baggage")).as("never to a model API").isNull();
    SpanData call = telemetry.span(SpanAttributes.ATTEMPTS, 1L);
    Traceparent toModelParent = Traceparent.parse(header(toModel, "traceparent"));
    assertThat(toModelParent.traceId()).isEqualTo(wf.id());
    assertThat(toModelParent.parentId()).as("the model call's span").isEqualTo(call.getSpanId());
    assertThat(toModelParent.sampled()).isTrue();
  }

  @Test
  void hostsNotListedGetATraceparentButNoBaggage() throws Exception {
    settings("tools.internal");
    Workflow wf = AgentContext.startWorkflow("delegate", "api", null, null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      send(HttpRequest.newBuilder(URI.create(toolUrl())).build(), HttpResponse.BodyHandlers.discarding());
    }
    wf.rootSpan().end();
    assertThat(header(toolHeaders.get(), "baggage")).isNull();
    assertThat(header(toolHeaders.get(), "traceparent")).startsWith("00-" + wf.id() + "-");
    assertThat(joinedWorkflow.get()).as("a bare traceparent never joins").isNull();
  }

  @Test
  void outsideAnyWorkflowTheRequestIsUntouched() throws Exception {
    settings("127.0.0.1");
    send(HttpRequest.newBuilder(URI.create(toolUrl())).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(header(toolHeaders.get(), "traceparent")).isNull();
    assertThat(header(toolHeaders.get(), "baggage")).isNull();
  }

  @Test
  void requestsToTheCollectorCarryNothingOfOurs() throws Exception {
    HttpSettings.install(
        HttpSettings.from(
            Map.of("flowcost.propagation.hosts", "127.0.0.1")::get,
            n -> null,
            "http://127.0.0.1:" + tool.getAddress().getPort()));
    Workflow wf = AgentContext.startWorkflow("delegate", "api", null, null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      send(HttpRequest.newBuilder(URI.create(toolUrl())).build(), HttpResponse.BodyHandlers.discarding());
    }
    wf.rootSpan().end();
    assertThat(header(toolHeaders.get(), "traceparent")).isNull();
    assertThat(header(toolHeaders.get(), "baggage")).isNull();
  }

  @Test
  void anApplicationTraceparentIsKeptSoThereIsExactlyOne() throws Exception {
    settings("127.0.0.1");
    String apm = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
    Workflow wf = AgentContext.startWorkflow("delegate", "api", null, null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      send(HttpRequest.newBuilder(URI.create(toolUrl())).header("traceparent", apm).build(),
          HttpResponse.BodyHandlers.discarding());
    }
    wf.rootSpan().end();
    assertThat(header(toolHeaders.get(), "traceparent")).isEqualTo(apm);
    // the workflow still travels in baggage, so the tool joins it
    assertThat(joinedWorkflow.get()).isEqualTo(wf.id());
  }

  @Test
  void anUnsampledCallerIsStillRecordedAndItsFlagPassedOn() throws Exception {
    settings("127.0.0.1");
    String id = "4bf92f3577b34da6a3ce929d0e0e4736";
    Map<String, List<String>> incoming =
        Map.of(
            "traceparent", List.of("00-" + id + "-00f067aa0ba902b7-00"),
            "baggage", List.of("flowcost.workflow.id=" + id + ",flowcost.tag.team=fraud"));
    Context joined = IncomingContext.extract(incoming::get);
    try (Scope ignored = joined.makeCurrent()) {
      assertThat(AgentContext.currentWorkflow().id()).isEqualTo(id);
      LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
      call.end(null, null, null, null);
      send(HttpRequest.newBuilder(URI.create(toolUrl())).build(), HttpResponse.BodyHandlers.discarding());
    }
    SpanData call = telemetry.spans().get(0);
    assertThat(call.getTraceId()).isEqualTo(id);
    assertThat(call.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(telemetry.spans()).as("no implicit workflow: the caller's is open").hasSize(1);
    assertThat(header(toolHeaders.get(), "traceparent")).startsWith("00-" + id + "-").endsWith("-00");
    assertThat(header(toolHeaders.get(), "baggage")).contains("flowcost.tag.team=fraud");
  }
}
