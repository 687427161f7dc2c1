package io.flowcost.agent.http.jdk;

import static io.flowcost.agent.testing.ThreadCpu.cpu;
import static io.flowcost.agent.testing.ThreadCpu.cpuSince;
import static io.flowcost.agent.testing.ThreadCpu.median;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.flowcost.agent.concurrent.ContextTasks;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.testing.BenchmarkAgent;
import io.flowcost.agent.testing.CountingClient;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What the {@code executors} unit's wrapper costs on the tasks the JDK {@code HttpClient} hands
 * its own executor while a workflow is open (the side-by-side benchmark's case: LangChain4j's JDK
 * client sending inside an AI service's workflow), in one JVM, with no bytecode instrumentation:
 * one client whose executor hands each task to a thread pool either as it is ({@code plain}) or
 * through {@link ContextTasks#wrap(Runnable)} first ({@code wrapped}: exactly what the unit's
 * advice on {@code ThreadPoolExecutor.execute} does), the two taking turns block by block (ABBA),
 * every {@code send} made inside the same open workflow (so the wrapper does wrap). The server is
 * a {@code com.sun.net.httpserver} in this JVM on 127.0.0.1 (its threads' CPU is not counted).
 *
 * <p>Per request, median of the blocks after the first quarter: CPU of the application's thread,
 * of the client's threads (its executor's and its selector thread), executor tasks, the block's
 * median time of a {@code send}; and per round the difference wrapped − plain (median and
 * quartiles). Not a test (its name does not end in {@code Test}): {@code docs/benchmarks.md} has
 * the command; the table goes to {@code target/client-task-context-benchmark.txt}.
 */
public class ClientTaskContextBenchmark {

  private static final String REPLY =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"42\"},"
          + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":31,"
          + "\"completion_tokens\":7,\"total_tokens\":38}}";

  private static final String[] VARIANTS = {"wrapped", "plain"};

  @Test
  void runsTheVariantsInTurn() throws Exception {
    int rounds = Integer.getInteger("bench.rounds", 40);
    int perBlock = Integer.getInteger("bench.requests", 300);
    int warmup = Integer.getInteger("bench.warmup", 4_000);
    System.setProperty("sun.net.httpserver.nodelay", "true"); // no delayed-ACK wait per response
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService serverThreads = Executors.newFixedThreadPool(2);
    server.createContext("/", exchange -> {
      try (exchange) {
        exchange.getRequestBody().readAllBytes();
        byte[] body = REPLY.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    });
    server.setExecutor(serverThreads);
    server.start();

    BenchmarkAgent agent = BenchmarkAgent.install();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    // set between blocks; read by whichever thread hands the client a task (same read in both)
    AtomicBoolean wrap = new AtomicBoolean();
    CountingClient counting = new CountingClient(task -> wrap.get() ? ContextTasks.wrap(task) : task);
    HttpClient client = counting.client();
    Set<Thread> clientThreads = counting.threads();
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer sk-bench")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\"}"))
        .build();

    Workflow workflow = AgentContext.startWorkflow("bench", "api", null, null);
    List<List<double[]>> blocks = List.of(new ArrayList<>(), new ArrayList<>());
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    try (Scope ignored = workflow.attach(Context.current()).makeCurrent()) {
      assertThat(AgentContext.workflowOrBoundary()).isTrue();
      for (int i = 0; i < warmup; i++) {
        wrap.set(i % 2 == 0);
        send(client, request);
      }
      long[] latencies = new long[perBlock];
      for (int round = 0; round < rounds; round++) {
        for (int turn = 0; turn < 2; turn++) {
          int v = (round % 2 == 0) == (turn == 0) ? 0 : 1; // ABBA: each first every other round
          wrap.set(v == 0);
          Map<Thread, Long> clientCpu = cpu(threads, clientThreads);
          long appCpu = threads.getCurrentThreadCpuTime();
          long tasksBefore = counting.tasks();
          for (int i = 0; i < perBlock; i++) {
            long start = System.nanoTime();
            send(client, request);
            latencies[i] = System.nanoTime() - start;
          }
          double app = (threads.getCurrentThreadCpuTime() - appCpu) / 1_000.0 / perBlock;
          double others = cpuSince(threads, clientThreads, clientCpu) / 1_000.0 / perBlock;
          Arrays.sort(latencies);
          if (round >= rounds / 4) {
            blocks.get(v).add(new double[] {app, others, app + others,
                (counting.tasks() - tasksBefore) / (double) perBlock, latencies[perBlock / 2] / 1_000.0});
          }
        }
      }
    } finally {
      server.stop(0);
      serverThreads.shutdownNow();
      counting.close();
      agent.shutdown();
    }
    double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

    StringBuilder table = new StringBuilder();
    table.append(String.format("Java %s, %d rounds (%d measured), %d requests a block, load"
            + " average %.1f -> %.1f, %d client threads%n%n", Runtime.version(), rounds,
        blocks.get(0).size(), perBlock, loadBefore, loadAfter, clientThreads.size()));
    table.append("| per request | CPU app thread µs | CPU client threads µs | CPU both µs |"
        + " executor tasks | median time µs |\n|---|---:|---:|---:|---:|---:|\n");
    for (int v = 0; v < 2; v++) {
      table.append("| ").append(VARIANTS[v]);
      for (int k = 0; k < 5; k++) {
        table.append(String.format(k == 3 ? " | %.2f" : " | %.1f", median(blocks.get(v), k)));
      }
      table.append(" |\n");
    }
    table.append("\n| wrapped − plain, per round | median | quartiles |\n|---|---:|---|\n");
    String[] names = {"CPU app thread µs", "CPU client threads µs", "CPU both µs",
        "executor tasks", "median time µs"};
    for (int k = 0; k < 5; k++) {
      double[] differences = new double[blocks.get(0).size()];
      for (int i = 0; i < differences.length; i++) {
        differences[i] = blocks.get(0).get(i)[k] - blocks.get(1).get(i)[k];
      }
      Arrays.sort(differences);
      table.append(String.format("| %s | %+.2f | %+.2f … %+.2f |%n", names[k],
          differences[differences.length / 2], differences[differences.length / 4],
          differences[3 * differences.length / 4]));
    }
    System.out.print(table);
    Path out = Path.of("target", "client-task-context-benchmark.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table, StandardCharsets.UTF_8);
  }

  private static void send(HttpClient client, HttpRequest request) throws Exception {
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200 || response.body().length() != REPLY.length()) {
      throw new IllegalStateException("unexpected response " + response);
    }
  }
}
