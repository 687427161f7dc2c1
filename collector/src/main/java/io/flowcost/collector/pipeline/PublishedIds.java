package io.flowcost.collector.pipeline;

import io.flowcost.lake.store.DurableFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * The keys of rows recently published to the lake, kept in the data dir so that de-duplication
 * survives a restart: a sender that retries a request whose acknowledgement was lost in a crash
 * is not counted twice, even when the first copy already left the write-ahead log.
 *
 * <p>One file per flush, {@code <segment>-<millis>-<keys>.ids}, one key per line, forced to disk
 * before the flush's log segments are deleted. A line is the key, or the key, a tab and the
 * row's content fingerprint (outcomes: so a conflicting resend is still recognised after a
 * restart); {@code %}, tab, CR and LF in a key (outcome ids are the client's own text) are
 * written as {@code %25 %09 %0D %0A}. Files older than the retention are pruned, and the
 * oldest files go first when there are more keys than the in-memory de-dup set can hold.
 */
final class PublishedIds {

  private static final String SUFFIX = ".ids";

  private final Path dir;
  private final Duration retention;
  private final long maxKeys;
  private final Clock clock;

  PublishedIds(Path dir, Duration retention, long maxKeys, Clock clock) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.retention = retention;
    this.maxKeys = maxKeys;
    this.clock = clock;
  }

  /**
   * Feeds every remembered key and its fingerprint ({@code null} when none was recorded) to
   * {@code sink}, oldest file first; returns how many.
   */
  long load(BiConsumer<String, String> sink) throws IOException {
    long n = 0;
    for (Path file : files()) {
      try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
        for (String line : (Iterable<String>) lines::iterator) {
          if (!line.isEmpty()) {
            int tab = line.indexOf('\t');
            sink.accept(unescape(tab < 0 ? line : line.substring(0, tab)),
                tab < 0 ? null : line.substring(tab + 1));
            n++;
          }
        }
      }
    }
    return n;
  }

  /**
   * Records {@code keys} (key → content fingerprint, or {@code null}) as published by the flush
   * that closed log segment {@code segment}.
   */
  void record(long segment, Map<String, String> keys) throws IOException {
    if (keys.isEmpty()) {
      return;
    }
    // A later flush of the same segment id (after a partial failure) adds a second file.
    Path target = dir.resolve(String.format("%020d-%d-%d%s", segment, clock.millis(), keys.size(),
        SUFFIX));
    DurableFiles.replace(target, out -> {
      BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
      for (Map.Entry<String, String> k : keys.entrySet()) {
        w.write(escape(k.getKey()));
        if (k.getValue() != null) {
          w.write('\t');
          w.write(k.getValue());
        }
        w.write('\n');
      }
      w.flush();
    });
    prune();
  }

  static String escape(String key) {
    if (key.indexOf('%') < 0 && key.indexOf('\t') < 0 && key.indexOf('\n') < 0
        && key.indexOf('\r') < 0) {
      return key;
    }
    return key.replace("%", "%25").replace("\t", "%09").replace("\r", "%0D")
        .replace("\n", "%0A");
  }

  static String unescape(String line) {
    if (line.indexOf('%') < 0) {
      return line;
    }
    StringBuilder out = new StringBuilder(line.length());
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '%' && i + 2 < line.length()) {
        String code = line.substring(i + 1, i + 3);
        switch (code) {
          case "25" -> { out.append('%'); i += 2; continue; }
          case "09" -> { out.append('\t'); i += 2; continue; }
          case "0D" -> { out.append('\r'); i += 2; continue; }
          case "0A" -> { out.append('\n'); i += 2; continue; }
          default -> { }
        }
      }
      out.append(c);
    }
    return out.toString();
  }

  private void prune() throws IOException {
    long cutoff = clock.millis() - retention.toMillis();
    List<Path> files = files();
    long keys = 0;
    for (Path file : files) {
      keys += keysIn(file);
    }
    for (Path file : files) {
      if (Files.getLastModifiedTime(file).toMillis() < cutoff || keys > maxKeys) {
        keys -= keysIn(file);
        Files.deleteIfExists(file);
      }
    }
  }

  /** The key count in a file's name; 0 for names of another shape (never counted twice). */
  private static long keysIn(Path file) {
    String name = file.getFileName().toString();
    String[] parts = name.substring(0, name.length() - SUFFIX.length()).split("-");
    try {
      return parts.length == 3 ? Long.parseLong(parts[2]) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> out = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(SUFFIX))
          .sorted().toList());
      return out;
    }
  }
}
