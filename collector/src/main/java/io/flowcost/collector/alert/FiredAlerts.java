package io.flowcost.collector.alert;

import io.flowcost.lake.store.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Alert keys already sent, in a file of the data dir ({@code alerts-fired}: one
 * {@code EXPIRY-EPOCH-SECONDS TAB KEY} per line), so a restart never sends an alert twice. Keys
 * whose expiry passed are dropped when the file is loaded (and rewritten).
 *
 * <p><b>Bounded.</b> Every alert has a key of its own (a cap breach, a runaway workflow, a
 * burn-rate window), kept one to two days; a collector that runs for weeks without a restart
 * would otherwise keep every key it ever sent, in memory and in the file. So once the keys held
 * reach twice as many as after the last pruning (at least {@value #MIN_PRUNE_AT}), the expired
 * ones are dropped from both: memory stays proportional to the alerts of the last two days, at
 * an amortised constant cost per claim.
 */
public final class FiredAlerts implements AlertClaims {

  private static final Logger LOG = Logger.getLogger(FiredAlerts.class.getName());

  private final Path file;
  private final Clock clock;
  private final Map<String, Instant> fired = new HashMap<>();

  /** Keys held below which expired ones are never pruned (a rewrite is not worth it). */
  static final int MIN_PRUNE_AT = 1024;
  /** Keys held below which expired ones are never pruned: {@link #MIN_PRUNE_AT}; tests less. */
  private final int minPruneAt;
  /** The number of keys held at which the next pruning runs. */
  private int pruneAt;

  private FiredAlerts(Path file, Clock clock, int minPruneAt) {
    this.file = file;
    this.clock = clock;
    this.minPruneAt = minPruneAt;
    this.pruneAt = minPruneAt;
  }

  /** Loads {@code file} (missing: none fired yet). */
  public static FiredAlerts load(Path file, Clock clock) throws IOException {
    return load(file, clock, MIN_PRUNE_AT);
  }

  /** {@link #load(Path, Clock)} pruning from {@code minPruneAt} keys held (tests). */
  static FiredAlerts load(Path file, Clock clock, int minPruneAt) throws IOException {
    FiredAlerts f = new FiredAlerts(file, clock, minPruneAt);
    if (Files.exists(file)) {
      Instant now = clock.instant();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int tab = line.indexOf('\t');
        if (tab <= 0) {
          continue; // a line cut short by a crash: at worst an alert is sent again
        }
        try {
          Instant exp = Instant.ofEpochSecond(Long.parseLong(line.substring(0, tab)));
          if (exp.isAfter(now)) {
            f.fired.put(line.substring(tab + 1), exp);
          }
        } catch (NumberFormatException | java.time.DateTimeException e) {
          LOG.warning("ignoring a damaged line of " + file.getFileName());
        }
      }
      f.rewrite();
      f.pruneAt = Math.max(minPruneAt, 2 * f.fired.size());
    }
    return f;
  }

  @Override
  public synchronized boolean claim(String key, Instant expiresAt) {
    Instant earlier = fired.get(key);
    if (earlier != null && earlier.isAfter(clock.instant())) {
      return false;
    }
    fired.put(key, expiresAt);
    try {
      Files.writeString(file, expiresAt.getEpochSecond() + "\t" + key.replace('\n', ' ') + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
          StandardOpenOption.SYNC);
    } catch (IOException e) {
      // the alert is still sent once by this process; only a restart might repeat it
      LOG.warning("cannot record a sent alert in " + file + " (" + e.getClass().getSimpleName()
          + "); after a restart it may be sent again");
    }
    if (fired.size() >= pruneAt) {
      pruneExpired();
    }
    return true;
  }

  /**
   * Drops the keys whose expiry passed, from memory and the file; the next pruning runs at twice
   * the keys left. Caller holds the lock.
   */
  private void pruneExpired() {
    Instant now = clock.instant();
    fired.values().removeIf(exp -> !exp.isAfter(now));
    pruneAt = Math.max(minPruneAt, 2 * fired.size());
    try {
      rewrite();
    } catch (IOException e) {
      // the file keeps its expired lines, dropped at the next load; nothing is sent twice
      LOG.warning("cannot rewrite " + file.getFileName() + " without its expired alert keys ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /** Writes the keys held to the file, replacing it atomically. */
  private void rewrite() throws IOException {
    List<String> keep = new ArrayList<>();
    fired.forEach((k, exp) -> keep.add(exp.getEpochSecond() + "\t" + k.replace('\n', ' ')));
    // a crash leaves the old file or the new one, never a torn mix
    DurableFiles.replace(file, out -> {
      for (String line : keep) {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
    });
  }

  /** For tests: how many keys are held. */
  synchronized int held() {
    return fired.size();
  }

  /** For tests: whether {@code key} is claimed. */
  synchronized boolean claimed(String key) {
    return fired.containsKey(key);
  }

}
