package io.flowcost.agent.calls;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.GptBytePairEncodingParams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * OpenAI's {@code o200k_base} encoding, built from the agent's own compact copy of its ranks
 * ({@code o200k_base.ranks}: for each token in rank order, one length byte and the token's
 * bytes — the same table as {@code jtokkit}'s {@code o200k_base.tiktoken}, 1.6 MB instead of 3.6
 * MB, which keeps the agent jar under 8 MiB; {@code OpenAiEncodingsTest} checks that the two
 * agree). Loaded on first use, once.
 */
final class OpenAiEncodings {

  static final String RANKS = "o200k_base.ranks";

  /** tiktoken's {@code o200k_base} pre-tokenisation pattern. */
  static final String O200K_PATTERN = String.join("|",
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
          + "(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
          + "(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
      "\\p{N}{1,3}",
      " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
      "\\s*[\\r\\n]+",
      "\\s+(?!\\S)",
      "\\s+");

  private OpenAiEncodings() {}

  private static final class Holder {
    static final Encoding O200K = load();
  }

  /** The {@code o200k_base} encoding. */
  static Encoding o200k() {
    return Holder.O200K;
  }

  private static Encoding load() {
    Map<byte[], Integer> ranks = new HashMap<>(400_000);
    byte[] table = read();
    int rank = 0;
    for (int i = 0; i < table.length; ) {
      int length = table[i] & 0xff;
      byte[] token = new byte[length];
      System.arraycopy(table, i + 1, token, 0, length);
      ranks.put(token, rank++);
      i += 1 + length;
    }
    Map<String, Integer> special = Map.of("<|endoftext|>", 199999, "<|endofprompt|>", 200018);
    Pattern pattern = Pattern.compile(O200K_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);
    // a registry of its own, so that nothing asks jtokkit for tables the agent does not ship
    return Encodings.newLazyEncodingRegistry()
        .registerGptBytePairEncoding(
            new GptBytePairEncodingParams("flowcost_o200k_base", pattern, ranks, special))
        .getEncoding("flowcost_o200k_base")
        .orElseThrow();
  }

  private static byte[] read() {
    try (InputStream in = OpenAiEncodings.class.getResourceAsStream(RANKS)) {
      if (in == null) {
        throw new IllegalStateException(RANKS + " is missing from the agent jar");
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(1_700_000);
      in.transferTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + RANKS, e);
    }
  }
}
