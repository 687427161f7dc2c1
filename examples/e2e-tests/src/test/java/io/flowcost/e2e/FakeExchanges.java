package io.flowcost.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The fake provider's exchange log, normalised here by hand to the OpenTelemetry GenAI meaning
 * of each count (OpenAI prompt_tokens already include cached tokens; Anthropic input_tokens
 * exclude cache reads and writes; Gemini's thoughtsTokenCount sits outside candidatesTokenCount).
 */
final class FakeExchanges {

  /** One exchange as a calls row should show it. */
  record Expected(String provider, String model, int httpStatus, boolean streaming, Long input,
      Long cacheRead, Long cacheWrite, Long cacheWrite1h, Long output, Long reasoning) {

    String key() {
      return provider + "|" + model + "|" + httpStatus + "|stream=" + streaming + "|in=" + input
          + "|cr=" + cacheRead + "|cw=" + cacheWrite + "|cw1h=" + cacheWrite1h + "|out=" + output
          + "|rs=" + reasoning;
    }
  }

  private FakeExchanges() {}

  /** The keys of the exchanges in a log file, one per exchange. */
  static List<String> keys(List<Expected> exchanges) {
    List<String> keys = new ArrayList<>();
    for (Expected e : exchanges) {
      keys.add(e.key());
    }
    return keys;
  }

  /** The same keys built from the lake's model and embedding attempts (the {@code calls} view). */
  static List<String> lakeKeys(Connection duck) throws SQLException {
    List<String> keys = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT provider, request_model, http_status, streaming, input_tokens, cache_read_tokens,"
            + " cache_write_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens"
            + " FROM calls WHERE kind IN ('model', 'embedding')")) {
      while (rs.next()) {
        keys.add(new Expected(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getBoolean(4),
            (Long) rs.getObject(5), (Long) rs.getObject(6), (Long) rs.getObject(7),
            (Long) rs.getObject(8), (Long) rs.getObject(9), (Long) rs.getObject(10)).key());
      }
    }
    return keys;
  }

  static List<Expected> read(Path file) throws IOException {
    List<Expected> out = new ArrayList<>();
    for (JsonNode e : new ObjectMapper().readTree(file.toFile())) {
      String protocol = e.get("protocol").asText();
      String provider = protocol.startsWith("anthropic") ? "anthropic"
          : protocol.startsWith("gemini") ? "gcp.gemini"
          : protocol.startsWith("bedrock") ? "aws.bedrock" : "openai";
      JsonNode u = e.get("usage");
      boolean sent = e.get("usage_sent").asBoolean() && u != null && !u.isNull();
      Long in = null;
      Long cr = null;
      Long cw = null;
      Long cw1h = null;
      Long outTokens = null;
      Long rs = null;
      if (sent && protocol.equals("bedrock.converse")) {
        // Bedrock Converse: inputTokens excludes cache reads and writes, like Anthropic
        cr = n(u, "cacheReadInputTokens");
        cw = n(u, "cacheWriteInputTokens");
        cw1h = 0L;
        in = n(u, "inputTokens") + cr + cw;
        outTokens = n(u, "outputTokens");
        rs = 0L;
      } else if (sent && (provider.equals("anthropic") || protocol.equals("bedrock.invoke"))) {
        cr = n(u, "cache_read_input_tokens");
        cw = n(u, "cache_creation_input_tokens");
        cw1h = n(u, "cache_creation.ephemeral_1h_input_tokens");
        in = n(u, "input_tokens") + cr + cw;
        outTokens = n(u, "output_tokens");
        rs = n(u, "output_tokens_details.thinking_tokens");
      } else if (sent && provider.equals("gcp.gemini")) {
        // thoughts sit outside candidatesTokenCount, tool-use prompt tokens outside the prompt
        in = n(u, "promptTokenCount") + n(u, "toolUsePromptTokenCount");
        cr = n(u, "cachedContentTokenCount");
        cw = 0L;
        cw1h = 0L;
        outTokens = n(u, "candidatesTokenCount") + n(u, "thoughtsTokenCount");
        rs = n(u, "thoughtsTokenCount");
      } else if (sent && protocol.equals("openai.responses")) {
        // Responses: input_tokens includes the cached ones, output_tokens the reasoning
        in = n(u, "input_tokens");
        cr = n(u, "input_tokens_details.cached_tokens");
        cw = 0L;
        cw1h = 0L;
        outTokens = n(u, "output_tokens");
        rs = n(u, "output_tokens_details.reasoning_tokens");
      } else if (sent && protocol.equals("openai.embeddings")) {
        in = n(u, "prompt_tokens");
        cr = 0L;
        cw = 0L;
        cw1h = 0L;
        outTokens = 0L;
        rs = 0L;
      } else if (sent) {
        in = n(u, "prompt_tokens");
        cr = n(u, "prompt_tokens_details.cached_tokens");
        cw = n(u, "prompt_tokens_details.cache_write_tokens");
        cw1h = 0L;
        outTokens = n(u, "completion_tokens");
        rs = n(u, "completion_tokens_details.reasoning_tokens");
      }
      out.add(new Expected(provider, e.get("model").asText(), e.get("http_status").asInt(),
          e.get("streaming").asBoolean(), in, cr, cw, cw1h, outTokens, rs));
    }
    return out;
  }

  private static long n(JsonNode usage, String field) {
    JsonNode v = usage.get(field);
    return v == null || v.isNull() ? 0 : v.asLong();
  }

  /** {@code provider:streaming} of the lake's model attempts that returned output, sorted. */
  static List<String> lakeProviderStreaming(Connection duck) throws SQLException {
    List<String> combos = new ArrayList<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT DISTINCT provider || ':' || streaming FROM calls WHERE kind = 'model'"
            + " AND output_tokens > 0 ORDER BY 1")) {
      while (rs.next()) {
        combos.add(rs.getString(1));
      }
    }
    return combos;
  }
}
