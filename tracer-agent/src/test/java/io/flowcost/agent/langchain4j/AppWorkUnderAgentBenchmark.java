package io.flowcost.agent.langchain4j;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Does the agent's mere presence slow the application's own work — its JSON and its maps — on
 * threads where no agent code runs? The question behind the side-by-side benchmark's growth of
 * frames outside the agent (Jackson, {@code HashMap}: docs/benchmarks.md, "the application's
 * thread frame by frame"): if the agent's start-up (ByteBuddy's matching of every class loaded,
 * through the JDK's collections) and its export thread (the JDK's {@code HttpURLConnection}, whose
 * keep-alive cache is a {@code HashMap} subclass) put receiver types into the type profiles of
 * shared JDK methods that the application never uses, C2 compiles the application's calls through
 * those methods as virtual calls instead of inlined ones.
 *
 * <p>How: child JVMs, one per configuration, run the same application-like work (per operation,
 * three model calls' worth: an OpenAI-shaped chat request serialised by Jackson with LangChain4j's
 * settings, the chat answer and the tool arguments parsed back, response headers collected into
 * maps the way the JDK's HTTP/1.1 parser does, a {@code CompletableFuture} chain), warm up, then
 * take turns block by block as this parent asks ({@code BLOCK n} on their standard input); each
 * answers its thread's CPU time for the block. Reported: CPU per operation (median and quartiles
 * over the blocks) and the per-turn ratio of each JVM to the no-agent JVM of the same turn (the
 * first, always run). Arguments, {@code LABEL=WHAT} each:
 *
 * <ul>
 *   <li>{@code WHAT} an agent jar: that agent attached ({@code LABEL} starting {@code otel}: the
 *       OpenTelemetry Java agent's options), exporting to a throw-away local endpoint that answers
 *       every request. No hook runs on the measured thread (nothing it does is instrumented): the
 *       difference is the cost of the agent's presence alone;
 *   <li>{@code pollute}: no agent, the foreign receivers the Flowcost JVM's profiles showed put
 *       into the shared JDK methods before the warm-up ({@link Pollution}); {@code pollute-map}:
 *       the {@code HashMap} subclass alone;
 *   <li>{@code hooks} and {@code timed}: no agent attached; the work in the segments where the
 *       side-by-side application does it, only the segments' CPU counted, with the agent's hooks
 *       for one AI-service invocation between them ({@code hooks}; needs the module's classes on
 *       the class path) or nothing ({@code timed}) ({@link Interleaved}).
 * </ul>
 *
 * <p>Not a test. Run it with the command in {@code docs/benchmarks.md} ("Ninth round … type
 * profiles"): {@code java -cp <the module's test classpath>
 * io.flowcost.agent.langchain4j.AppWorkUnderAgentBenchmark LABEL=WHAT ...} with {@code
 * -Dbench.blocks}, {@code -Dbench.ops} (per block), {@code -Dbench.warmup} (operations) and {@code
 * -Dbench.jvm} (extra options of the child JVMs, space-separated).
 */
public final class AppWorkUnderAgentBenchmark {

  private AppWorkUnderAgentBenchmark() {}

  /** Parent: {@code LABEL=path/to/agent.jar ...}; child: {@code --child}. */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child();
      return;
    }
    int blocks = Integer.getInteger("bench.blocks", 40);
    int ops = Integer.getInteger("bench.ops", 2000);
    int warmup = Integer.getInteger("bench.warmup", 60000);
    List<String> extra = Arrays.stream(System.getProperty("bench.jvm", "").trim().split("\\s+"))
        .filter(s -> !s.isEmpty()).toList();
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sink.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    sink.start();
    String endpoint = "http://127.0.0.1:" + sink.getAddress().getPort();
    Path spool = Files.createTempDirectory("app-work-bench");
    List<String> labels = new ArrayList<>(List.of("none"));
    List<Child> children = new ArrayList<>();
    try {
      children.add(Child.start(extra, List.of()));
      for (String arg : args) {
        String label = arg.substring(0, arg.indexOf('='));
        String jar = arg.substring(arg.indexOf('=') + 1);
        labels.add(label);
        if (jar.equals("hooks")) {
          children.add(Child.start(extra, List.of("-Dbench.hooks=true")));
        } else if (jar.equals("timed")) {
          children.add(Child.start(extra, List.of("-Dbench.hooks=false", "-Dbench.timed=true")));
        } else if (jar.startsWith("pollute")) {
          // pollute: every foreign receiver below; pollute-map: the HashMap subclass alone
          children.add(Child.start(extra, List.of("-Dbench.pollute=" + jar)));
        } else if (label.startsWith("otel")) {
          children.add(Child.start(extra, List.of("-javaagent:" + jar, "-Dotel.service.name=bench",
              "-Dotel.traces.exporter=otlp", "-Dotel.exporter.otlp.protocol=http/protobuf",
              "-Dotel.exporter.otlp.endpoint=" + endpoint, "-Dotel.metrics.exporter=none",
              "-Dotel.logs.exporter=none")));
        } else {
          children.add(Child.start(extra, List.of("-javaagent:" + jar, "-Dflowcost.service=bench",
              "-Dflowcost.endpoint=" + endpoint,
              "-Dflowcost.spool.dir=" + spool.resolve(label))));
        }
      }
      for (Child c : children) {
        c.send("WARMUP " + warmup);
      }
      for (Child c : children) {
        c.await();
      }
      long[][] nanos = new long[children.size()][blocks];
      for (int b = 0; b < blocks; b++) {
        // a turn: every JVM one block, in an order that rotates so none is always first
        for (int i = 0; i < children.size(); i++) {
          int k = (i + b) % children.size();
          children.get(k).send("BLOCK " + ops);
          nanos[k][b] = Long.parseLong(children.get(k).await().split(" ")[0]);
        }
      }
      PrintStream out = System.out;
      out.printf(Locale.ROOT, "%d blocks of %d operations per JVM after %d of warm-up; JVM options %s%n",
          blocks, ops, warmup, extra);
      // bench.reference=LABEL: the ratios to that JVM's block of the same turn (default: none)
      int ref = Math.max(0, labels.indexOf(System.getProperty("bench.reference", "none")));
      out.println("| JVM | CPU µs per operation: median [quartiles] | ratio to " + labels.get(ref)
          + " per turn: median [quartiles] |");
      out.println("|---|---|---|");
      for (int k = 0; k < children.size(); k++) {
        double[] perOp = new double[blocks];
        double[] ratio = new double[blocks];
        for (int b = 0; b < blocks; b++) {
          perOp[b] = nanos[k][b] / 1000.0 / ops;
          ratio[b] = (double) nanos[k][b] / nanos[ref][b];
        }
        out.printf(Locale.ROOT, "| %s | %.2f [%.2f … %.2f] | %s |%n", labels.get(k),
            quantile(perOp, 0.5), quantile(perOp, 0.25), quantile(perOp, 0.75),
            k == ref ? "—" : String.format(Locale.ROOT, "%.3f [%.3f … %.3f]", quantile(ratio, 0.5),
                quantile(ratio, 0.25), quantile(ratio, 0.75)));
      }
    } finally {
      for (Child c : children) {
        c.process.destroy();
      }
      sink.stop(0);
    }
  }

  static double quantile(double[] values, double q) {
    double[] v = values.clone();
    Arrays.sort(v);
    double pos = q * (v.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, v.length - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - lo);
  }

  /** A child JVM, spoken to line by line. */
  private record Child(Process process, BufferedReader in, PrintStream out) {

    static Child start(List<String> extra, List<String> agent) throws IOException {
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xms256m", "-Xmx256m", "-XX:+UseSerialGC"));
      cmd.addAll(extra);
      cmd.addAll(agent);
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
          AppWorkUnderAgentBenchmark.class.getName(), "--child"));
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      return new Child(p,
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)),
          new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8));
    }

    void send(String line) {
      out.println(line);
    }

    /** The child's next answer ({@code OK …}), its other output (an agent's log) passed on. */
    String await() throws IOException {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("OK ")) {
          return line.substring(3);
        }
        System.err.println("  child: " + line);
      }
      throw new IllegalStateException("child JVM exited");
    }
  }

  private static void child() throws IOException {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    String pollute = System.getProperty("bench.pollute", "");
    if (!pollute.isEmpty()) {
      Pollution.run(pollute.equals("pollute-map"));
    }
    Work work = new Work();
    Interleaved interleaved = Boolean.getBoolean("bench.hooks") || Boolean.getBoolean("bench.timed")
        ? new Interleaved(work, Boolean.getBoolean("bench.hooks")) : null;
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      int n = Integer.parseInt(line.substring(line.indexOf(' ') + 1));
      long cpu;
      if (interleaved != null) {
        interleaved.appNanos = 0;
        for (int i = 0; i < n; i++) {
          interleaved.operation();
        }
        cpu = interleaved.appNanos;
      } else {
        long before = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
          work.operation();
        }
        cpu = threads.getCurrentThreadCpuTime() - before;
      }
      System.out.println("OK " + cpu + " " + work.sink);
    }
  }

  /**
   * The same application work in the segments where the side-by-side benchmark's application
   * does it, with the agent's hooks for one AI-service invocation (9 spans, exactly as the advice
   * calls them: {@code InvocationPathBenchmark}) between the segments when {@code hooks}, nothing
   * between them otherwise; only the segments' thread CPU is counted. The difference between the
   * two is what the hooks running on the same thread cost the application's own work (caches,
   * branch predictors, type profiles of shared JDK methods the hooks call), beyond their own CPU.
   */
  static final class Interleaved {
    private final Work work;
    private final InvocationPathBenchmark.Installed s;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long appNanos;

    Interleaved(Work work, boolean hooks) {
      this.work = work;
      if (hooks) {
        s = new InvocationPathBenchmark.Installed();
        try {
          s.install();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      } else {
        s = null;
      }
    }

    void operation() throws IOException {
      Object invocation = s == null ? null
          : io.flowcost.agent.langchain4j.aiservice.AiServiceTracing.enter(s.method, s.args);
      for (int call = 0; call < 3; call++) {
        Object chat = s == null ? null
            : io.flowcost.agent.langchain4j.chat.ChatTracing.enter(s.model, s.chatRequest, false);
        Object attempt = s == null ? null
            : io.flowcost.agent.langchain4j.http.HttpTracing.enter(s.httpRequest);
        long t0 = threads.getCurrentThreadCpuTime();
        String json = work.mapper.writeValueAsString(Work.request(call));
        work.sink += json.length() + Work.headers(call).size();
        appNanos += threads.getCurrentThreadCpuTime() - t0;
        if (s != null) {
          io.flowcost.agent.langchain4j.http.HttpTracing.exitSync(attempt,
              call < 2 ? s.toolResponse : s.textResponse, null);
        }
        t0 = threads.getCurrentThreadCpuTime();
        ChatResponse response = work.mapper.readValue(
            call < 2 ? Work.TOOL_ANSWER : Work.TEXT_ANSWER, ChatResponse.class);
        work.sink += response.usage.totalTokens;
        appNanos += threads.getCurrentThreadCpuTime() - t0;
        if (s != null) {
          io.flowcost.agent.langchain4j.chat.ChatTracing.exit(chat,
              call < 2 ? s.toolChat : s.textChat, null);
        }
        if (call < 2) {
          Object token = s == null ? null
              : io.flowcost.agent.langchain4j.tool.ToolTracing.enter(s.lookup);
          t0 = threads.getCurrentThreadCpuTime();
          for (ToolCall t : response.choices.get(0).message.toolCalls) {
            @SuppressWarnings("unchecked")
            Map<String, Object> arguments = work.mapper.readValue(t.function.arguments, Map.class);
            work.sink += arguments.size();
          }
          appNanos += threads.getCurrentThreadCpuTime() - t0;
          if (s != null) {
            io.flowcost.agent.langchain4j.tool.ToolTracing.exit(token, null, null);
          }
        }
      }
      if (s != null) {
        io.flowcost.agent.langchain4j.aiservice.AiServiceTracing.exit(invocation, "done", null);
      }
    }
  }

  /**
   * The foreign receivers that the Flowcost agent's JVM showed, and the no-agent JVM did not, at
   * the shared JDK call sites of the side-by-side benchmark's application ({@code
   * -XX:+LogCompilation}, docs/benchmarks.md): a {@code HashMap} subclass inserting and removing
   * once ({@code sun.net.www.http.KeepAliveCache}, the export's {@code HttpURLConnection}), other
   * functions through {@code HashMap.computeIfAbsent} ({@code ProxyGenerator}'s), other
   * collections through {@code new HashSet(Collection)} and {@code HashMap.putMapEntries}, other
   * lists through {@code AbstractList.listIterator} (ByteBuddy's), other functions through {@code
   * CompletableFuture.handle}. Run before the warm-up, as the agent's start-up runs before the
   * application's.
   */
  static final class Pollution {
    static void run(boolean mapOnly) {
      Map<String, Object> own = new HashMap<>() {
        private static final long serialVersionUID = 1L;
      };
      own.put("k", 1);
      own.remove("k");
      for (int round = 0; round < 3000 && !mapOnly; round++) {
        Map<Object, List<Object>> m = new HashMap<>();
        m.computeIfAbsent(round, k -> new ArrayList<>(3)).add(round);
        m.computeIfAbsent("a" + (round & 7), k -> new ArrayList<>(1)).add(round);
        m.computeIfAbsent(Long.valueOf(round), k -> new ArrayList<>(2)).add(round);
        Set<Object> s1 = new HashSet<>(java.util.Collections.emptySet());
        Set<Object> s2 = new HashSet<>(new HashSet<>(List.of(1, 2)));
        Set<Object> s3 = new HashSet<>(new ArrayList<>(List.of(3)));
        Map<Object, Object> c1 = new HashMap<>(java.util.Collections.singletonMap(1, 2));
        Map<Object, Object> c2 = new HashMap<>(new java.util.TreeMap<>(Map.of(1, 2)));
        List<Integer> custom = new java.util.AbstractList<>() {
          @Override
          public Integer get(int index) {
            return index;
          }

          @Override
          public int size() {
            return 2;
          }
        };
        for (java.util.ListIterator<Integer> it = custom.listIterator(); it.hasNext(); ) {
          it.next();
        }
        for (java.util.ListIterator<Integer> it = new java.util.LinkedList<>(custom).listIterator();
            it.hasNext(); ) {
          it.next();
        }
        int h = CompletableFuture.completedFuture(round).handle((v, e) -> v + 1).join()
            + CompletableFuture.completedFuture(round).handle((v, e) -> v + 2).join()
            + CompletableFuture.completedFuture(round).handle((v, e) -> v + 3).join();
        if (h + s1.size() + s2.size() + s3.size() + c1.size() + c2.size() == 42) {
          System.err.println("never");
        }
      }
    }
  }

  /** The application-like work of one operation (three model calls' worth). */
  static final class Work {
    final ObjectMapper mapper = new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    long sink;

    void operation() {
      try {
        for (int call = 0; call < 3; call++) {
          String json = mapper.writeValueAsString(request(call));
          sink += json.length();
          ChatResponse response = mapper.readValue(call < 2 ? TOOL_ANSWER : TEXT_ANSWER,
              ChatResponse.class);
          sink += response.usage.totalTokens;
          if (response.choices.get(0).message.toolCalls != null) {
            for (ToolCall t : response.choices.get(0).message.toolCalls) {
              @SuppressWarnings("unchecked")
              Map<String, Object> arguments = mapper.readValue(t.function.arguments, Map.class);
              sink += arguments.size();
            }
          }
          sink += headers(call).size();
          sink += CompletableFuture.completedFuture(json)
              .thenApply(String::length)
              .handle((n, e) -> e == null ? n : -1)
              .join();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Response headers collected as the JDK's HTTP/1.1 parser does (computeIfAbsent per line). */
    static Map<String, String> headers(int call) {
      Map<String, List<String>> map = new HashMap<>();
      for (String[] h : HEADERS) {
        map.computeIfAbsent(h[0].toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(h[1]);
      }
      Map<String, List<String>> copy = new HashMap<>(map);
      Set<String> names = new HashSet<>(copy.keySet());
      Map<String, String> first = new LinkedHashMap<>();
      for (String name : names) {
        first.put(name, copy.get(name).get(0));
      }
      first.put("x-call", Integer.toString(call));
      return first;
    }

    static ChatRequest request(int call) {
      ChatRequest r = new ChatRequest();
      r.model = "gpt-4o-mini";
      r.temperature = 0.2;
      r.messages = new ArrayList<>();
      r.messages.add(new Message("system", "You are a claims assistant. Use the tools."));
      r.messages.add(new Message("user", "Is claim C-1042 covered, and what does the repair cost?"));
      for (int i = 0; i < call; i++) {
        r.messages.add(new Message("assistant", null));
        r.messages.add(new Message("tool", "{\"covered\":true,\"limit\":2500,\"currency\":\"EUR\"}"));
      }
      r.tools = List.of(tool("lookupPolicy", "policyId"), tool("estimateRepair", "claimId"));
      return r;
    }

    static Tool tool(String name, String parameter) {
      Tool t = new Tool();
      t.type = "function";
      t.function = new Function();
      t.function.name = name;
      t.function.description = "Looks up " + parameter;
      Map<String, Object> properties = new LinkedHashMap<>();
      properties.put(parameter, Map.of("type", "string"));
      Map<String, Object> parameters = new LinkedHashMap<>();
      parameters.put("type", "object");
      parameters.put("properties", properties);
      parameters.put("required", List.of(parameter));
      t.function.parameters = parameters;
      return t;
    }

    static final String[][] HEADERS = {
        {"Content-Type", "application/json"}, {"Date", "Mon, 07 Dec 2026 10:00:00 GMT"},
        {"Content-Length", "512"}, {"openai-organization", "bench"},
        {"openai-processing-ms", "312"}, {"openai-version", "2020-10-01"},
        {"x-request-id", "req_123456"}, {"x-ratelimit-limit-requests", "10000"},
        {"x-ratelimit-remaining-requests", "9999"}, {"x-ratelimit-limit-tokens", "200000"},
        {"x-ratelimit-remaining-tokens", "199000"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"},
    };

    static final String TOOL_ANSWER = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
        + "\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
        + "\"type\":\"function\",\"function\":{\"name\":\"lookupPolicy\",\"arguments\":"
        + "\"{\\\"policyId\\\":\\\"P-77\\\"}\"}}],\"refusal\":null},\"logprobs\":null,"
        + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":180,"
        + "\"completion_tokens\":21,\"total_tokens\":201,\"prompt_tokens_details\":"
        + "{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":"
        + "{\"reasoning_tokens\":0,\"audio_tokens\":0}},\"service_tier\":\"default\","
        + "\"system_fingerprint\":\"fp_1\"}";

    static final String TEXT_ANSWER = "{\"id\":\"chatcmpl-3\",\"object\":\"chat.completion\","
        + "\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"Claim C-1042 is covered up to 2,500"
        + " EUR; the repair is estimated at 1,180 EUR.\",\"refusal\":null},\"logprobs\":null,"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":260,"
        + "\"completion_tokens\":24,\"total_tokens\":284},\"system_fingerprint\":\"fp_1\"}";
  }

  /** An OpenAI chat-completion request, named as LangChain4j's OpenAI DTOs are. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public static final class ChatRequest {
    public String model;
    public List<Message> messages;
    public Double temperature;
    public Integer maxCompletionTokens;
    public List<Tool> tools;
    public Boolean stream;
  }

  /** A message of a request. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public static final class Message {
    public String role;
    public String content;
    public String toolCallId;

    public Message() {}

    Message(String role, String content) {
      this.role = role;
      this.content = content;
    }
  }

  /** A tool definition. */
  public static final class Tool {
    public String type;
    public Function function;
  }

  /** A function of a tool definition or call. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Function {
    public String name;
    public String description;
    public Map<String, Object> parameters;
    public String arguments;
  }

  /** A chat-completion answer. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public static final class ChatResponse {
    public String id;
    public String model;
    public Long created;
    public List<Choice> choices;
    public Usage usage;
    public String systemFingerprint;
  }

  /** A choice of an answer. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public static final class Choice {
    public Integer index;
    public AssistantMessage message;
    public String finishReason;
  }

  /** The assistant's message of a choice. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public static final class AssistantMessage {
    public String role;
    public String content;
    public List<ToolCall> toolCalls;
    public String refusal;
  }

  /** A tool call of an answer. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class ToolCall {
    public String id;
    public String type;
    public Function function;
  }

  /** An answer's usage. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public static final class Usage {
    public Integer promptTokens;
    public Integer completionTokens;
    public Integer totalTokens;
  }
}
