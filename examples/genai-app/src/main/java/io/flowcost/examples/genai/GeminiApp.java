package io.flowcost.examples.genai;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ApiException;
import com.google.genai.types.Content;
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.google.genai.types.Part;
import com.google.genai.types.Schema;
import com.google.genai.types.Tool;
import io.flowcost.outcome.CapKind;
import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Runs eight fixed Gemini calls (or rounds) through the Google Gen AI Java SDK and prints one
 * deterministic line each.
 *
 * <pre>
 * java -jar flowcost-genai-app.jar --provider-url http://127.0.0.1:PORT
 * </pre>
 *
 * <ol>
 *   <li>a plain {@code generateContent} ({@code gemini-2.5-flash}, which thinks);
 *   <li>{@code gemini-2.5-pro} with a long system instruction (an implicit-cache hit);
 *   <li>a 503 the SDK retries ({@code gemini-2.5-flash-lite}): one call, two attempts;
 *   <li>a {@code generateContentStream};
 *   <li>a function-call round inside the workflow {@code claim-lookup}: the model asks for {@code
 *       lookupPolicy}, the app runs it and sends the result back, the model answers;
 *   <li>a 500 on every attempt, given up after the SDK's second attempt;
 *   <li>a 429 the SDK retries on the async client ({@code client.async.models});
 *   <li>a function-call round over {@code generateContentStream} inside the workflow {@code
 *       claim-lookup-stream}: the call arrives in a stream chunk, the app runs {@code lookupPolicy}
 *       and streams the answer to its result.
 * </ol>
 *
 * <p>With {@code --capped} it runs only one workflow, {@code capped-loop}, capped at three model
 * calls through outcome-api: a function-calling loop the fake never ends ({@code [tool-loop:…]}),
 * the app running the function and answering each turn, until a call throws; it prints each turn
 * and the class names of what stopped the loop.
 *
 * The SDK retries 408/429/500/502/503/504; here with 2 attempts and a 50 ms first delay (its
 * defaults: 5 attempts from 1 s, with jitter).
 */
public final class GeminiApp {

  /** A system instruction long enough (≥ 4096 characters) for the fake to report it cached. */
  static final String LONG_SYSTEM = "You are a careful claims assistant for a home insurer. "
      .repeat(80);

  private GeminiApp() {}

  /** Entry point. */
  public static void main(String[] args) {
    String base = null;
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--provider-url")) {
        base = args[i + 1];
      }
    }
    if (base == null) {
      System.err.println("usage: --provider-url http://127.0.0.1:PORT [--capped]");
      System.exit(2);
    }
    boolean capped = Arrays.asList(args).contains("--capped");
    PrintStream out = System.out;
    try (Client client = Client.builder()
        .apiKey("test-key")
        .httpOptions(HttpOptions.builder()
            .baseUrl(base)
            .retryOptions(HttpRetryOptions.builder()
                .attempts(2).initialDelay(0.05).jitter(0.0).build())
            .build())
        .build()) {
      if (capped) {
        runCapped(client, out);
      } else {
        run(client, out);
      }
    }
    if (!Flowcost.flush(Duration.ofSeconds(5))) {
      System.err.println("genai-app: some workflow reports were not delivered");
    }
  }

  static void run(Client client, PrintStream out) {
    GenerateContentResponse plain =
        client.models.generateContent("gemini-2.5-flash", "Gemini plain", null);
    out.println("1 plain " + tag(plain.text()) + " " + usage(plain));

    GenerateContentResponse cached = client.models.generateContent("gemini-2.5-pro",
        "Summarise claim CLM-2001",
        GenerateContentConfig.builder()
            .systemInstruction(Content.fromParts(Part.fromText(LONG_SYSTEM))).build());
    out.println("2 cached " + tag(cached.text()) + " " + usage(cached));

    GenerateContentResponse retried =
        client.models.generateContent("gemini-2.5-flash-lite", "Gemini busy [fail:503]", null);
    out.println("3 retried " + tag(retried.text()) + " " + usage(retried));

    StringBuilder streamed = new StringBuilder();
    int chunks = 0;
    try (ResponseStream<GenerateContentResponse> stream =
        client.models.generateContentStream("gemini-2.5-flash", "Gemini stream", null)) {
      for (GenerateContentResponse chunk : stream) {
        streamed.append(chunk.text());
        chunks++;
      }
    }
    out.println("4 streamed " + tag(streamed.toString()) + " in " + chunks + " chunks");

    try (Workflow wf = Flowcost.workflow("claim-lookup").tag("team", "gemini").start()) {
      out.println("5 tool " + functionCallRound(client));
      wf.success();
    }

    try {
      client.models.generateContent("gemini-2.5-flash", "Gemini down [fail-always:500]", null);
      out.println("6 failed: no error");
    } catch (ApiException e) {
      out.println("6 failed " + e.code() + " " + e.status());
    }

    // the async client: OkHttp's enqueue, the same retry interceptor on a dispatcher thread
    GenerateContentResponse async = client.async.models
        .generateContent("gemini-2.5-flash", "Gemini async [fail:429]", null).join();
    out.println("7 async " + tag(async.text()) + " " + usage(async));

    try (Workflow wf = Flowcost.workflow("claim-lookup-stream").tag("team", "gemini").start()) {
      out.println("8 stream-tool " + streamedFunctionCallRound(client));
      wf.success();
    }
  }

  /** The function the model may call. */
  static final Tool LOOKUP_POLICY = Tool.builder().functionDeclarations(FunctionDeclaration.builder()
          .name("lookupPolicy")
          .description("Looks up an insurance policy by id")
          .parameters(Schema.builder().type("OBJECT")
              .properties(Map.of("policyId", Schema.builder().type("STRING").build()))
              .required("policyId")))
      .build();

  /**
   * The function-call round over {@code generateContentStream}: the call comes in a chunk, the app
   * runs it, and the answer to its result is streamed too.
   */
  static String streamedFunctionCallRound(Client client) {
    GenerateContentConfig config = GenerateContentConfig.builder().tools(LOOKUP_POLICY).build();
    List<Content> history = new ArrayList<>();
    history.add(Content.builder().role("user").parts(Part.fromText(
        "Is policy P-8 active? [tool:lookupPolicy {\"policyId\":\"P-8\"}]")).build());
    List<FunctionCall> calls = new ArrayList<>();
    List<Content> asked = new ArrayList<>();
    try (ResponseStream<GenerateContentResponse> stream =
        client.models.generateContentStream("gemini-2.5-flash", history, config)) {
      for (GenerateContentResponse chunk : stream) {
        if (chunk.functionCalls() != null && !chunk.functionCalls().isEmpty()) {
          calls.addAll(chunk.functionCalls());
          asked.add(chunk.candidates().orElseThrow().get(0).content().orElseThrow());
        }
      }
    }
    if (calls.size() != 1) {
      return "no function call";
    }
    FunctionCall call = calls.get(0);
    String name = call.name().orElse("?");
    Object policyId = call.args().orElse(Map.of()).get("policyId");
    history.addAll(asked);
    history.add(Content.builder().role("user")
        .parts(Part.fromFunctionResponse(name, lookupPolicy(String.valueOf(policyId)))).build());
    StringBuilder answer = new StringBuilder();
    int chunks = 0;
    try (ResponseStream<GenerateContentResponse> stream =
        client.models.generateContentStream("gemini-2.5-flash", history, config)) {
      for (GenerateContentResponse chunk : stream) {
        answer.append(chunk.text());
        chunks++;
      }
    }
    return name + "(" + policyId + ") -> " + tag(answer.toString()) + " in " + chunks + " chunks";
  }

  /**
   * A workflow capped at three model calls (outcome-api) running a function-calling loop the fake
   * never ends: each turn's function runs and its result goes back, until a call is refused.
   */
  static void runCapped(Client client, PrintStream out) {
    GenerateContentConfig config = GenerateContentConfig.builder().tools(LOOKUP_POLICY).build();
    try (Workflow wf = Flowcost.workflow("capped-loop")
        .cap(CapKind.MAX_MODEL_CALLS, BigDecimal.valueOf(3)).start()) {
      List<Content> history = new ArrayList<>();
      history.add(Content.builder().role("user").parts(Part.fromText(
          "Keep checking policy P-10 [tool-loop:lookupPolicy]")).build());
      for (int turn = 1; turn <= 6; turn++) {
        GenerateContentResponse response;
        try {
          response = client.models.generateContent("gemini-2.5-flash", history, config);
        } catch (RuntimeException e) {
          out.println("capped-" + turn + " refused " + chain(e));
          wf.fail(e);
          return;
        }
        List<FunctionCall> calls = response.functionCalls();
        out.println("capped-" + turn + " " + (calls == null ? 0 : calls.size()) + " call");
        history.add(response.candidates().orElseThrow().get(0).content().orElseThrow());
        List<Part> results = new ArrayList<>();
        for (FunctionCall call : calls == null ? List.<FunctionCall>of() : calls) {
          results.add(Part.fromFunctionResponse(call.name().orElse("?"),
              lookupPolicy(String.valueOf(call.args().orElse(Map.of()).get("policyId")))));
        }
        history.add(Content.builder().role("user").parts(results).build());
      }
      out.println("capped: never refused");
    }
  }

  /** The class names of an exception and its causes, outermost first. */
  static String chain(Throwable e) {
    List<String> names = new ArrayList<>();
    for (Throwable t = e; t != null && names.size() < 5; t = t.getCause()) {
      names.add(t.getClass().getName());
    }
    return String.join(" <- ", names);
  }

  /** The model asks for {@code lookupPolicy}; the app runs it; the model answers. */
  static String functionCallRound(Client client) {
    Tool tool = Tool.builder().functionDeclarations(FunctionDeclaration.builder()
            .name("lookupPolicy")
            .description("Looks up an insurance policy by id")
            .parameters(Schema.builder().type("OBJECT")
                .properties(Map.of("policyId", Schema.builder().type("STRING").build()))
                .required("policyId")))
        .build();
    GenerateContentConfig config = GenerateContentConfig.builder().tools(tool).build();
    List<Content> history = new ArrayList<>();
    history.add(Content.builder().role("user").parts(Part.fromText(
        "Is policy P-7 active? [tool:lookupPolicy {\"policyId\":\"P-7\"}]")).build());
    GenerateContentResponse first =
        client.models.generateContent("gemini-2.5-flash", history, config);
    List<FunctionCall> calls = first.functionCalls();
    if (calls == null || calls.size() != 1) {
      return "no function call";
    }
    FunctionCall call = calls.get(0);
    String name = call.name().orElse("?");
    Object policyId = call.args().orElse(Map.of()).get("policyId");
    Map<String, Object> result = lookupPolicy(String.valueOf(policyId));
    history.add(first.candidates().orElseThrow().get(0).content().orElseThrow());
    history.add(Content.builder().role("user")
        .parts(Part.fromFunctionResponse(name, result)).build());
    GenerateContentResponse answer =
        client.models.generateContent("gemini-2.5-flash", history, config);
    return name + "(" + policyId + ") -> " + tag(answer.text()) + " " + usage(answer);
  }

  /** The app's own tool. */
  static Map<String, Object> lookupPolicy(String policyId) {
    return Map.of("policyId", policyId, "status", "active", "deductible", 250);
  }

  /** The fake's reply without its digest tag: the part after {@code ]}. */
  private static String tag(String text) {
    if (text == null) {
      return "(no text)";
    }
    int end = text.indexOf("] ");
    return end < 0 ? text : text.substring(end + 2);
  }

  private static String usage(GenerateContentResponse response) {
    return response.usageMetadata()
        .map(u -> "total=" + u.totalTokenCount().orElse(0))
        .orElse("total=?");
  }
}
