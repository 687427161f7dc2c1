package io.flowcost.agent.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link SpanAttributeArray}'s rules held to a plain model of the SDK's: order, replacement, limit. */
class SpanAttributeArrayTest {

  /**
   * Seeded random puts from a pool of names many of which share a bit of the names' bit set (the
   * pool is larger than 64, and names are made to differ only in their last characters), kept
   * and dropped past the limit: the array holds what an insertion-ordered map with the SDK's
   * rules holds, in the same order, and counts the same names added.
   */
  @Test
  void randomPutsKeepWhatAnOrderedMapWithTheSdksRulesKeeps() {
    List<String> pool = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      pool.add("gen_ai.attribute." + i);
    }
    Random random = new Random(13);
    for (int round = 0; round < 500; round++) {
      SpanAttributeArray array = new SpanAttributeArray(1 + random.nextInt(20));
      Map<String, Object> model = new LinkedHashMap<>();
      int modelAdded = 0;
      int puts = random.nextInt(round < 400 ? 40 : 400);
      int names = 1 + random.nextInt(round < 250 ? 30 : pool.size());
      for (int p = 0; p < puts; p++) {
        // a new key object for the same name half of the time: a key is its name
        String name = pool.get(random.nextInt(names));
        AttributeKey<Long> key = random.nextBoolean()
            ? AttributeKey.longKey(name) : AttributeKey.longKey(new String(name));
        long value = random.nextLong();
        array.put(key, value);
        if (model.containsKey(name)) {
          model.put(name, value);
        } else {
          modelAdded++;
          if (model.size() < SpanAttributeArray.LIMIT) {
            model.put(name, value);
          }
        }
      }
      assertThat(array.size()).isEqualTo(model.size());
      assertThat(array.totalAdded()).isEqualTo(modelAdded);
      List<String> order = new ArrayList<>(model.keySet());
      for (int i = 0; i < array.size(); i++) {
        assertThat(array.keyAt(i).getKey()).isEqualTo(order.get(i));
        assertThat(array.valueAt(i)).isEqualTo(model.get(order.get(i)));
      }
      SpanAttributeArray copy = array.snapshot();
      assertThat(copy.size()).isEqualTo(array.size());
      assertThat(copy.totalAdded()).isEqualTo(array.totalAdded());
    }
  }

  /** A name set again after a snapshot is still found (the snapshot keeps the names' bits). */
  @Test
  void aNameSetAgainReplacesItsValueInPlace() {
    SpanAttributeArray array = new SpanAttributeArray(2);
    array.put(AttributeKey.stringKey("a"), "1");
    array.put(AttributeKey.stringKey("b"), "2");
    array.put(AttributeKey.stringKey(new String("a")), "3");
    assertThat(array.size()).isEqualTo(2);
    assertThat(array.totalAdded()).isEqualTo(2);
    assertThat(array.keyAt(0).getKey()).isEqualTo("a");
    assertThat(array.valueAt(0)).isEqualTo("3");
    assertThat(array.valueAt(1)).isEqualTo("2");
  }
}
