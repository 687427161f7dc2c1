package io.flowcost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link UsageParser} (read by {@link UsageScanner}) against the Jackson reader it replaced
 * ({@link LegacyUsageParser}, kept here as the oracle): the same {@link ResponseSummary} — model,
 * finish reasons, usage, answer text, provider cost, response id, tool calls — for every response
 * body of the agent's tests, for hand-written bodies of every provider wire, and for fuzzed
 * variants of them all: keys reordered, white space, escapes, non-ASCII text, nested objects
 * named like usage fields, wrappers, root arrays, numbers written otherwise, truncations and
 * single-byte damage. Streams: every body as an event and the events of each test file in order
 * through both accumulators. Seeded: a failure names its seed and input.
 *
 * <p>Two cases are left out on purpose, where the old reader's answer was an accident: a body
 * holding the same field under both the {@code message.} and {@code response.} envelopes, which no
 * provider sends (the old reader's choice followed a {@code HashMap}'s iteration order, the
 * scanner takes {@code response.}); and bytes holding 0xFF ({@link #hasFF}).
 */
class UsageScannerDifferentialTest {

  private static final JsonFactory JSON = new JsonFactory();

  /** Bodies of every wire the agent reads, beyond the test files' own. */
  private static final List<String> WIRES = List.of(
      // OpenAI Chat Completions with a tool call
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
          + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
          + "\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"logprobs\":null,"
          + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":82,\"completion_tokens\":17,"
          + "\"total_tokens\":99,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
          + "\"completion_tokens_details\":{\"reasoning_tokens\":0}},\"service_tier\":\"default\","
          + "\"system_fingerprint\":\"fp_1\"}",
      // OpenAI Chat without usage: the text is kept
      "{\"id\":\"chatcmpl-2\",\"model\":\"gpt-4o\",\"choices\":[{\"message\":{\"content\":"
          + "\"Bonjour \\u00e9t\\u00e9 \\ud83d\\ude00 \\\"q\\\"\",\"refusal\":null},"
          + "\"finish_reason\":\"stop\"}]}",
      // OpenAI Responses with a function call
      "{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"gpt-4.1\",\"output\":[{\"type\":"
          + "\"reasoning\",\"id\":\"rs_1\"},{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":"
          + "\"call_9\",\"name\":\"lookup\",\"arguments\":\"{}\"}],\"usage\":{\"input_tokens\":300,"
          + "\"input_tokens_details\":{\"cached_tokens\":100},\"output_tokens\":50,"
          + "\"output_tokens_details\":{\"reasoning_tokens\":20},\"total_tokens\":350},"
          + "\"service_tier\":\"flex\"}",
      // Anthropic Messages asking for a tool
      "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
          + "\"content\":[{\"type\":\"text\",\"text\":\"Let me look.\"},{\"type\":\"tool_use\","
          + "\"id\":\"toolu_1\",\"name\":\"get_policy\",\"input\":{\"id\":\"p\",\"name\":\"n\"}}],"
          + "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":20,"
          + "\"cache_creation_input_tokens\":100,\"cache_read_input_tokens\":300,\"cache_creation\":"
          + "{\"ephemeral_5m_input_tokens\":40,\"ephemeral_1h_input_tokens\":60},\"output_tokens\":"
          + "70,\"service_tier\":\"standard\"}}",
      // Anthropic stream events
      "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\",\"model\":"
          + "\"claude-haiku-4-5\",\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}",
      "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\","
          + "\"id\":\"toolu_2\",\"name\":\"search\",\"input\":{}}}",
      "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
          + "\"Hello\"}}",
      "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":"
          + "{\"output_tokens\":15}}",
      // OpenAI Responses stream events
      "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"type\":"
          + "\"function_call\",\"id\":\"fc_2\",\"call_id\":\"call_r\",\"name\":\"get_weather\","
          + "\"arguments\":\"{}\"}}",
      "{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_2\",\"model\":\"gpt-4.1-mini\","
          + "\"usage\":{\"input_tokens\":10,\"output_tokens\":4,\"output_tokens_details\":"
          + "{\"reasoning_tokens\":0}}}}",
      // OpenAI Chat stream chunks
      "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{"
          + "\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_s\",\"function\":"
          + "{\"name\":\"f\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}",
      "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[],"
          + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2,\"cost\":0.00012}}",
      // Gemini
      "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"},{\"functionCall\":{\"name\":"
          + "\"f\",\"args\":{}}}],\"role\":\"model\"},\"finishReason\":\"STOP\"}],\"usageMetadata\":"
          + "{\"promptTokenCount\":10,\"candidatesTokenCount\":5,\"thoughtsTokenCount\":3,"
          + "\"toolUsePromptTokenCount\":2,\"cachedContentTokenCount\":4,\"totalTokenCount\":20,"
          + "\"trafficType\":\"ON_DEMAND\"},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":"
          + "\"r-1\"}",
      // Bedrock Converse with tool use and cache details
      "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"x\"},{\"toolUse\":"
          + "{\"toolUseId\":\"tooluse_1\",\"name\":\"lookup\",\"input\":{\"q\":1}}}]}},"
          + "\"stopReason\":\"tool_use\",\"usage\":{\"inputTokens\":30,\"outputTokens\":10,"
          + "\"cacheReadInputTokens\":5,\"cacheWriteInputTokens\":7,\"cacheDetails\":[{\"ttl\":\"1h\","
          + "\"inputTokens\":7},{\"ttl\":\"5m\",\"inputTokens\":0}]},\"serviceTier\":{\"type\":"
          + "\"priority\"},\"metrics\":{\"latencyMs\":10}}",
      "{\"contentBlockIndex\":1,\"start\":{\"toolUse\":{\"toolUseId\":\"tooluse_s\",\"name\":\"x\"}}}",
      "{\"metadata\":{\"usage\":{\"inputTokens\":3,\"outputTokens\":4}}}",
      // Ollama native, Mistral / Cohere-compatible chat, embeddings, OpenRouter cost as text
      "{\"model\":\"llama3\",\"created_at\":\"t\",\"message\":{\"role\":\"assistant\",\"content\":"
          + "\"x\"},\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":26,\"eval_count\":298}",
      "{\"id\":\"cmpl-m\",\"object\":\"chat.completion\",\"model\":\"mistral-small-latest\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
          + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"total_tokens\":12,"
          + "\"completion_tokens\":3}}",
      "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"embedding\":[0.1,-2e-3,3],"
          + "\"index\":0}],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":8,"
          + "\"total_tokens\":8}}",
      "{\"id\":\"gen-1\",\"model\":\"openai/gpt-4o\",\"choices\":[{\"finish_reason\":\"stop\","
          + "\"message\":{\"content\":\"a\"}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":"
          + "1,\"cost\":\"1.5E-5\"}}",
      // odd but valid shapes
      "[{\"model\":\"a\",\"choices\":[{\"finish_reason\":\"x\"}]},7,{\"model\":\"b\",\"choices\":"
          + "[{\"finish_reason\":\"y\"}],\"usage\":{\"prompt_tokens\":1}}]",
      "{\"usage\":3,\"choices\":{\"finish_reason\":\"stop\"},\"model\":{\"model\":\"m\"}}",
      "{\"model\":\"m\",\"usage\":{\"prompt_tokens\":1.9,\"completion_tokens\":-3e2,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":true}},\"model\":5}",
      "{\"message\":{\"usage\":{\"input_tokens\":4}},\"usage\":{\"input_tokens\":9},"
          + "\"type\":\"message_start\"}",
      "{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":5}},"
          + "{\"id\":\"b\",\"function\":{\"name\":\"g\"}}]}}],\"usage\":{\"prompt_tokens\":"
          + "9223372036854775807}}",
      "{\"usage\":{\"prompt_tokens\":9223372036854775808}}",
      "{\"usage\":{\"cost\":1e99,\"prompt_tokens\":-0}}",
      "{\"m\\u006fdel\":\"esc\",\"\\u0075sage\":{\"prompt_tokens\":3}}",
      "\uFEFF{\"model\":\"bom\"}",
      "{\"model\":\"x\"} trailing garbage",
      "{}", "[]", "\"model\"", "12", "not json", "", "   ", "{\"model\":null}");

  private static final String DAMAGE = "{}[]\",:\\ 0-e.tfn\u0000\u00ff\u00c3\u0080";

  @Test
  void everyTestBodyAndWireGivesTheSameSummary() throws IOException {
    List<String> corpus = corpus();
    assertThat(corpus).hasSizeGreaterThan(100);
    for (String body : corpus) {
      same(body, "corpus");
    }
    System.out.println("usage scanner vs Jackson reader: " + corpus.size()
        + " bodies, the same summary from bytes and from text");
  }

  @Test
  void fuzzedVariantsGiveTheSameSummary() throws IOException {
    List<String> corpus = corpus();
    Random random = new Random(20261206L);
    int iterations = Integer.getInteger("usage.fuzz.iterations", 30);
    for (int round = 0; round < iterations; round++) {
      for (String body : corpus) {
        Object tree = tree(body);
        String variant = tree == null ? body : write(mutate(tree, random, 0), random);
        same(variant, "round " + round);
        byte[] bytes = variant.getBytes(StandardCharsets.UTF_8);
        // truncated, and one byte damaged
        int cut = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
        sameBytes(java.util.Arrays.copyOf(bytes, cut), "cut " + cut);
        same(variant.substring(0, Math.min(cut, variant.length())), "cut " + cut);
        if (bytes.length > 0) {
          byte[] damaged = bytes.clone();
          damaged[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
          sameBytes(damaged, "damaged");
          byte[] inserted = new byte[bytes.length + 1];
          int at = random.nextInt(bytes.length);
          System.arraycopy(bytes, 0, inserted, 0, at);
          inserted[at] = (byte) DAMAGE.charAt(random.nextInt(DAMAGE.length()));
          System.arraycopy(bytes, at, inserted, at + 1, bytes.length - at);
          sameBytes(inserted, "inserted");
        }
      }
    }
  }

  @Test
  void limitsAndEncodingsAreTheOldReadersToo() {
    String deep = "[".repeat(998) + "]".repeat(998);
    same("{\"a\":" + deep + ",\"model\":\"m\"}", "999 levels");
    same("{\"a\":[" + deep + "],\"model\":\"m\"}", "1000 levels");
    same("{\"a\":[[" + deep + "]],\"model\":\"m\"}", "1001 levels");
    same("{\"a\":" + "1".repeat(1000) + ",\"model\":\"m\"}", "1000 digits");
    same("{\"a\":" + "1".repeat(1001) + ",\"model\":\"m\"}", "1001 digits");
    same("{\"a\":1." + "1".repeat(999) + ",\"model\":\"m\"}", "1000 digit float");
    same("{\"a\":1." + "1".repeat(1000) + ",\"model\":\"m\"}", "1001 digit float");
    same("{\"a\":1e" + "1".repeat(999) + ",\"model\":\"m\"}", "long exponent");
    same("{\"" + "n".repeat(50_000) + "\":1,\"model\":\"m\"}", "50000-char name");
    same("{\"" + "n".repeat(50_001) + "\":1,\"model\":\"m\"}", "50001-char name");
    same("{\"usage\":{\"prompt_tokens\":1e400,\"completion_tokens\":-1e400}}", "infinite");
    String body = "{\"model\":\"gpt-\u00e9\",\"usage\":{\"prompt_tokens\":3}}";
    for (String charset : List.of("UTF-16BE", "UTF-16LE", "UTF-32BE", "UTF-32LE")) {
      sameBytes(body.getBytes(java.nio.charset.Charset.forName(charset)), charset);
    }
    sameBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0, '{', 0, '}'}, "UTF-16 BOM");
    // raw UTF-8 Jackson accepted without checking: overlong forms, encoded surrogates, 4 bytes
    sameBytes(new byte[] {'{', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', (byte) 0xC1,
        (byte) 0xAD, (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xF4, (byte) 0x8F,
        (byte) 0xBF, (byte) 0xBF, (byte) 0xF7, (byte) 0xBF, (byte) 0xBF, (byte) 0xBF, '"', '}'},
        "odd UTF-8");
    sameBytes(new byte[] {'{', '"', (byte) 0xC1, (byte) 0xAD, 'o', 'd', 'e', 'l', '"', ':', '"',
        'x', '"', '}'}, "overlong name");
  }

  @Test
  void streamsGiveTheSameProgressAndResult() throws IOException {
    Random random = new Random(7L);
    List<List<String>> streams = new ArrayList<>();
    for (Path file : testFiles()) {
      streams.add(literals(Files.readString(file)));
    }
    streams.add(WIRES);
    for (List<String> events : streams) {
      for (int round = 0; round < 5; round++) {
        StreamUsageAccumulator now = new StreamUsageAccumulator();
        LegacyStreamUsageAccumulator old = new LegacyStreamUsageAccumulator();
        for (String event : events) {
          Object tree = tree(event);
          String variant = round == 0 || tree == null ? event : write(mutate(tree, random, 0),
              random);
          now.onEvent(variant);
          old.onEvent(variant);
          assertThat(describe(now.progress())).as("progress after %s", variant)
              .isEqualTo(describe(old.progress()));
        }
        assertThat(describe(now.result())).as("stream %s", events)
            .isEqualTo(describe(old.result()));
      }
    }
  }

  // --- comparing ---

  private static void same(String body, String what) {
    if (bothEnvelopes(tree(body))) {
      return;
    }
    assertThat(describe(UsageParser.parse(body))).as("%s: %s", what,
            printable(body.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(describe(LegacyUsageParser.parse(body)));
    sameBytes(body.getBytes(StandardCharsets.UTF_8), what);
  }

  private static void sameBytes(byte[] body, String what) {
    if (excluded(body)) {
      return;
    }
    ResponseSummary whole = UsageParser.parse(body);
    assertThat(describe(whole)).as("%s: bytes %s", what, printable(body))
        .isEqualTo(describe(LegacyUsageParser.parse(body)));
    // the reader without tool calls: everything else the same
    assertThat(describe(UsageParser.parseWithoutToolCalls(body)))
        .as("%s: without tool calls, bytes %s", what, printable(body))
        .isEqualTo(describe(whole == null ? null : whole.withToolCalls(List.of())));
  }

  /** Whether the bytes are one of the two cases left out on purpose (see the class comment). */
  static boolean excluded(byte[] body) {
    return hasFF(body) || bothEnvelopes(tree(new String(body, StandardCharsets.UTF_8)));
  }

  /**
   * Whether the bytes hold 0xFF, never valid in UTF-8: Jackson pads a field name's last 4-byte
   * group with 0xFF bytes to look it up, so {@code "finish_reaso\xFFn"} was read as {@code
   * "finish_reason"} once that name was in its symbol table — an answer that depended on what the
   * JVM had read before. The scanner rejects such a name like any other broken UTF-8.
   */
  private static boolean hasFF(byte[] body) {
    for (byte b : body) {
      if (b == (byte) 0xFF) {
        return true;
      }
    }
    return false;
  }

  /** The bytes as ASCII, any other byte as {@code \xNN}. */
  private static String printable(byte[] body) {
    StringBuilder out = new StringBuilder();
    for (byte b : body) {
      out.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02X", b));
    }
    return out.toString();
  }

  /** Whether the root (or the root array's objects) has both a message and a response member. */
  private static boolean bothEnvelopes(Object tree) {
    List<Object> roots = tree instanceof List<?> l ? new ArrayList<>(l) : List.of(
        tree == null ? "" : tree);
    boolean message = false;
    boolean response = false;
    for (Object root : roots) {
      if (root instanceof Obj obj) {
        for (Member m : obj.members()) {
          message |= m.name().equals("message");
          response |= m.name().equals("response");
        }
      }
    }
    return message && response;
  }

  static String describe(ResponseSummary s) {
    return s == null ? "null" : printable(("model=" + s.model() + " finish=" + s.finishReasons() + " usage="
        + s.usage() + " text=" + s.outputText() + " cost=" + s.providerCostUsd() + " id="
        + s.responseId() + " calls=" + s.toolCalls()).getBytes(StandardCharsets.UTF_8));
  }

  // --- the corpus: every JSON string literal of the agent's tests, and WIRES ---

  static List<String> corpus() throws IOException {
    List<String> corpus = new ArrayList<>(WIRES);
    for (Path file : testFiles()) {
      corpus.addAll(literals(Files.readString(file)));
    }
    return corpus;
  }

  private static List<Path> testFiles() throws IOException {
    Path root = Path.of("src/test/java/io/flowcost/agent");
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.getFileName().toString().startsWith("UsageScannerDifferential"))
          .sorted().toList();
    }
  }

  private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");

  /**
   * The JSON objects among a Java file's string literals, literals joined by {@code +} read as
   * one.
   */
  static List<String> literals(String source) {
    List<String> out = new ArrayList<>();
    Matcher m = LITERAL.matcher(source);
    StringBuilder current = null;
    int lastEnd = -1;
    while (m.find()) {
      String between = lastEnd < 0 ? "" : source.substring(lastEnd, m.start());
      boolean joined = current != null && between.strip().equals("+");
      if (!joined) {
        flush(current, out);
        current = new StringBuilder();
      }
      current.append(unescapeJava(m.group(1)));
      lastEnd = m.end();
    }
    flush(current, out);
    return out;
  }

  private static void flush(StringBuilder literal, List<String> out) {
    if (literal != null && literal.length() > 1) {
      String s = literal.toString();
      if ((s.startsWith("{") || s.startsWith("[{")) && tree(s) != null) {
        out.add(s);
      }
    }
  }

  private static String unescapeJava(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 >= s.length()) {
        out.append(c);
        continue;
      }
      char e = s.charAt(++i);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> out.append(e);
      }
    }
    return out.toString();
  }

  // --- a JSON tree (objects as lists of name/value pairs: order and duplicates kept) ---

  private record Member(String name, Object value) {}

  private record Obj(List<Member> members) {}

  private record Num(String text) {}

  /** The tree of a JSON text, or {@code null} when it is not JSON. */
  private static Object tree(String json) {
    try (JsonParser p = JSON.createParser(json)) {
      JsonToken t = p.nextToken();
      return t == null ? null : read(p, t);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static Object read(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT: {
        List<Member> members = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          members.add(new Member(name, read(p, p.nextToken())));
        }
        return new Obj(members);
      }
      case START_ARRAY: {
        List<Object> items = new ArrayList<>();
        JsonToken n;
        while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
          items.add(read(p, n));
        }
        return items;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return new Num(p.getText());
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      default:
        return null;
    }
  }

  private static final List<String> NAMES = List.of("usage", "prompt_tokens", "completion_tokens",
      "input_tokens", "output_tokens", "model", "id", "choices", "finish_reason", "message",
      "response", "delta", "content", "text", "type", "tool_calls", "function", "name",
      "usageMetadata", "promptTokenCount", "cost", "stop_reason", "output", "toolUse",
      "toolUseId", "cacheDetails", "ttl", "inputTokens", "outputTokens", "item", "call_id",
      "content_block", "start", "eval_count", "service_tier", "responseId");

  /** A variant of the tree: members shuffled, renamed, duplicated or nested; values changed. */
  @SuppressWarnings("unchecked")
  private static Object mutate(Object node, Random r, int depth) {
    if (node instanceof Obj obj) {
      List<Member> members = new ArrayList<>();
      for (Member m : obj.members()) {
        members.add(new Member(m.name(), mutate(m.value(), r, depth + 1)));
      }
      if (r.nextInt(3) == 0) {
        Collections.shuffle(members, r);
      }
      if (r.nextInt(8) == 0 && !members.isEmpty()) {
        Member m = members.get(r.nextInt(members.size()));
        members.add(r.nextInt(members.size() + 1), new Member(m.name(), randomValue(r, depth)));
      }
      if (r.nextInt(8) == 0) {
        members.add(r.nextInt(members.size() + 1),
            new Member(NAMES.get(r.nextInt(NAMES.size())), randomValue(r, depth)));
      }
      if (r.nextInt(12) == 0 && !members.isEmpty()) {
        members.remove(r.nextInt(members.size()));
      }
      if (depth == 0 && r.nextInt(10) == 0 && !hasEnvelope(members)) {
        // the whole body again under an envelope
        members.add(new Member(r.nextBoolean() ? "message" : "response", new Obj(
            new ArrayList<>(members))));
      }
      return new Obj(members);
    }
    if (node instanceof List<?> list) {
      List<Object> items = new ArrayList<>();
      for (Object item : list) {
        items.add(mutate(item, r, depth + 1));
      }
      if (r.nextInt(10) == 0) {
        items.add(r.nextInt(items.size() + 1), randomValue(r, depth));
      }
      return items;
    }
    if (node instanceof String s && r.nextInt(6) == 0) {
      return switch (r.nextInt(4)) {
        case 0 -> s + "\u00e9\u4e2d\ud83d\ude00";
        case 1 -> "\"\\/\b\f\n\r\t\u0001" + s;
        case 2 -> s.isEmpty() ? s : s.substring(0, r.nextInt(s.length()));
        default -> "tool_use";
      };
    }
    if (node instanceof Num n && r.nextInt(4) == 0) {
      return new Num(switch (r.nextInt(6)) {
        case 0 -> n.text() + ".0";
        case 1 -> n.text() + "e1";
        case 2 -> "-" + n.text().replace("-", "");
        case 3 -> "99999999999999999999";
        case 4 -> "0";
        default -> "1.5E-3";
      });
    }
    if (r.nextInt(40) == 0) {
      return randomValue(r, depth);
    }
    return node;
  }

  private static boolean hasEnvelope(List<Member> members) {
    for (Member m : members) {
      if (m.name().equals("message") || m.name().equals("response")) {
        return true;
      }
    }
    return false;
  }

  private static Object randomValue(Random r, int depth) {
    switch (depth > 6 ? r.nextInt(4) : r.nextInt(7)) {
      case 0:
        return new Num(Integer.toString(r.nextInt(100_000)));
      case 1:
        return List.of("stop", "tool_use", "function_call", "message_start", "1h", "x").get(
            r.nextInt(6));
      case 2:
        return r.nextBoolean();
      case 3:
        return null;
      case 4: {
        List<Member> members = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          members.add(new Member(NAMES.get(r.nextInt(NAMES.size())), randomValue(r, depth + 1)));
        }
        return new Obj(members);
      }
      default: {
        List<Object> items = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
          items.add(randomValue(r, depth + 1));
        }
        return items;
      }
    }
  }

  /** The tree as JSON text, with random white space and escapes. */
  private static String write(Object node, Random r) {
    StringBuilder out = new StringBuilder();
    write(node, r, out);
    return out.toString();
  }

  private static void write(Object node, Random r, StringBuilder out) {
    if (node instanceof Obj obj) {
      out.append('{');
      space(r, out);
      for (int i = 0; i < obj.members().size(); i++) {
        if (i > 0) {
          out.append(',');
          space(r, out);
        }
        Member m = obj.members().get(i);
        string(m.name(), r, out);
        space(r, out);
        out.append(':');
        space(r, out);
        write(m.value(), r, out);
        space(r, out);
      }
      out.append('}');
    } else if (node instanceof List<?> list) {
      out.append('[');
      space(r, out);
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
          space(r, out);
        }
        write(list.get(i), r, out);
        space(r, out);
      }
      out.append(']');
    } else if (node instanceof String s) {
      string(s, r, out);
    } else if (node instanceof Num n) {
      out.append(n.text());
    } else {
      out.append(node == null ? "null" : node.toString());
    }
  }

  private static void space(Random r, StringBuilder out) {
    if (r.nextInt(5) == 0) {
      out.append(" \n\r\t".charAt(r.nextInt(4)));
    }
  }

  private static void string(String s, Random r, StringBuilder out) {
    boolean escapes = r.nextInt(6) == 0;
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || (escapes && r.nextInt(3) == 0)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }
}
