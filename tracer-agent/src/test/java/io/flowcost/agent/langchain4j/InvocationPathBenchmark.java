package io.flowcost.agent.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.http.client.HttpMethod;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.service.tool.ToolExecutionResult;
import io.flowcost.agent.langchain4j.aiservice.AiServiceInvokeAdvice;
import io.flowcost.agent.langchain4j.chat.ChatAdvice;
import io.flowcost.agent.langchain4j.http.HttpExecuteAdvice;
import io.flowcost.agent.langchain4j.tool.ToolServiceAdvice;
import io.flowcost.agent.testing.BenchmarkAgent;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH: the agent's work on the application's thread for one invocation of the side-by-side
 * benchmark's AI service ({@code scripts/bench.sh agent}): the hooks called exactly as the advice
 * calls them — an AI-service invocation (a workflow), 3 chat calls each with one HTTP exchange
 * (an OpenAI chat-completion answer with usage read from its body), 2 tool calls — 9 spans, ended
 * into the agent's batch span processor ({@code SpanBatcher}) whose exporter encodes them on its
 * thread as the agent's does, then drops them (that thread's work is not in the figures below;
 * {@link InvocationPathBeforeAfterBenchmark} counts it). No network, no LangChain4j work: the agent's
 * own path alone, so a change's before/after ratio is meaningful even on a loaded machine:
 * besides JMH's wall time per invocation (which a loaded machine inflates), the benchmark thread's
 * own CPU time per invocation is reported, the figure that compares. Not a test (its name does not end in
 * {@code Test}); run it with the command in {@code docs/benchmarks.md}, which prints a table and
 * writes it to {@code target/invocation-path-benchmark.txt}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
// in this JVM: the CPU time per invocation is collected in a static list (see Installed)
@Fork(0)
public class InvocationPathBenchmark {

  /** The AI service of the side-by-side benchmark. */
  public interface ClaimAssistant {
    /** Answers a question. */
    String answer(String question);
  }

  static final String TOOL_ANSWER = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
      + "\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
      + "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
      + "\"type\":\"function\",\"function\":{\"name\":\"lookupPolicy\",\"arguments\":"
      + "\"{\\\"policyId\\\":\\\"P-1003\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],"
      + "\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":18,\"total_tokens\":138,"
      + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":"
      + "{\"reasoning_tokens\":0}},\"system_fingerprint\":\"fp_1\"}";
  static final String TEXT_ANSWER = "{\"id\":\"chatcmpl-3\",\"object\":\"chat.completion\","
      + "\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
      + "\"message\":{\"role\":\"assistant\",\"content\":\"The windshield is covered; the repair"
      + " is estimated at 420 USD.\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":"
      + "210,\"completion_tokens\":24,\"total_tokens\":234},\"system_fingerprint\":\"fp_1\"}";
  static final String REQUEST = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
      + "\"content\":\"Claim C-1: is the windshield covered?\"}],\"tools\":[{\"type\":\"function\","
      + "\"function\":{\"name\":\"lookupPolicy\",\"parameters\":{\"type\":\"object\"}}}]}";

  static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /** The benchmark thread's CPU nanoseconds per invocation, one per iteration (warm-up first). */
  static final List<Double> CPU_PER_INVOCATION = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Spans ended per invocation, one per trial: 9 when every hook recorded its span. */
  static final List<Double> SPANS_PER_INVOCATION =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * The agent installed ({@link BenchmarkAgent}: spans encoded on the batch thread as the agent's
   * exporter does, counted and dropped) and the invocation's requests and answers.
   */
  @State(org.openjdk.jmh.annotations.Scope.Thread)
  public static class Installed {
    BenchmarkAgent agent;
    Method method;
    Object[] args = {"Claim C-1: is the windshield covered?"};
    /** A chat model as OpenAI's reports itself (its {@code provider()}; nothing else is read). */
    final ChatModel model = new ChatModel() {
      @Override
      public ModelProvider provider() {
        return ModelProvider.OPEN_AI;
      }
    };
    ChatRequest chatRequest;
    HttpRequest httpRequest;
    SuccessfulHttpResponse toolResponse;
    SuccessfulHttpResponse textResponse;
    ChatResponse toolChat;
    ChatResponse textChat;
    ToolExecutionRequest lookup;
    ToolExecutionRequest estimate;
    /** What {@code ToolService.executeWithErrorHandling} returns for a tool that answered. */
    ToolExecutionResult toolResult;
    long invocations;
    private long cpuAtStart;
    private long invocationsAtStart;

    @Setup(Level.Trial)
    public void install() throws Exception {
      agent = BenchmarkAgent.install();
      method = ClaimAssistant.class.getMethod("answer", String.class);
      chatRequest = ChatRequest.builder().modelName("gpt-4o-mini")
          .messages(List.of(dev.langchain4j.data.message.UserMessage.from("Claim C-1")))
          .build();
      httpRequest = HttpRequest.builder().method(HttpMethod.POST)
          .url("http://127.0.0.1:1/v1/chat/completions")
          .addHeader("Content-Type", "application/json").body(REQUEST).build();
      Map<String, List<String>> headers = Map.of("content-type", List.of("application/json"),
          "x-request-id", List.of("req-1"), "openai-processing-ms", List.of("0"));
      toolResponse = SuccessfulHttpResponse.builder().statusCode(200).headers(headers)
          .body(TOOL_ANSWER).build();
      textResponse = SuccessfulHttpResponse.builder().statusCode(200).headers(headers)
          .body(TEXT_ANSWER).build();
      lookup = ToolExecutionRequest.builder().id("call_1").name("lookupPolicy")
          .arguments("{\"policyId\":\"P-1003\"}").build();
      estimate = ToolExecutionRequest.builder().id("call_2").name("estimateRepair")
          .arguments("{\"item\":\"windshield\"}").build();
      toolResult = ToolExecutionResult.builder().resultText("{\"covered\":true}").build();
      toolChat = ChatResponse.builder().aiMessage(AiMessage.from(List.of(lookup)))
          .modelName("gpt-4o-mini-2024-07-18").tokenUsage(new TokenUsage(120, 18))
          .finishReason(FinishReason.TOOL_EXECUTION).build();
      textChat = ChatResponse.builder().aiMessage(AiMessage.from("The windshield is covered."))
          .modelName("gpt-4o-mini-2024-07-18").tokenUsage(new TokenUsage(210, 24))
          .finishReason(FinishReason.STOP).build();
    }

    /** Exports what the processor holds and waits for it (a block's end, before/after runs). */
    public void flush() {
      agent.flush();
    }

    /** Spans ended but not exported so far: dropped by a full queue, once flushed. */
    public long unexported() {
      return agent.unexported();
    }

    @Setup(Level.Iteration)
    public void iterationStarts() {
      cpuAtStart = THREADS.getCurrentThreadCpuTime();
      invocationsAtStart = invocations;
    }

    @TearDown(Level.Iteration)
    public void iterationEnds() {
      long n = invocations - invocationsAtStart;
      if (n > 0) {
        CPU_PER_INVOCATION.add((THREADS.getCurrentThreadCpuTime() - cpuAtStart) / (double) n);
      }
    }

    @TearDown(Level.Trial)
    public void shutdown() {
      agent.shutdown();
      SPANS_PER_INVOCATION.add(agent.ended() / (double) invocations);
    }
  }

  /** One invocation: workflow, 3 model calls (one attempt each), 2 tool calls; 9 spans. */
  @Benchmark
  public Object invocation(Installed s) {
    s.invocations++;
    // the advice's bodies, as inlined into the AI-service proxy's handler, ChatModel.chat,
    // HttpClient.execute and ToolService.executeWithErrorHandling: their reads too
    Object invocation = AiServiceInvokeAdvice.enter(s.method, s.args);
    chat(s, s.toolResponse, s.toolChat);
    tool(s.lookup, s.toolResult);
    chat(s, s.toolResponse, s.toolChat);
    tool(s.estimate, s.toolResult);
    chat(s, s.textResponse, s.textChat);
    AiServiceInvokeAdvice.exit(invocation, "The windshield is covered.", null);
    return invocation;
  }

  private static void chat(Installed s, SuccessfulHttpResponse response, ChatResponse chat) {
    Object call = ChatAdvice.enter(s.model, s.chatRequest);
    Object attempt = HttpExecuteAdvice.enter(s.httpRequest);
    HttpExecuteAdvice.exit(attempt, response, null);
    ChatAdvice.exit(call, chat, null);
  }

  private static void tool(ToolExecutionRequest request, ToolExecutionResult result) {
    Object token = ToolServiceAdvice.enter(request);
    ToolServiceAdvice.exit(token, result, null);
  }

  /** Runs the benchmark (JUnit entry point, only when named with -Dtest). */
  @Test
  void run() throws Exception {
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .include(InvocationPathBenchmark.class.getName() + "\\.")
        .addProfiler("gc")
        .build()).run();
    // the measured iterations are the last ones (warm-up iterations come first)
    List<Double> measured = CPU_PER_INVOCATION.subList(
        Math.max(0, CPU_PER_INVOCATION.size() - 5), CPU_PER_INVOCATION.size());
    double[] cpu = measured.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    StringBuilder table = new StringBuilder("| benchmark | thread CPU ns per invocation (median"
        + " of iterations; min–max) | wall ns per invocation (mean ± 99.9%) |"
        + " bytes allocated per invocation |\n|---|---|---|---|\n");
    for (RunResult r : results) {
      // the profiler's key is "·gc.alloc.rate.norm" or "gc.alloc.rate.norm" by JMH version
      var alloc = r.getSecondaryResults().entrySet().stream()
          .filter(e -> e.getKey().endsWith("gc.alloc.rate.norm")).map(Map.Entry::getValue)
          .findFirst().orElse(null);
      table.append("| ").append(r.getParams().getBenchmark()
              .substring(r.getParams().getBenchmark().lastIndexOf('.') + 1))
          .append(" | ").append(String.format("%.0f (%.0f–%.0f)", cpu[cpu.length / 2], cpu[0],
              cpu[cpu.length - 1]))
          .append(" | ").append(String.format("%.0f ± %.0f", r.getPrimaryResult().getScore(),
              r.getPrimaryResult().getScoreError()))
          .append(" | ").append(alloc == null ? "?" : String.format("%.0f", alloc.getScore()))
          .append(" |\n");
    }
    System.out.println(table);
    Files.writeString(Path.of("target", "invocation-path-benchmark.txt"), table,
        StandardCharsets.UTF_8);
    assertThat(results).hasSize(1);
    assertThat(SPANS_PER_INVOCATION).containsExactly(9.0); // all recorded, none dropped
  }
}
