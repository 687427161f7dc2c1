package io.flowcost.collector.alert;

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
 */
public final class FiredAlerts implements AlertClaims {

  private static final Logger LOG = Logger.getLogger(FiredAlerts.class.getName());

  private final Path file;
  private final Clock clock;
  private final Map<String, Instant> fired = new HashMap<>();

  private FiredAlerts(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  /** Loads {@code file} (missing: none fired yet). */
  public static FiredAlerts load(Path file, Clock clock) throws IOException {
    FiredAlerts f = new FiredAlerts(file, clock);
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
      List<String> keep = new ArrayList<>();
      f.fired.forEach((k, exp) -> keep.add(exp.getEpochSecond() + "\t" + k));
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, keep, StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
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
    return true;
  }

  /** For tests: whether {@code key} is claimed. */
  synchronized boolean claimed(String key) {
    return fired.containsKey(key);
  }

}
