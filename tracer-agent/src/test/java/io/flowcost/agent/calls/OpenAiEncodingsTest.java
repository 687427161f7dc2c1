package io.flowcost.agent.calls;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The agent's compact {@code o200k_base} table is jtokkit's, token for token, and the encoding
 * built from it splits text exactly as jtokkit's own.
 */
class OpenAiEncodingsTest {

  @Test
  void theCompactTableHoldsJtokkitsRanksInOrder() throws Exception {
    byte[] compact = read(OpenAiEncodings.class, OpenAiEncodings.RANKS);
    String tiktoken = new String(read(Encodings.class, "o200k_base.tiktoken"), StandardCharsets.UTF_8);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    int rank = 0;
    for (String line : tiktoken.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split(" ");
      assertThat(Integer.parseInt(parts[1])).isEqualTo(rank++);
      byte[] token = Base64.getDecoder().decode(parts[0]);
      expected.write(token.length);
      expected.write(token);
    }
    assertThat(compact).isEqualTo(expected.toByteArray());
  }

  @Test
  void itEncodesAsJtokkitsOwnO200k() {
    Encoding reference = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    Encoding ours = OpenAiEncodings.o200k();
    String[] samples = {
      "Hello world! What's the weather in Paris today?",
      "  leading spaces, trailing\t\ttabs\n\n\nand new lines  \r\n",
      "Numbers 1234567 and 3.14159, dates 2026-12-06, ids call_abc123",
      "{\"city\":\"Paris\",\"unit\":\"celsius\",\"nested\":{\"a\":[1,2,3]}}",
      "Ünïcödé: 日本語のテキスト, Ελληνικά, русский, emoji 🎉👍🏽, ÄÖÜ ß",
      "I'M HERE, you're there; they'll've DON'T. camelCaseWords and snake_case_words",
      "public static void main(String[] args) { System.out.println(\"x\"); }",
    };
    for (String s : samples) {
      assertThat(ours.encodeOrdinary(s).boxed()).as(s).isEqualTo(reference.encodeOrdinary(s).boxed());
    }
  }

  private static byte[] read(Class<?> anchor, String name) throws Exception {
    try (InputStream in = anchor.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }
}
