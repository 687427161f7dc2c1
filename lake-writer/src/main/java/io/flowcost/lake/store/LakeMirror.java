package io.flowcost.lake.store;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A local copy of (part of) a lake, for readers that can only read local files — DuckDB without
 * its {@code httpfs} extension, for one.
 *
 * <p>{@link #refresh} is incremental: it lists the source, downloads only files whose key, size
 * and tag it has not mirrored yet, and removes local files whose key has disappeared from the
 * source (compaction replaced them). What it mirrored is recorded in {@code
 * <root>/_mirror/manifest.tsv}, so a new process resumes where the last one stopped. Each file is
 * downloaded under {@code _mirror/} and renamed into place, so a local reader sees it whole or not
 * at all.
 *
 * <p>Thread-safe. Processes may share a mirror directory: every change is an atomic rename of a
 * uniquely named file, so the worst a race does is download a file twice.
 */
public final class LakeMirror {

  /** Bookkeeping directory under the mirror root; lake readers skip {@code _}-prefixed names. */
  public static final String STATE_DIR = "_mirror";

  private final LakeStore source;
  private final Path root;
  private final Path state;
  private final Path manifest;

  /**
   * A mirror of {@code source} in directory {@code root} (created if missing).
   *
   * @throws IllegalArgumentException if {@code source} is a local store rooted at {@code root}
   */
  public LakeMirror(LakeStore source, Path root) throws IOException {
    this.source = Objects.requireNonNull(source, "source");
    this.root = Files.createDirectories(Objects.requireNonNull(root, "root")).toRealPath();
    if (source instanceof LocalDirectoryStore local && local.root().equals(this.root)) {
      throw new IllegalArgumentException("a lake cannot mirror into its own directory: " + root);
    }
    this.state = Files.createDirectories(this.root.resolve(STATE_DIR));
    this.manifest = state.resolve("manifest.tsv");
  }

  /** What one {@link #refresh} did. */
  public record Result(int downloaded, int removed, int files, long bytesDownloaded) {}

  /** The mirror directory, laid out like the lake ({@code <table>/date=…/<file>.parquet}). */
  public Path root() {
    return root;
  }

  /** The source this mirrors. */
  public LakeStore source() {
    return source;
  }

  /**
   * Brings the files under each of {@code prefixes} (e.g. {@code calls/}) up to date with the
   * source.
   *
   * @return counts of files downloaded, removed and now mirrored under the prefixes
   */
  public synchronized Result refresh(Collection<String> prefixes) throws IOException {
    Map<String, StoredFile> mirrored = readManifest();
    int downloaded = 0;
    int removed = 0;
    int files = 0;
    long bytes = 0;
    try {
      for (String prefix : prefixes) {
        List<StoredFile> current = source.listFiles(prefix);
        Map<String, StoredFile> byKey = new HashMap<>();
        for (StoredFile f : current) {
          byKey.put(f.key(), f);
        }
        // Removals first: a compacted file's replacement is already in `current`.
        for (String key : List.copyOf(mirrored.keySet())) {
          if (key.startsWith(prefix) && !byKey.containsKey(key)) {
            Files.deleteIfExists(localPath(key));
            mirrored.remove(key);
            removed++;
          }
        }
        for (StoredFile f : current) {
          Path local = localPath(f.key());
          if (f.equals(mirrored.get(f.key())) && isFileOfSize(local, f.size())) {
            files++;
            continue;
          }
          if (fetch(f, local)) {
            mirrored.put(f.key(), f);
            downloaded++;
            bytes += f.size();
            files++;
          }
        }
      }
    } finally {
      writeManifest(mirrored);
    }
    return new Result(downloaded, removed, files, bytes);
  }

  /** Downloads {@code f}; false if it vanished since it was listed (compacted away). */
  private boolean fetch(StoredFile f, Path local) throws IOException {
    Path tmp = state.resolve(UUID.randomUUID() + ".part");
    try {
      source.download(f.key(), tmp);
      Files.createDirectories(local.getParent());
      Files.move(tmp, local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (NoSuchFileException gone) {
      return false;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private Path localPath(String key) {
    Path p = root.resolve(LakeKeys.requireValidKey(key)).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException("lake key escapes the mirror root: " + key);
    }
    return p;
  }

  private static boolean isFileOfSize(Path p, long size) throws IOException {
    return Files.isRegularFile(p) && Files.size(p) == size;
  }

  private Map<String, StoredFile> readManifest() throws IOException {
    Map<String, StoredFile> out = new TreeMap<>();
    if (!Files.exists(manifest)) {
      return out;
    }
    for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
      String[] parts = line.split("\t", -1);
      if (parts.length != 3) {
        continue; // a damaged line only costs a download
      }
      try {
        out.put(parts[0], new StoredFile(parts[0], Long.parseLong(parts[1]), parts[2]));
      } catch (IllegalArgumentException e) {
        // same: the file is downloaded again
      }
    }
    return out;
  }

  private void writeManifest(Map<String, StoredFile> mirrored) throws IOException {
    Path tmp = state.resolve("manifest." + UUID.randomUUID() + ".tmp");
    try {
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        for (StoredFile f : mirrored.values()) {
          w.write(f.key() + "\t" + f.size() + "\t" + f.tag() + "\n");
        }
      }
      Files.move(tmp, manifest, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
