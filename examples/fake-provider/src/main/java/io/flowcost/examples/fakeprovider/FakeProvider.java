package io.flowcost.examples.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local fake LLM provider speaking the real OpenAI, Anthropic and Gemini wire protocols, for
 * tests and demos. Point a real client at {@link #baseUrl()} ({@code http://127.0.0.1:PORT/v1}) with any
 * API key.
 *
 * <h2>Endpoints</h2>
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions} — OpenAI Chat Completions, plain or streamed (SSE; with
 *       {@code stream_options.include_usage} a last chunk with {@code choices: []} and {@code
 *       usage}, then {@code data: [DONE]}); tool calls with {@code finish_reason: "tool_calls"};
 *       {@code service_tier} echoes a requested {@code default|flex|priority|scale}, else {@code
 *       default}.
 *   <li>{@code POST /v1/responses} — OpenAI Responses, whole or streamed (SSE events ending with
 *       {@code response.completed} and its {@code usage}); function calls as {@code output} items
 *       of type {@code function_call} ({@link OpenAiResponsesWire}).
 *   <li>{@code POST /v1/embeddings} — OpenAI Embeddings ({@code float} or {@code base64}), 8
 *       dimensions unless {@code dimensions} is given, vectors derived from a digest of the input.
 *   <li>{@code POST /v1/messages} — Anthropic Messages, plain or streamed ({@code message_start},
 *       {@code content_block_*}, {@code ping}, {@code message_delta}, {@code message_stop}); tool
 *       use with {@code stop_reason: "tool_use"}.
 *   <li>{@code POST /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent} —
 *       the Gemini Developer API ({@link GeminiWire}): {@code usageMetadata}, function calls, SSE
 *       chunks with running counts; the API key must come in {@code x-goog-api-key}.
 *   <li>{@code GET /_fake/exchanges} — the exchange log as JSON (see {@link #exchanges()}).
 *   <li>{@code GET /_fake/held} — {@code {"held":N}}, the chat requests a {@code [hold]} marker
 *       holds now; {@code POST /_fake/release} lets them all be answered ({@link #releaseHeld()}).
 * </ul>
 *
 * <h2>Deterministic behaviour</h2>
 *
 * Usage is a pure function of the request body, defined in {@link UsageRules}. What the reply
 * does is scripted by markers in the last user message (see {@link Markers}): {@code
 * [tool:NAME {json}]} (call a tool first; several markers are called one per turn), {@code
 * [fail:429]} / {@code [fail:500x2]} (the first N attempts of an identical request body fail —
 * a client retry resends the same body), {@code [fail-always:500]}, {@code [slow:MS]}, {@code
 * [cache-write]}, {@code [cache-write-1h]}, {@code [cache-hit]}, {@code [stream-cut]}, and the
 * answers an app throws away: {@code [off-policy]}, {@code [bad-json]}, {@code [json-answer
 * {json}]}; {@code [hold]} (OpenAI chat and Anthropic messages: the answer waits, at most 60 s,
 * until {@link #releaseHeld()} — a client's other requests queue behind it in an order the test
 * forces). Text replies are canned and
 * start with {@code [fake-reply <8 hex of the last user message digest>]}; the fake never echoes
 * request text, not even in error bodies.
 *
 * <h2>Exchange log</h2>
 *
 * Every response is recorded, just before it is sent, as an immutable {@link Exchange}: protocol,
 * model, status, streaming, attempt, reply kind and the raw usage numbers sent. Read it with
 * {@link #exchanges()}, {@code GET /_fake/exchanges} or {@link #writeExchanges(Path)}.
 *
 * <h2>Latency</h2>
 *
 * The JDK HTTP server stalls about 40 ms per response under Nagle's algorithm unless the JVM runs
 * with {@code -Dsun.net.httpserver.nodelay=true}. {@link #start(int)} sets that property before
 * the first server is created, which works unless another JDK HTTP server was created earlier in
 * the same JVM; pass the flag on the command line to be sure.
 */
public final class FakeProvider implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final List<Exchange> log = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AnthropicThreads threads = new AnthropicThreads();
  /** Guards {@link #held} and {@link #releases}. */
  private final Object holds = new Object();
  private int held;
  private long releases;

  private FakeProvider(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts a fake provider on a random free port of 127.0.0.1. */
  public static FakeProvider start() {
    return start(0);
  }

  /** Starts a fake provider on the given port of 127.0.0.1 (0 = random). */
  public static FakeProvider start(int port) {
    // Must be set before the JDK server reads its configuration (once per JVM).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
      AtomicInteger threads = new AtomicInteger();
      ExecutorService executor =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "fake-provider-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      FakeProvider fake = new FakeProvider(server, executor);
      server.createContext("/", fake::handle);
      server.setExecutor(executor);
      server.start();
      return fake;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start fake provider", e);
    }
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The API base URL, {@code http://127.0.0.1:PORT/v1} (no trailing slash). */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  /** All exchanges so far, in the order their responses were started. */
  public List<Exchange> exchanges() {
    // Concurrent handlers may append out of sequence order.
    List<Exchange> copy = new ArrayList<>(log);
    copy.sort(Comparator.comparingLong(Exchange::sequence));
    return List.copyOf(copy);
  }

  /** Forgets the exchange log and the attempt counters. */
  public void reset() {
    log.clear();
    attempts.clear();
  }

  /** How many {@code [hold]} requests wait for {@link #releaseHeld()} now. */
  public int held() {
    synchronized (holds) {
      return held;
    }
  }

  /** Lets every {@code [hold]} request waiting now be answered; later ones wait again. */
  public void releaseHeld() {
    synchronized (holds) {
      releases++;
      holds.notifyAll();
    }
  }

  /** A {@code [hold]} request waits here until {@link #releaseHeld()} (at most 60 s). */
  private void hold() {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    synchronized (holds) {
      long release = releases;
      held++;
      try {
        while (releases == release) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return;
          }
          holds.wait(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left) + 1);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        held--;
      }
    }
  }

  /**
   * Waits (at most {@code timeout}) until no request other than {@code self} is being answered,
   * so that a log read after a client gave up waiting ({@code [slow:MS]}) still holds the answer
   * the provider went on to send. Returns whether it got there.
   */
  public boolean awaitIdle(java.time.Duration timeout, int self) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > self) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      sleep(5);
    }
    return true;
  }

  /**
   * Writes the exchange log as a JSON array to {@code file} (parent directories created), after
   * waiting up to 10 s for responses still being produced.
   */
  public void writeExchanges(Path file) throws IOException {
    awaitIdle(java.time.Duration.ofSeconds(10), 0);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(
        file, JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(exchangesJson()));
  }

  /** The exchange log as a JSON array with snake_case field names. */
  public ArrayNode exchangesJson() {
    ArrayNode array = JSON.createArrayNode();
    for (Exchange e : exchanges()) {
      ObjectNode o = array.addObject();
      o.put("sequence", e.sequence());
      o.put("protocol", e.protocol().wireName());
      o.put("model", e.model());
      o.put("http_status", e.httpStatus());
      o.put("streaming", e.streaming());
      o.put("truncated", e.truncated());
      o.put("attempt", e.attempt());
      o.put("reply_kind", e.replyKind().name().toLowerCase());
      o.put("tool_name", e.toolName());
      o.put("usage_sent", e.usageSent());
      ObjectNode usage = o.putObject("usage");
      e.usage().forEach(usage::put);
      o.put("service_tier", e.serviceTier());
      o.put("request_hash", e.requestHash());
      o.put("request_bytes", e.requestBytes());
    }
    return array;
  }

  /** Stops the server at once. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------- request handling

  private void handle(HttpExchange http) {
    inFlight.incrementAndGet();
    try {
      route(http);
    } catch (IOException e) {
      // The client went away mid-response; nothing to do for a fake.
    } catch (RuntimeException e) {
      // A request shape the fake does not understand: answer 500 if nothing was sent yet.
      if (http.getResponseCode() < 0) {
        try {
          sendJson(http, 500, OpenAiWire.error(500));
        } catch (IOException ignored) {
          // Client gone.
        }
      }
    } finally {
      http.close();
      inFlight.decrementAndGet();
    }
  }

  private void route(HttpExchange http) throws IOException {
    byte[] body = readAll(http.getRequestBody());
    String path = http.getRequestURI().getPath().replaceAll("/{2,}", "/");
    String method = http.getRequestMethod();
    if (method.equals("GET") && path.equals("/_fake/exchanges")) {
      awaitIdle(java.time.Duration.ofSeconds(10), 1); // 1: this request
      sendJson(http, 200, exchangesJson());
      return;
    }
    if (method.equals("GET") && path.equals("/_fake/held")) {
      sendJson(http, 200, JSON.createObjectNode().put("held", held()));
      return;
    }
    if (method.equals("POST") && path.equals("/_fake/release")) {
      releaseHeld();
      sendJson(http, 200, JSON.createObjectNode().put("released", true));
      return;
    }
    if (!method.equals("POST")) {
      sendJson(http, 405, OpenAiWire.error(404));
      return;
    }
    GeminiWire.Call gemini = GeminiWire.call(path);
    if (gemini != null) {
      gemini(http, gemini, path, body);
      return;
    }
    if (path.startsWith("/model/")) {
      bedrock(http, body);
      return;
    }
    switch (path) {
      case "/v1/chat/completions" -> chat(http, Protocol.OPENAI_CHAT, path, body);
      case "/v1/messages" -> chat(http, Protocol.ANTHROPIC_MESSAGES, path, body);
      case "/v1/responses" -> responses(http, path, body);
      case "/v1/embeddings" -> embeddings(http, path, body);
      default -> sendJson(http, 404, OpenAiWire.error(404));
    }
  }


  private void chat(HttpExchange http, Protocol protocol, String path, byte[] body)
      throws IOException {
    String hash = Reply.digest(path + "\n" + new String(body, StandardCharsets.UTF_8))
        .substring(0, 16);
    int attempt = attempts.computeIfAbsent(hash, k -> new AtomicInteger()).incrementAndGet();
    boolean anthropic = protocol == Protocol.ANTHROPIC_MESSAGES;
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (IOException e) {
      request = null;
    }
    if (request == null || !request.isObject()) {
      fail(http, protocol, null, false, attempt, hash, 400, body.length);
      return;
    }
    if (anthropic) {
      request = threads.expand((ObjectNode) request);
    }
    ChatRequestView view =
        anthropic ? ChatRequestView.anthropic(request) : ChatRequestView.openAi(request);
    Markers markers = Markers.parse(view.lastUserText()).forAttempt(attempt);
    sleep(markers.slowMillis());
    if (view.lastUserText() != null && view.lastUserText().contains("[hold]")) {
      hold();
    }
    int failure = failureStatus(markers, attempt);
    if (failure != 0) {
      fail(http, protocol, view.model(), view.stream(), attempt, hash, failure, body.length);
      return;
    }
    long seq = sequence.incrementAndGet();
    Reply reply = Reply.decide(view, markers, anthropic ? "toolu_fake_" : "call_fake_");
    if (anthropic) {
      ObjectNode usage = AnthropicWire.usage(view, markers, reply);
      String id = "msg_fake_" + seq;
      threads.answered((ObjectNode) request, id, AnthropicWire.message(id, view, reply, usage));
      if (view.stream()) {
        List<AnthropicWire.Event> events = AnthropicWire.events(id, view, reply, usage);
        if (markers.streamCut()) {
          // Everything before message_delta is content; keep message_start and half the rest.
          int content = events.size() - 2;
          events = events.subList(0, (content + 1) / 2);
          usage = (ObjectNode) events.get(0).data().get("message").get("usage");
        }
        record(seq, protocol, view, markers, 200, attempt, reply, true, usage, "standard", hash,
            body.length);
        startSse(http);
        for (AnthropicWire.Event event : events) {
          writeSse(http, event.name(), event.data());
        }
        if (markers.streamCut()) {
          writeSse(http, "error", AnthropicWire.error(529, "req_fake_" + seq));
        }
      } else {
        record(seq, protocol, view, markers, 200, attempt, reply, true, usage, "standard", hash,
            body.length);
        sendJson(http, 200, AnthropicWire.message(id, view, reply, usage));
      }
    } else {
      String tier = OpenAiWire.serviceTier(view.requestedServiceTier());
      ObjectNode usage = markers.exactUsage()
          ? OpenAiWire.exactUsage(ExactTokens.prompt(request), ExactTokens.completion(view, reply))
          : OpenAiWire.usage(view, reply);
      boolean cut = view.stream() && markers.streamCut();
      boolean usageSent = !view.stream() || (view.includeUsage() && !cut);
      String id = "chatcmpl-fake-" + seq;
      long created = Instant.now().getEpochSecond();
      record(seq, protocol, view, markers, 200, attempt, reply, usageSent, usage, tier, hash,
          body.length);
      if (view.stream()) {
        List<ObjectNode> chunks =
            OpenAiWire.chunks(id, created, view, reply, tier, usageSent ? usage : null);
        if (cut) {
          // Drop the finish chunk and half of the content chunks; no [DONE].
          chunks = chunks.subList(0, chunks.size() / 2);
        }
        startSse(http);
        for (ObjectNode chunk : chunks) {
          writeSse(http, null, chunk);
        }
        if (cut) {
          writeSse(http, null, OpenAiWire.error(500));
        } else {
          writeRaw(http, "data: [DONE]\n\n");
        }
      } else {
        sendJson(http, 200, OpenAiWire.completion(id, created, view, reply, tier, usage));
      }
    }
  }

  /**
   * OpenAI Responses ({@link OpenAiResponsesWire}): a whole {@code Response} or its SSE events, the
   * last ({@code response.completed}) with the usage; {@code [stream-cut]} ends a stream after half
   * its events with an {@code error} event and no usage. A request with {@code
   * previous_response_id} is refused with 400: the fake keeps no responses.
   */
  private void responses(HttpExchange http, String path, byte[] body) throws IOException {
    String hash = Reply.digest(path + "\n" + new String(body, StandardCharsets.UTF_8))
        .substring(0, 16);
    int attempt = attempts.computeIfAbsent(hash, k -> new AtomicInteger()).incrementAndGet();
    Protocol protocol = Protocol.OPENAI_RESPONSES;
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (IOException e) {
      request = null;
    }
    JsonNode previous = request == null ? null : request.get("previous_response_id");
    if (request == null || !request.isObject() || (previous != null && !previous.isNull())) {
      fail(http, protocol, null, false, attempt, hash, 400, body.length);
      return;
    }
    ChatRequestView view = OpenAiResponsesWire.view(request);
    Markers markers = Markers.parse(view.lastUserText()).forAttempt(attempt);
    sleep(markers.slowMillis());
    int failure = failureStatus(markers, attempt);
    if (failure != 0) {
      fail(http, protocol, view.model(), view.stream(), attempt, hash, failure, body.length);
      return;
    }
    long seq = sequence.incrementAndGet();
    Reply reply = Reply.decide(view, markers, "call_fake_");
    String tier = OpenAiWire.serviceTier(view.requestedServiceTier());
    ObjectNode usage = OpenAiResponsesWire.usage(view, reply);
    String id = "resp_fake_" + seq;
    long created = Instant.now().getEpochSecond();
    boolean cut = view.stream() && markers.streamCut();
    record(seq, protocol, view, markers, 200, attempt, reply, !cut, usage, tier, hash,
        body.length);
    if (!view.stream()) {
      sendJson(http, 200, OpenAiResponsesWire.response(id, seq, created, view, request, reply,
          tier, usage, true));
      return;
    }
    List<OpenAiResponsesWire.Event> events =
        OpenAiResponsesWire.events(id, seq, created, view, request, reply, tier, usage);
    if (cut) {
      events = events.subList(0, events.size() / 2);
    }
    startSse(http);
    for (OpenAiResponsesWire.Event event : events) {
      writeSse(http, event.name(), event.data());
    }
    if (cut) {
      ObjectNode error = JSON.createObjectNode();
      error.put("type", "error").put("code", "server_error")
          .put("message", "The server had an error while processing your request (fake provider).")
          .putNull("param");
      error.put("sequence_number", events.size());
      writeSse(http, "error", error);
    }
  }

  /**
   * Gemini {@code generateContent} / {@code streamGenerateContent}: the model and the stream flag
   * come from the URL; the API key must come in {@code x-goog-api-key} (or {@code ?key=}), else
   * 403 {@code PERMISSION_DENIED}, like the real API.
   */
  private void gemini(HttpExchange http, GeminiWire.Call call, String path, byte[] body)
      throws IOException {
    String hash = Reply.digest(path + "\n" + new String(body, StandardCharsets.UTF_8))
        .substring(0, 16);
    int attempt = attempts.computeIfAbsent(hash, k -> new AtomicInteger()).incrementAndGet();
    Protocol protocol = Protocol.GEMINI_GENERATE_CONTENT;
    boolean stream = call.streaming();
    String apiKey = http.getRequestHeaders().getFirst("x-goog-api-key");
    String query = http.getRequestURI().getRawQuery();
    boolean keyInQuery = query != null && (query.startsWith("key=") || query.contains("&key="));
    if ((apiKey == null || apiKey.isBlank()) && !keyInQuery) {
      fail(http, protocol, call.model(), stream, attempt, hash, 403, body.length);
      return;
    }
    if (!call.generate()) {
      fail(http, protocol, call.model(), false, attempt, hash, 404, body.length);
      return;
    }
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (IOException e) {
      request = null;
    }
    if (request == null || !request.isObject()) {
      fail(http, protocol, call.model(), stream, attempt, hash, 400, body.length);
      return;
    }
    ChatRequestView view = GeminiWire.view(request, call.model(), stream);
    Markers markers = Markers.parse(view.lastUserText()).forAttempt(attempt);
    sleep(markers.slowMillis());
    int failure = failureStatus(markers, attempt);
    if (failure != 0) {
      fail(http, protocol, view.model(), stream, attempt, hash, failure, body.length);
      return;
    }
    long seq = sequence.incrementAndGet();
    Reply reply = Reply.decide(view, markers, "fc_fake_");
    ObjectNode usage =
        GeminiWire.usage(view, markers, reply, GeminiWire.thinks(view.model(), request));
    String id = "fake-gemini-" + seq;
    record(seq, protocol, view, Markers.NONE, 200, attempt, reply, true, usage, null, hash,
        body.length);
    if (stream) {
      startSse(http);
      for (ObjectNode chunk : GeminiWire.chunks(id, view.model(), reply, usage)) {
        // the API ends each event with CRLF CRLF
        writeRaw(http, "data: " + JSON.writeValueAsString(chunk) + "\r\n\r\n");
      }
    } else {
      sendJson(http, 200, GeminiWire.response(id, view.model(), reply, usage));
    }
  }

  private void embeddings(HttpExchange http, String path, byte[] body) throws IOException {
    String hash = Reply.digest(path + "\n" + new String(body, StandardCharsets.UTF_8))
        .substring(0, 16);
    int attempt = attempts.computeIfAbsent(hash, k -> new AtomicInteger()).incrementAndGet();
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (IOException e) {
      request = null;
    }
    if (request == null || !request.isObject()) {
      fail(http, Protocol.OPENAI_EMBEDDINGS, null, false, attempt, hash, 400, body.length);
      return;
    }
    String model = request.path("model").asText();
    List<String> inputs = new ArrayList<>();
    JsonNode input = request.path("input");
    if (input.isTextual()) {
      inputs.add(input.asText());
    } else {
      for (JsonNode item : input) {
        // Token-array inputs are counted by their JSON length.
        inputs.add(item.isTextual() ? item.asText() : item.toString());
      }
    }
    Markers markers = inputs.isEmpty() ? Markers.NONE : Markers.parse(inputs.get(inputs.size() - 1));
    sleep(markers.slowMillis());
    int failure = failureStatus(markers, attempt);
    if (failure != 0) {
      fail(http, Protocol.OPENAI_EMBEDDINGS, model, false, attempt, hash, failure, body.length);
      return;
    }
    int dimensions = request.path("dimensions").asInt(8);
    long tokens = 0;
    List<float[]> vectors = new ArrayList<>();
    for (String text : inputs) {
      tokens += UsageRules.embeddingTokens(text);
      vectors.add(vector(text, dimensions));
    }
    ObjectNode response = OpenAiWire.embeddings(model, vectors, tokens);
    if ("base64".equals(request.path("encoding_format").asText())) {
      Iterator<JsonNode> items = response.get("data").elements();
      for (float[] v : vectors) {
        ByteBuffer buf = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
          buf.putFloat(f);
        }
        ((ObjectNode) items.next())
            .put("embedding", Base64.getEncoder().encodeToString(buf.array()));
      }
    }
    long seq = sequence.incrementAndGet();
    Map<String, Long> usage = new LinkedHashMap<>();
    usage.put("prompt_tokens", tokens);
    usage.put("total_tokens", tokens);
    log.add(new Exchange(seq, Protocol.OPENAI_EMBEDDINGS, model, 200, false, false, attempt,
        ReplyKind.EMBEDDING, null, true, usage, null, hash, body.length));
    sendJson(http, 200, response);
  }

  /**
   * Bedrock Runtime: {@code /model/{modelId}/converse}, {@code /converse-stream} and {@code
   * /invoke} (an Anthropic Messages body). The model id is the URL's (percent-decoded: an ARN
   * arrives encoded); any SigV4 signature is accepted.
   */
  private void bedrock(HttpExchange http, byte[] body) throws IOException {
    String raw = http.getRequestURI().getRawPath();
    int slash = raw.indexOf('/', "/model/".length());
    String action = slash < 0 ? "" : raw.substring(slash + 1);
    String modelId = slash < 0 ? "" : java.net.URLDecoder.decode(
        raw.substring("/model/".length(), slash), StandardCharsets.UTF_8);
    Protocol protocol = action.equals("invoke") ? Protocol.BEDROCK_INVOKE
        : Protocol.BEDROCK_CONVERSE;
    boolean stream = action.equals("converse-stream");
    if (modelId.isEmpty()
        || !(action.equals("converse") || stream || action.equals("invoke"))) {
      http.getResponseHeaders().add("x-amzn-ErrorType", BedrockWire.errorType(404));
      sendJson(http, 404, BedrockWire.error(404));
      return;
    }
    String hash = Reply.digest(raw + "\n" + new String(body, StandardCharsets.UTF_8))
        .substring(0, 16);
    int attempt = attempts.computeIfAbsent(hash, k -> new AtomicInteger()).incrementAndGet();
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (IOException e) {
      request = null;
    }
    if (request == null || !request.isObject()) {
      fail(http, protocol, modelId, stream, attempt, hash, 400, body.length);
      return;
    }
    ChatRequestView view = protocol == Protocol.BEDROCK_INVOKE
        ? ChatRequestView.anthropic(request).withModel(modelId)
        : ChatRequestView.bedrockConverse(request, modelId, stream);
    Markers markers = Markers.parse(view.lastUserText()).forAttempt(attempt);
    sleep(markers.slowMillis());
    int failure = failureStatus(markers, attempt);
    if (failure != 0) {
      fail(http, protocol, modelId, stream, attempt, hash, failure, body.length);
      return;
    }
    long seq = sequence.incrementAndGet();
    Reply reply = Reply.decide(view, markers, "tooluse_fake_");
    ObjectNode anthropicUsage = AnthropicWire.usage(view, markers, reply);
    http.getResponseHeaders().add("x-amzn-RequestId", "req-fake-" + seq);
    if (protocol == Protocol.BEDROCK_INVOKE) {
      ObjectNode usage = anthropicUsage;
      usage.remove("service_tier"); // Bedrock's Anthropic body carries none
      record(seq, protocol, view, markers, 200, attempt, reply, true, usage, null, hash,
          body.length);
      // Bedrock's Anthropic body names the model in Anthropic's words, not the model id
      sendJson(http, 200, AnthropicWire.message("msg_bdrk_fake_" + seq,
          view.withModel(BedrockWire.vendorModel(modelId)), reply, usage));
      return;
    }
    ObjectNode usage = BedrockWire.usage(anthropicUsage);
    if (!stream) {
      record(seq, protocol, view, markers, 200, attempt, reply, true, usage, null, hash,
          body.length);
      sendJson(http, 200, BedrockWire.converse(reply, usage));
      return;
    }
    List<BedrockWire.Event> events = BedrockWire.events(reply, usage);
    boolean cut = markers.streamCut();
    if (cut) {
      // half the content, no messageStop and no metadata (so no usage), then the stream's error
      events = events.subList(0, (events.size() - 2 + 1) / 2);
    }
    record(seq, protocol, view, markers, 200, attempt, reply, !cut, usage, null, hash,
        body.length);
    http.getResponseHeaders().set("Content-Type", BedrockWire.EVENT_STREAM);
    http.sendResponseHeaders(200, 0);
    OutputStream out = http.getResponseBody();
    for (BedrockWire.Event event : events) {
      out.write(BedrockWire.eventFrame(event));
      out.flush();
    }
    if (cut) {
      out.write(BedrockWire.exceptionFrame("modelStreamErrorException"));
      out.flush();
    }
  }

  private static int failureStatus(Markers markers, int attempt) {
    if (markers.failAlwaysStatus() != 0) {
      return markers.failAlwaysStatus();
    }
    if (markers.failStatus() != 0 && attempt <= markers.failAttempts()) {
      return markers.failStatus();
    }
    return 0;
  }

  private void fail(HttpExchange http, Protocol protocol, String model, boolean streaming,
      int attempt, String hash, int status, long requestBytes) throws IOException {
    long seq = sequence.incrementAndGet();
    log.add(new Exchange(seq, protocol, model, status, streaming, false, attempt, ReplyKind.ERROR,
        null,
        false, Map.of(), null, hash, requestBytes));
    if (status == 429 || status >= 500) {
      // Real providers hint the wait; keep it short so client back-off stays fast in tests.
      http.getResponseHeaders().add("retry-after-ms", "10");
    }
    if (protocol == Protocol.BEDROCK_CONVERSE || protocol == Protocol.BEDROCK_INVOKE) {
      http.getResponseHeaders().add("x-amzn-RequestId", "req-fake-" + seq);
      http.getResponseHeaders().add("x-amzn-ErrorType", BedrockWire.errorType(status));
      sendJson(http, status, BedrockWire.error(status));
    } else if (protocol == Protocol.GEMINI_GENERATE_CONTENT) {
      sendJson(http, status, GeminiWire.error(status));
    } else if (protocol == Protocol.ANTHROPIC_MESSAGES) {
      String requestId = "req_fake_" + seq;
      http.getResponseHeaders().add("request-id", requestId);
      sendJson(http, status, AnthropicWire.error(status, requestId));
    } else {
      http.getResponseHeaders().add("x-request-id", "req_fake_" + seq);
      sendJson(http, status, OpenAiWire.error(status));
    }
  }

  private void record(long seq, Protocol protocol, ChatRequestView view, Markers markers,
      int status, int attempt, Reply reply, boolean usageSent, ObjectNode usage, String tier,
      String hash, long requestBytes) {
    Map<String, Long> flat = new LinkedHashMap<>();
    if (usageSent) {
      flatten("", usage, flat);
    }
    log.add(new Exchange(seq, protocol, view.model(), status, view.stream(),
        view.stream() && markers.streamCut(), attempt,
        reply.toolCall() ? ReplyKind.TOOL_CALL : ReplyKind.TEXT,
        reply.toolCall() ? reply.tool().name() : null, usageSent, flat, tier, hash, requestBytes));
  }

  private static void flatten(String prefix, JsonNode node, Map<String, Long> out) {
    node.fields().forEachRemaining(field -> {
      String key = prefix + field.getKey();
      if (field.getValue().isObject()) {
        flatten(key + ".", field.getValue(), out);
      } else if (field.getValue().isIntegralNumber()) {
        out.put(key, field.getValue().asLong());
      }
    });
  }

  private static float[] vector(String text, int dimensions) {
    byte[] digest = Reply.digest(text).getBytes(StandardCharsets.US_ASCII);
    float[] v = new float[dimensions];
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      v[i] = (digest[i % digest.length] % 16) / 8f - 1f + 0.03125f;
      norm += v[i] * v[i];
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < dimensions; i++) {
      v[i] *= scale;
    }
    return v;
  }

  // ---------------------------------------------------------------- HTTP helpers

  private static void sendJson(HttpExchange http, int status, JsonNode json) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(json);
    http.getResponseHeaders().set("Content-Type", "application/json");
    http.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = http.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void startSse(HttpExchange http) throws IOException {
    http.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    http.getResponseHeaders().set("Cache-Control", "no-cache");
    http.sendResponseHeaders(200, 0);
  }

  private static void writeSse(HttpExchange http, String event, JsonNode data) throws IOException {
    String payload = JSON.writeValueAsString(data);
    writeRaw(http, (event == null ? "" : "event: " + event + "\n") + "data: " + payload + "\n\n");
  }

  private static void writeRaw(HttpExchange http, String text) throws IOException {
    OutputStream out = http.getResponseBody();
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- standalone

  /**
   * Runs the fake provider until the process is stopped.
   *
   * <p>Usage: {@code java -Dsun.net.httpserver.nodelay=true -cp ... FakeProvider [--port N]
   * [--exchanges FILE]}; with {@code --exchanges} the log is written on shutdown.
   */
  public static void main(String[] args) throws Exception {
    int port = 0;
    Path exchangesFile = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--exchanges" -> exchangesFile = Path.of(args[++i]);
        default -> {
          System.err.println("usage: FakeProvider [--port N] [--exchanges FILE]");
          System.exit(2);
        }
      }
    }
    FakeProvider fake = start(port);
    CountDownLatch stopped = new CountDownLatch(1);
    Path file = exchangesFile;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        if (file != null) {
          fake.writeExchanges(file);
        }
      } catch (IOException e) {
        System.err.println("fake-provider: cannot write exchanges: " + e.getClass().getName());
      } finally {
        fake.close();
        stopped.countDown();
      }
    }));
    System.out.println("fake-provider listening on " + fake.baseUrl());
    System.out.flush();
    stopped.await();
    TimeUnit.MILLISECONDS.sleep(10);
  }
}
