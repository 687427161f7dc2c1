package io.flowcost.agent.http.jdk;

import static io.flowcost.agent.testing.ThreadCpu.cpu;
import static io.flowcost.agent.testing.ThreadCpu.cpuSince;
import static io.flowcost.agent.testing.ThreadCpu.median;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.flowcost.agent.testing.CountingClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the trusted mark on the agent's body subscriber ({@link JdkTypes#proxyBodySubscriber})
 * saves per recorded response, in one JVM: the packaged agent ({@code -javaagent}, {@code
 * -Dbench.agent}, default {@code target/flowcost-agent.jar}) and {@code HttpClient.send(…,
 * ofString())} of an OpenAI-shaped request to a local server (this JVM, 127.0.0.1, ephemeral port)
 * listed in {@code flowcost.llm-endpoints}. Three variants take turns block by block, the order
 * changing from round to round (on a loaded box blocks seconds apart share the load; separate
 * JVMs do not resolve a few percent):
 *
 * <ul>
 *   <li>{@code trusted}: {@code BodyHandlers.ofString()}: the agent wraps the JDK's subscriber,
 *       which the JDK trusts, so its wrapper is marked trusted too (the change);
 *   <li>{@code plain}: the same subscriber behind a pass-through the JDK does not trust: the
 *       agent's wrapper is then a plain one, as before the change (the pass-through adds five
 *       direct calls per response, against tens of microseconds measured);
 *   <li>{@code unrecorded}: {@code ofString()} to a path outside the endpoints (the agent looks
 *       and records nothing): what the JDK does without a wrapper.
 * </ul>
 *
 * <p>Per request, median of the blocks after the first quarter: CPU of the application's thread,
 * CPU of the client's threads (its executor's, which a counting executor creates, and its selector
 * thread), their sum, executor tasks, and the block's median time of a {@code send}; and per
 * round the ratio trusted ÷ plain (median and quartiles). Not a test (its name does not end in
 * {@code Test}); run it with the command in {@code docs/benchmarks.md}, which prints a table and
 * writes it to {@code target/trusted-subscriber-benchmark.txt}.
 */
public class TrustedSubscriberBenchmark {

  private static final String REPLY =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1733000000,"
          + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
          + "\"assistant\",\"content\":\"The answer is 42.\",\"refusal\":null},\"logprobs\":null,"
          + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":31,\"completion_tokens\":7,"
          + "\"total_tokens\":38,\"prompt_tokens_details\":{\"cached_tokens\":0},"
          + "\"completion_tokens_details\":{\"reasoning_tokens\":0}},"
          + "\"system_fingerprint\":\"fp_0123456789\"}";

  private static final String REQUEST =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"You answer"
          + " briefly.\"},{\"role\":\"user\",\"content\":\"What is six times seven?\"}],"
          + "\"temperature\":0.0}";

  private static final String[] VARIANTS = {"trusted", "plain", "unrecorded"};

  /**
   * The variants' order in a round, all six in turn: each variant comes first, last and after
   * each of the others equally often (a rotation alone always puts the same one before it).
   */
  private static final int[][] ORDERS = {
      {0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}, {1, 0, 2}, {0, 2, 1}};

  @Test
  void runsTheVariantsInTurn() throws Exception {
    Path agent = Path.of(System.getProperty("bench.agent", "target/flowcost-agent.jar"));
    if (!Files.isRegularFile(agent)) {
      throw new IllegalStateException(agent.toAbsolutePath() + " is missing: package the agent"
          + " first (mvn -pl tracer-agent -am package -DskipTests), or set -Dbench.agent");
    }
    // the server writes the head and the body separately: without TCP_NODELAY each response
    // waits for the client's delayed ACK (≈ 40 ms), and a send measures the kernel's timer
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService serverThreads = Executors.newFixedThreadPool(2);
    server.createContext("/", exchange -> {
      try (exchange) {
        exchange.getRequestBody().readAllBytes();
        boolean spans = exchange.getRequestURI().getPath().equals("/v1/traces");
        byte[] body = spans ? new byte[0] : REPLY.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
      }
    });
    server.setExecutor(serverThreads);
    server.start();
    try {
      String root = "http://127.0.0.1:" + server.getAddress().getPort();
      String java = System.getProperty("bench.java",
          Path.of(System.getProperty("java.home"), "bin", "java").toString());
      Path out = Path.of("target", "trusted-subscriber-benchmark.txt");
      Files.createDirectories(out.getParent());
      List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC",
          "-javaagent:" + agent.toAbsolutePath(),
          "-Dflowcost.endpoint=" + root, "-Dflowcost.service=bench",
          "-Dflowcost.llm-endpoints=" + root + "/v1",
          "-Dbench.rounds=" + Integer.getInteger("bench.rounds", 60),
          "-Dbench.requests=" + Integer.getInteger("bench.requests", 300),
          "-Dbench.warmup=" + Integer.getInteger("bench.warmup", 3_000),
          "-cp", Path.of("target", "test-classes").toAbsolutePath().toString(),
          TrustedSubscriberBenchmark.class.getName(), root));
      Process child = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      assertThat(child.waitFor(2, TimeUnit.HOURS)).isTrue();
      String table = Files.readString(out, StandardCharsets.UTF_8);
      System.out.print(table);
      assertThat(child.exitValue()).as(table).isZero();
    } finally {
      server.stop(0);
      serverThreads.shutdownNow();
    }
  }

  /** The measured JVM (started by {@link #runsTheVariantsInTurn} with the agent). */
  public static void main(String[] args) throws Exception {
    String root = args[0];
    int rounds = Integer.getInteger("bench.rounds", 60);
    int perBlock = Integer.getInteger("bench.requests", 300);
    int warmup = Integer.getInteger("bench.warmup", 3_000);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

    // the client's executor counts each task and makes the threads whose CPU is summed
    CountingClient counting = new CountingClient(task -> task);
    HttpClient client = counting.client();
    Set<Thread> clientThreads = counting.threads();

    HttpRequest[] requests = {
        request(root + "/v1/chat/completions"),
        request(root + "/v1/chat/completions"),
        request(root + "/other/chat/completions")};
    @SuppressWarnings("unchecked")
    HttpResponse.BodyHandler<String>[] handlers = new HttpResponse.BodyHandler[] {
        HttpResponse.BodyHandlers.ofString(),
        (HttpResponse.BodyHandler<String>)
            info -> new Untrusted<>(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8)),
        HttpResponse.BodyHandlers.ofString()};

    for (int i = 0; i < warmup; i++) {
      for (int v = 0; v < VARIANTS.length; v++) {
        send(client, requests[v], handlers[v]);
      }
    }

    int n = VARIANTS.length;
    List<List<double[]>> blocks = new ArrayList<>();
    for (int v = 0; v < n; v++) {
      blocks.add(new ArrayList<>());
    }
    long[] latencies = new long[perBlock];
    for (int round = 0; round < rounds; round++) {
      for (int turn = 0; turn < n; turn++) {
        int v = ORDERS[round % ORDERS.length][turn];
        Map<Thread, Long> clientCpu = cpu(threads, clientThreads);
        long appCpu = threads.getCurrentThreadCpuTime();
        long tasksBefore = counting.tasks();
        for (int i = 0; i < perBlock; i++) {
          long start = System.nanoTime();
          send(client, requests[v], handlers[v]);
          latencies[i] = System.nanoTime() - start;
        }
        double app = (threads.getCurrentThreadCpuTime() - appCpu) / 1_000.0 / perBlock;
        double others = cpuSince(threads, clientThreads, clientCpu) / 1_000.0 / perBlock;
        double perRequestTasks = (counting.tasks() - tasksBefore) / (double) perBlock;
        Arrays.sort(latencies);
        double median = latencies[perBlock / 2] / 1_000.0;
        if (round >= rounds / 4) {
          blocks.get(v).add(new double[] {app, others, app + others, perRequestTasks, median});
        }
      }
    }
    double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

    StringBuilder table = new StringBuilder();
    table.append(String.format("Java %s, %d rounds (%d measured), %d requests a block, load"
            + " average %.1f -> %.1f, %d client threads%n%n", Runtime.version(), rounds,
        blocks.get(0).size(), perBlock, loadBefore, loadAfter, clientThreads.size()));
    table.append("| variant | CPU app thread µs | CPU client threads µs | CPU both µs |"
        + " executor tasks | median time µs |\n|---|---:|---:|---:|---:|---:|\n");
    for (int v = 0; v < n; v++) {
      table.append("| ").append(VARIANTS[v]);
      for (int k = 0; k < 5; k++) {
        table.append(String.format(k == 3 ? " | %.2f" : " | %.1f", median(blocks.get(v), k)));
      }
      table.append(" |\n");
    }
    table.append("\n| trusted ÷ plain, per round | median | quartiles |\n|---|---:|---|\n");
    String[] names = {"CPU app thread", "CPU client threads", "CPU both", "executor tasks",
        "median time"};
    for (int k = 0; k < 5; k++) {
      double[] ratios = new double[blocks.get(0).size()];
      for (int i = 0; i < ratios.length; i++) {
        ratios[i] = blocks.get(0).get(i)[k] / blocks.get(1).get(i)[k];
      }
      Arrays.sort(ratios);
      table.append(String.format("| %s | %.3f | %.3f–%.3f |%n", names[k],
          ratios[ratios.length / 2], ratios[ratios.length / 4], ratios[3 * ratios.length / 4]));
    }
    System.out.print(table);
  }

  private static HttpRequest request(String url) {
    return HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer sk-bench")
        .POST(HttpRequest.BodyPublishers.ofString(REQUEST))
        .build();
  }

  private static void send(HttpClient client, HttpRequest request,
      HttpResponse.BodyHandler<String> handler) throws IOException, InterruptedException {
    HttpResponse<String> response = client.send(request, handler);
    if (response.statusCode() != 200 || response.body().length() != REPLY.length()) {
      throw new IllegalStateException("unexpected response " + response);
    }
  }

  /** A pass-through the JDK does not trust (not one of its own subscribers). */
  private static final class Untrusted<T> implements HttpResponse.BodySubscriber<T> {
    private final HttpResponse.BodySubscriber<T> delegate;

    Untrusted(HttpResponse.BodySubscriber<T> delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletionStage<T> getBody() {
      return delegate.getBody();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      delegate.onSubscribe(subscription);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      delegate.onNext(item);
    }

    @Override
    public void onError(Throwable throwable) {
      delegate.onError(throwable);
    }

    @Override
    public void onComplete() {
      delegate.onComplete();
    }
  }
}
