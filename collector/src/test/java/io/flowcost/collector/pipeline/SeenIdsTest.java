package io.flowcost.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The de-duplication memory: exact while under its bound, and beyond it forgets exactly the
 * oldest span keys (re-adding a key does not make it younger), whichever way a key is stored.
 */
class SeenIdsTest {

  private static final HexFormat HEX = HexFormat.of();

  private static String spanKey(char table, long id) {
    return table + ":" + HEX.toHexDigits(id);
  }

  @Test
  void underItsBoundItAnswersExactlyAsAMapWithTheKnownFingerprintRule() {
    SplittableRandom random = new SplittableRandom(13);
    SeenIds seen = new SeenIds(1_000_000);
    Map<String, String> model = new HashMap<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      // span keys (compact), outcome keys, keys of other shapes, and repeats of earlier keys
      String key = switch (random.nextInt(6)) {
        case 0 -> spanKey("cwb".charAt(random.nextInt(3)), random.nextLong());
        case 1 -> "o:outcome-" + random.nextInt(5_000);
        case 2 -> "c:" + HEX.withUpperCase().toHexDigits(random.nextLong()); // not lowercase
        case 3 -> "c:" + Long.toHexString(random.nextInt(1 << 20)); // shorter than 16
        default -> keys.isEmpty() ? "w:x" : keys.get(random.nextInt(keys.size()));
      };
      keys.add(key);
      String fingerprint = random.nextInt(3) == 0 ? "fp" + random.nextInt(4) : null;
      seen.remember(key, fingerprint);
      String fp = fingerprint == null ? SeenIds.UNKNOWN : fingerprint;
      model.merge(key, fp, (old, now) -> now.equals(SeenIds.UNKNOWN) ? old : now);
    }
    for (String key : keys) {
      assertThat(seen.fingerprintOf(key)).as(key).isEqualTo(model.get(key));
      assertThat(seen.contains(key)).isTrue();
    }
    for (int i = 0; i < 20_000; i++) {
      String unseen = spanKey('c', random.nextLong());
      assertThat(seen.contains(unseen)).isEqualTo(model.containsKey(unseen));
      assertThat(seen.fingerprintOf("o:never-" + i)).isNull();
    }
  }

  /**
   * The write path's span-key route (parse once, check, add after the write without a second
   * probe) leaves the memory answering exactly as {@link SeenIds#remember} would, beyond the
   * bound too (the same oldest keys forgotten), and sees keys remembered either way.
   */
  @Test
  void spanKeysAddedParsedOnceAnswerAsRememberedOnes() {
    SplittableRandom random = new SplittableRandom(29);
    SeenIds parsed = new SeenIds(5_000);
    SeenIds plain = new SeenIds(5_000);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      String key = keys.isEmpty() || random.nextInt(4) != 0
          ? spanKey("cwb".charAt(random.nextInt(3)), random.nextLong())
          : keys.get(random.nextInt(keys.size()));
      keys.add(key);
      if (random.nextInt(10) == 0) {
        // some keys come the other way (start-up, published ids), or with a fingerprint
        String fp = random.nextBoolean() ? null : "fp";
        parsed.remember(key, fp);
        plain.remember(key, fp);
        continue;
      }
      assertThat(parsed.parseSpanKey(key)).isTrue();
      boolean seenBefore = parsed.containsParsedSpanKey(key);
      assertThat(seenBefore).as(key).isEqualTo(plain.fingerprintOf(key) != null);
      if (!seenBefore) {
        // as the write path did before: a key seen already is a duplicate, not remembered again
        parsed.rememberAbsentSpanKey(parsed.parsedTag(), parsed.parsedValue());
        plain.remember(key);
      }
    }
    for (String key : keys) {
      assertThat(parsed.fingerprintOf(key)).as(key).isEqualTo(plain.fingerprintOf(key));
    }
    assertThat(parsed.parseSpanKey("c:" + "ABCDEF0123456789")).isFalse();
    assertThat(parsed.parseSpanKey("o:outcome-1")).isFalse();
  }

  /**
   * Outcome keys (a map entry each, with a fingerprint) are bounded by the heap; span keys keep
   * the full capacity: at 2,000,000 outcome keys the map alone outgrew a 512 MB heap.
   */
  @Test
  void outcomeKeysAreBoundedByTheHeapSpanKeysKeepTheFullCapacity() {
    long mb = 1024L * 1024;
    assertThat(SeenIds.keyedCapacity(2_000_000, 512 * mb)).isEqualTo(262_144);
    assertThat(SeenIds.keyedCapacity(2_000_000, 2048 * mb)).isEqualTo(1_048_576);
    assertThat(SeenIds.keyedCapacity(2_000_000, 64 * 1024 * mb)).isEqualTo(2_000_000);
    assertThat(SeenIds.keyedCapacity(2_000_000, 16 * mb)).isEqualTo(10_000);
    assertThat(SeenIds.keyedCapacity(1_000, 16 * mb)).isEqualTo(1_000);

    SeenIds seen = new SeenIds(5_000, 1_000);
    for (int i = 0; i < 3_000; i++) {
      seen.remember("o:outcome-" + i, "fp" + i);
      seen.remember(spanKey('c', i + 1), null);
    }
    assertThat(seen.keyedSize()).isEqualTo(1_000);
    assertThat(seen.fingerprintOf("o:outcome-1999")).isNull(); // the oldest are forgotten
    assertThat(seen.fingerprintOf("o:outcome-2000")).isEqualTo("fp2000");
    assertThat(seen.fingerprintOf("o:outcome-2999")).isEqualTo("fp2999");
    assertThat(seen.contains(spanKey('c', 1))).isTrue(); // all 3,000 span keys are kept
    assertThat(seen.contains(spanKey('c', 3_000))).isTrue();
  }

  @Test
  void beyondItsBoundTheOldestSpanKeysAreForgottenAndARepeatDoesNotRefreshAKey() {
    int capacity = 1_000;
    RecentSpanKeys keys = new RecentSpanKeys(capacity);
    List<String> order = new ArrayList<>();
    Map<String, Integer> lastAt = new HashMap<>(); // a key's last position in order
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 50_000; i++) {
      String key = spanKey("cwb".charAt(random.nextInt(3)), random.nextLong() & 0xFFFFL);
      boolean present = keys.contains(key);
      int at = lastAt.getOrDefault(key, -1);
      // the model: a key is present when it is one of the last `capacity` distinct insertions
      assertThat(present).as("step %d, %s", i, key)
          .isEqualTo(at >= 0 && at >= order.size() - capacity);
      keys.add(key);
      if (!present) {
        lastAt.put(key, order.size());
        order.add(key);
      }
      assertThat(keys.size()).isEqualTo(Math.min(order.size(), capacity));
    }
    // every one of the last `capacity` is still found after all the evictions
    for (String key : order.subList(order.size() - capacity, order.size())) {
      assertThat(keys.contains(key)).as(key).isTrue();
    }
  }

  @Test
  void theSameSpanIdInTwoTablesIsTwoKeys() {
    RecentSpanKeys keys = new RecentSpanKeys(10);
    keys.add(spanKey('c', 42));
    assertThat(keys.contains(spanKey('c', 42))).isTrue();
    assertThat(keys.contains(spanKey('w', 42))).isFalse();
  }

  @Test
  void onlyKeysOfTheSpanKeyFormAreKept() {
    RecentSpanKeys keys = new RecentSpanKeys(10);
    for (String other : List.of("c:00000000000000zz", "c:000000000000002A", "c:2a",
        "c:000000000000002a0", "cc000000000000002a", "\u00e9:000000000000002a")) {
      assertThat(keys.add(other)).as(other).isFalse();
      assertThat(keys.contains(other)).as(other).isFalse();
    }
    assertThat(keys.size()).isZero();
    assertThat(keys.add("c:000000000000002a")).isTrue();
    assertThat(keys.add("c:000000000000002a")).isTrue();
    assertThat(keys.contains("c:000000000000002a")).isTrue();
    assertThat(keys.size()).isEqualTo(1);
  }
}
