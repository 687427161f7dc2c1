package io.flowcost.agent.http.okhttp;

import static io.flowcost.agent.context.SpanAttributes.ATTEMPT;
import static io.flowcost.agent.context.SpanAttributes.CALL_ID;
import static io.flowcost.agent.context.SpanAttributes.HTTP_STATUS;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.AgentInstallerAccess;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.concurrent.ContextTasks;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.http.HttpSettings;
import io.flowcost.agent.http.SdkCall;
import io.flowcost.agent.http.TestLlmServer;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.testing.OkHttpLoader;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An asynchronous OkHttp call that waits in the dispatcher's queue runs in its enqueuer's context,
 * not in that of the call whose end promoted it. OkHttp 4 is loaded through the agent's own
 * transformer ({@link OkHttpLoader}); its dispatcher's executor wraps tasks as the agent's
 * executor hook does ({@code RunnableArgumentAdvice} on {@code ThreadPoolExecutor.execute}). One
 * call per host at a time; the server holds the first answer until the other two are queued.
 */
class OkHttpAsyncCallsTest {

  private static final long WAIT_SECONDS = 30;

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  TestLlmServer server;

  @BeforeEach
  void start() throws IOException {
    server = TestLlmServer.start();
    HttpSettings.install(HttpSettings.from(
        Map.of("flowcost.llm-endpoints", server.baseUrl())::get, n -> null, "http://127.0.0.1:4318"));
  }

  @AfterEach
  void stop() {
    server.close();
    HttpSettings.install(HttpSettings.from(n -> null, n -> null, "http://127.0.0.1:4318"));
  }

  /**
   * The CI failure: two SDK calls in two workflows and a bare request outside any: the second
   * SDK call's attempt is its own (not a second attempt of the first), the bare request its own
   * implicit workflow's call.
   */
  @Test
  void aPromotedCallRunsInTheContextOfTheThreadThatEnqueuedIt() throws Exception {
    Placed placed;
    try (OkHttpLoader loader = new OkHttpLoader(AgentInstallerAccess.transformer(
        AgentConfig.from(n -> null, n -> null)))) {
      placed = threeCalls(loader, false);
      assertThat(loader.transformed).contains(
          "okhttp3.OkHttpClient$Builder", "okhttp3.internal.connection.RealCall$AsyncCall");
    }
    assertThat(placed.queued).as("B and C waited in the dispatcher's queue").isEqualTo(2);
    assertThat(placed.attemptsOf(placed.first)).as("the first SDK call: its own attempt only")
        .containsExactly("attempt 1 http 200");
    assertThat(placed.attemptsOf(placed.second)).as("the second SDK call: its own attempt")
        .containsExactly("attempt 1 http 200");
    SpanData bare = placed.otherAttempt();
    assertThat(bare.getTraceId()).as("enqueued outside any workflow: an implicit one of its own")
        .isNotIn(placed.first.workflowId, placed.second.workflowId);
    assertThat(OkHttpAsyncCalls.pending()).as("nothing kept for a call that ran").isZero();
  }

  /**
   * The same run without the {@code AsyncCall} advice (the unit off, its interceptor added by
   * hand): the executor hook alone carries the first call's context to the calls its end
   * promotes — what this test's order forces, so the test above would see it.
   */
  @Test
  void withoutTheAdviceTheExecutorHookCarriesTheFinishedCallsContext() throws Exception {
    Placed placed;
    try (OkHttpLoader loader = new OkHttpLoader(AgentInstallerAccess.transformer(AgentConfig.from(
        Map.of("flowcost.instrumentation.okhttp.enabled", "false")::get, n -> null)))) {
      placed = threeCalls(loader, true);
      assertThat(loader.transformed).isEmpty();
    }
    assertThat(placed.queued).isEqualTo(2);
    assertThat(placed.attemptsOf(placed.first)).containsExactly(
        "attempt 1 http 200", "attempt 2 http 200", "attempt 3 http 200");
    assertThat(placed.attemptsOf(placed.second)).isEmpty();
  }

  @Test
  void theEnqueuersContextReplacesTheOneTheExecutorCarriedForTheRunOnly() {
    Workflow enqueuer = AgentContext.startWorkflow("enqueuer", "api", null, null);
    Workflow other = AgentContext.startWorkflow("other", "api", null, null);
    Object captured = new Object();
    Object bare = new Object();
    try (Scope ignored = enqueuer.attach(Context.current()).makeCurrent()) {
      OkHttpAsyncCalls.created(captured);
    }
    OkHttpAsyncCalls.created(bare); // root: nothing kept
    assertThat(OkHttpAsyncCalls.pending()).isEqualTo(1);
    try (Scope carried = other.attach(Context.current()).makeCurrent()) {
      Object scope = OkHttpAsyncCalls.runEnter(captured);
      assertThat(AgentContext.startedWorkflow()).isSameAs(enqueuer);
      OkHttpAsyncCalls.runExit(scope);
      assertThat(AgentContext.startedWorkflow()).as("restored after the run").isSameAs(other);

      scope = OkHttpAsyncCalls.runEnter(bare);
      assertThat(Context.current()).as("enqueued outside any context").isSameAs(Context.root());
      OkHttpAsyncCalls.runExit(scope);
      assertThat(AgentContext.startedWorkflow()).isSameAs(other);
    }
    assertThat(OkHttpAsyncCalls.pending()).isZero();
    enqueuer.rootSpan().end();
    other.rootSpan().end();
  }

  /** An SDK call open in its own workflow. */
  private static final class Opened {
    final Workflow workflow;
    final String workflowId;
    final SdkCall sdk;

    Opened(String name) {
      workflow = AgentContext.startWorkflow(name, "api", null, null);
      workflowId = workflow.id();
      try (Scope ignored = workflow.attach(Context.current()).makeCurrent()) {
        sdk = SdkCall.of(LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false));
      }
    }

    String callId() {
      return sdk.call().span().getSpanContext().getSpanId();
    }

    void end() {
      sdk.methodExited(null);
      workflow.rootSpan().end();
    }
  }

  /** Where the three calls' attempts were recorded. */
  private static final class Placed {
    final Opened first;
    final Opened second;
    final int queued;
    final List<SpanData> attempts;

    Placed(Opened first, Opened second, int queued, List<SpanData> spans) {
      this.first = first;
      this.second = second;
      this.queued = queued;
      this.attempts = spans.stream().filter(s -> s.getAttributes().get(ATTEMPT) != null)
          .collect(Collectors.toList());
    }

    List<String> attemptsOf(Opened opened) {
      return attempts.stream()
          .filter(s -> opened.callId().equals(s.getAttributes().get(CALL_ID)))
          .filter(s -> s.getTraceId().equals(opened.workflowId))
          .map(s -> "attempt " + s.getAttributes().get(ATTEMPT)
              + " http " + s.getAttributes().get(HTTP_STATUS))
          .sorted()
          .collect(Collectors.toList());
    }

    SpanData otherAttempt() {
      List<SpanData> others = attempts.stream()
          .filter(s -> !first.callId().equals(s.getAttributes().get(CALL_ID))
              && !second.callId().equals(s.getAttributes().get(CALL_ID)))
          .collect(Collectors.toList());
      assertThat(others).hasSize(1);
      return others.get(0);
    }
  }

  /**
   * Call A (held by the server) in the first SDK call, B in the second, C outside any workflow,
   * through one client that runs one call per host at a time.
   */
  private Placed threeCalls(OkHttpLoader loader, boolean interceptorByHand) throws Exception {
    ExecutorService pool = new HookedPool();
    Object dispatcher = loader.type("okhttp3.Dispatcher").getConstructor(ExecutorService.class)
        .newInstance(pool);
    dispatcher.getClass().getMethod("setMaxRequestsPerHost", int.class).invoke(dispatcher, 1);
    Object builder = loader.type("okhttp3.OkHttpClient$Builder").getConstructor().newInstance();
    builder.getClass().getMethod("dispatcher", dispatcher.getClass()).invoke(builder, dispatcher);
    if (interceptorByHand) {
      OkHttpTracing.addInterceptor(builder); // what OkHttpBuilderAdvice does on build()
    }
    Object client = builder.getClass().getMethod("build").invoke(builder);
    Opened first = new Opened("first");
    Opened second = new Opened("second");
    try {
      CompletableFuture<Integer> a;
      try (Scope ignored = first.sdk.context().makeCurrent()) {
        a = enqueue(loader, client, "[hold] a");
      }
      assertThat(server.awaitHeldRequest()).as("A reached the server").isTrue();
      CompletableFuture<Integer> b;
      try (Scope ignored = second.sdk.context().makeCurrent()) {
        b = enqueue(loader, client, "b");
      }
      CompletableFuture<Integer> c = enqueue(loader, client, "c");
      int queued = (Integer) dispatcher.getClass().getMethod("queuedCallsCount").invoke(dispatcher);
      server.releaseHeld();
      assertThat(a.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(200);
      assertThat(b.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(200);
      assertThat(c.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(200);
      first.end();
      second.end();
      return new Placed(first, second, queued, telemetry.spans());
    } finally {
      server.releaseHeld();
      pool.shutdown();
      Object connections = client.getClass().getMethod("connectionPool").invoke(client);
      connections.getClass().getMethod("evictAll").invoke(connections);
    }
  }

  /** Enqueues a chat request; the future completes with its status once its body was read. */
  private CompletableFuture<Integer> enqueue(OkHttpLoader loader, Object client, String text)
      throws Exception {
    Class<?> mediaType = loader.type("okhttp3.MediaType");
    Class<?> requestBody = loader.type("okhttp3.RequestBody");
    Object body = requestBody.getMethod("create", String.class, mediaType).invoke(null,
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}",
        mediaType.getMethod("get", String.class).invoke(null, "application/json"));
    Class<?> requestBuilder = loader.type("okhttp3.Request$Builder");
    Object request = requestBuilder.getConstructor().newInstance();
    requestBuilder.getMethod("url", String.class).invoke(request, server.baseUrl() + "/chat/completions");
    requestBuilder.getMethod("post", requestBody).invoke(request, body);
    Object built = requestBuilder.getMethod("build").invoke(request);
    Object call = client.getClass().getMethod("newCall", loader.type("okhttp3.Request"))
        .invoke(client, built);
    CompletableFuture<Integer> done = new CompletableFuture<>();
    Class<?> callback = loader.type("okhttp3.Callback");
    Object listener = Proxy.newProxyInstance(loader, new Class<?>[] {callback}, (proxy, method, args) -> {
      switch (method.getName()) {
        case "onResponse":
          Object response = args[1];
          try {
            Object responseBody = response.getClass().getMethod("body").invoke(response);
            responseBody.getClass().getMethod("string").invoke(responseBody);
            done.complete((Integer) response.getClass().getMethod("code").invoke(response));
          } catch (Throwable t) {
            done.completeExceptionally(t);
          } finally {
            ((AutoCloseable) response).close();
          }
          return null;
        case "onFailure":
          done.completeExceptionally((Throwable) args[1]);
          return null;
        case "hashCode":
          return System.identityHashCode(proxy);
        case "equals":
          return proxy == args[0];
        default:
          return "callback";
      }
    });
    loader.type("okhttp3.Call").getMethod("enqueue", callback).invoke(call, listener);
    return done;
  }

  /** The agent's executor hook, as {@code RunnableArgumentAdvice} inlines it into {@code execute}. */
  private static final class HookedPool extends ThreadPoolExecutor {
    HookedPool() {
      super(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>());
    }

    @Override
    public void execute(Runnable task) {
      super.execute(ContextTasks.wrap(task));
    }
  }
}
