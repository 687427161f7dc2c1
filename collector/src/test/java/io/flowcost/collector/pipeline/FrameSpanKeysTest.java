package io.flowcost.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A group commit's span keys answer as an insertion-ordered set would, through growth, take-backs
 * of a refused request's keys and clearing between frames.
 */
class FrameSpanKeysTest {

  private record Key(byte tag, long value) {}

  @Test
  void itAnswersAsAnOrderedSetThroughGrowthTakeBacksAndClears() {
    SplittableRandom random = new SplittableRandom(7);
    FrameSpanKeys frame = new FrameSpanKeys();
    for (int round = 0; round < 60; round++) {
      List<Key> model = new ArrayList<>();
      Set<Key> set = new HashSet<>();
      // frames from a handful of keys to several growths of the table
      int adds = round % 3 == 0 ? 5_000 + random.nextInt(5_000) : random.nextInt(300);
      // few distinct values and two tags, so repeats and same-value-other-tag keys are common
      long range = Math.max(4, adds / 2);
      for (int i = 0; i < adds; i++) {
        if (random.nextInt(50) == 0 && !model.isEmpty()) {
          int keep = random.nextInt(model.size() + 1);
          frame.truncate(keep);
          while (model.size() > keep) {
            set.remove(model.remove(model.size() - 1));
          }
        }
        Key k = new Key((byte) (random.nextBoolean() ? 'c' : 'w'), random.nextLong(range) * 0x1_0000_0001L);
        boolean added = frame.add(k.tag(), k.value());
        assertThat(added).isEqualTo(set.add(k));
        if (added) {
          model.add(k);
        }
      }
      assertThat(frame.size()).isEqualTo(model.size());
      for (int i = 0; i < model.size(); i++) {
        assertThat(new Key(frame.tag(i), frame.value(i))).isEqualTo(model.get(i));
      }
      for (Key k : model) {
        assertThat(frame.add(k.tag(), k.value())).isFalse(); // still there
      }
      frame.clear();
      assertThat(frame.size()).isZero();
      for (Key k : model) {
        // nothing of the last frame is left
        assertThat(frame.add(k.tag(), k.value())).isTrue();
      }
      frame.clear();
    }
  }
}
