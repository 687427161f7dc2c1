package io.flowcost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link UsageScanner#plain(long)}, the eight-bytes-at-a-time test of a string's plain run, against
 * the byte-by-byte rule it stands for (no quote, no backslash, nothing below 0x20, nothing from
 * 0x80): every byte value at every position among plain bytes, and seeded random words with
 * several special bytes; then strings whose special bytes fall at every offset of a word, read
 * whole through {@link UsageParser}.
 */
class UsageScannerPlainTest {

  private static boolean plainByByte(byte[] word) {
    for (byte b : word) {
      int c = b & 0xFF;
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static long word(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  @Test
  void everyByteAtEveryPositionIsJudgedAsByteByByte() {
    int plainWords = 0;
    for (int filler : new int[] {' ', '!', '#', '[', ']', 'a', '~', 0x7F}) {
      for (int position = 0; position < 8; position++) {
        for (int value = 0; value < 256; value++) {
          byte[] bytes = new byte[8];
          java.util.Arrays.fill(bytes, (byte) filler);
          bytes[position] = (byte) value;
          assertThat(UsageScanner.plain(word(bytes)))
              .as("byte 0x%02x at %d among 0x%02x", value, position, filler)
              .isEqualTo(plainByByte(bytes));
          if (plainByByte(bytes)) {
            plainWords++;
          }
        }
      }
    }
    // 0x20-0x7F except '"' and '\\': 94 plain values per position and filler
    assertThat(plainWords).isEqualTo(8 * 8 * 94);
  }

  @Test
  void randomWordsAreJudgedAsByteByByte() {
    Random random = new Random(20261207);
    byte[] specials = {'"', '\\', 0x00, 0x1F, 0x0A, (byte) 0x80, (byte) 0xC3, (byte) 0xFF};
    int plain = 0;
    for (int i = 0; i < 200_000; i++) {
      byte[] bytes = new byte[8];
      for (int k = 0; k < 8; k++) {
        // mostly printable ASCII, some special bytes, some any byte at all
        int pick = random.nextInt(10);
        bytes[k] = pick < 7 ? (byte) (0x20 + random.nextInt(0x60))
            : pick < 9 ? specials[random.nextInt(specials.length)] : (byte) random.nextInt(256);
      }
      boolean expected = plainByByte(bytes);
      assertThat(UsageScanner.plain(word(bytes))).as("%s", java.util.Arrays.toString(bytes))
          .isEqualTo(expected);
      if (expected) {
        plain++;
      }
    }
    assertThat(plain).as("both answers were exercised").isBetween(1_000, 199_000);
  }

  /** The offset of the first byte that is not plain, or 8. */
  private static int firstSpecialByByte(byte[] word) {
    for (int k = 0; k < word.length; k++) {
      if (!plainByByte(new byte[] {word[k]})) {
        return k;
      }
    }
    return 8;
  }

  @Test
  void theFirstFlaggedByteIsTheFirstSpecialByteOfRandomWords() {
    Random random = new Random(20261208);
    byte[] specials = {'"', '\\', 0x00, 0x1F, 0x20, 0x21, 0x0A, (byte) 0x80, (byte) 0xC3,
        (byte) 0xFF, '"' + 1, '\\' + 1};
    int[] seen = new int[9];
    for (int i = 0; i < 300_000; i++) {
      byte[] bytes = new byte[8];
      for (int k = 0; k < 8; k++) {
        int pick = random.nextInt(10);
        bytes[k] = pick < 7 ? (byte) (0x20 + random.nextInt(0x60))
            : pick < 9 ? specials[random.nextInt(specials.length)] : (byte) random.nextInt(256);
      }
      int expected = firstSpecialByByte(bytes);
      long special = UsageScanner.special(word(bytes));
      assertThat(special == 0 ? 8 : Long.numberOfTrailingZeros(special) >>> 3)
          .as("%s", java.util.Arrays.toString(bytes)).isEqualTo(expected);
      seen[expected]++;
    }
    for (int offset = 0; offset <= 8; offset++) {
      assertThat(seen[offset]).as("first special byte at %d exercised", offset).isPositive();
    }
  }

  @Test
  void aSpecialByteAtAnyOffsetOfAStringEndsOrBreaksItAsBefore() {
    String prefix = "{\"model\":\"";
    for (int offset = 0; offset < 20; offset++) {
      String before = "x".repeat(offset);
      // an escaped quote and a two-byte character: read through, decoded
      ResponseSummary escaped = UsageParser.parse(
          (prefix + before + "\\\"é" + before + "\",\"usage\":{\"prompt_tokens\":3}}")
              .getBytes(StandardCharsets.UTF_8));
      assertThat(escaped.model()).isEqualTo(before + "\"é" + before);
      assertThat(escaped.usage().inputTokens()).isEqualTo(3L);
      // a raw control character inside the string: not JSON, nothing read
      assertThat(UsageParser.parse((prefix + before + "\n" + before
          + "\",\"usage\":{\"prompt_tokens\":3}}").getBytes(StandardCharsets.UTF_8))).isNull();
      // a string that never ends: not JSON
      assertThat(UsageParser.parse((prefix + before).getBytes(StandardCharsets.UTF_8))).isNull();
    }
  }
}
