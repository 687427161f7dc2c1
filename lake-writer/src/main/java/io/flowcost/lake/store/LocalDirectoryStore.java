package io.flowcost.lake.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A {@link LakeStore} on a local (or mounted) directory.
 *
 * <p>{@link #publish} copies into {@code <root>/_tmp/}, which is on the same file system as the
 * destination, forces the bytes to disk, then renames with {@code ATOMIC_MOVE}, so a reader listing
 * the table directory sees the file whole or not at all — also after a crash. Readers (DuckDB,
 * Spark, Hive) skip {@code _}-prefixed directories, and so does {@link #list}.
 */
public final class LocalDirectoryStore implements LakeStore {

  /** Staging directory under the root, on the same file system so that the rename is atomic. */
  public static final String STAGING_DIR = "_tmp";

  private final Path root;
  private final Path staging;

  /** A store rooted at {@code root}; the directory (and its staging directory) are created. */
  public LocalDirectoryStore(Path root) throws IOException {
    this.root = Files.createDirectories(Objects.requireNonNull(root, "root")).toRealPath();
    this.staging = Files.createDirectories(this.root.resolve(STAGING_DIR));
  }

  /** The root directory (absolute, symbolic links resolved). */
  public Path root() {
    return root;
  }

  /** The local path of {@code key}; the file exists only once published. */
  public Path pathOf(String key) {
    Path p = root.resolve(LakeKeys.requireValidKey(key)).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException("lake key escapes the store root: " + key);
    }
    return p;
  }

  @Override
  public void publish(String relativeKey, Path localFile) throws IOException {
    Path target = pathOf(relativeKey);
    if (Files.exists(target)) {
      throw new FileAlreadyExistsException(relativeKey);
    }
    Path tmp = staging.resolve(UUID.randomUUID() + ".tmp");
    try {
      Files.copy(localFile, tmp);
      DurableFiles.sync(tmp);
      Path dir = Files.createDirectories(target.getParent());
      // Files are immutable and keys unique by construction, so a rename racing another
      // publisher of the same key cannot happen in practice; the exists() check above is a guard.
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      DurableFiles.syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public List<StoredFile> listFiles(String prefix) throws IOException {
    Objects.requireNonNull(prefix, "prefix");
    // Walk only the deepest directory the prefix names completely.
    int slash = prefix.lastIndexOf('/');
    Path start = root;
    if (slash > 0) {
      String dirPart = prefix.substring(0, slash);
      if (!dirPart.startsWith("_")) {
        try {
          start = pathOf(dirPart);
        } catch (IllegalArgumentException e) {
          return List.of(); // such a prefix cannot match a valid key
        }
      }
    }
    if (!Files.isDirectory(start)) {
      return List.of();
    }
    List<StoredFile> files = new ArrayList<>();
    Files.walkFileTree(start, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        // Skip staging and any other bookkeeping directory, as lake readers do.
        return !dir.equals(root) && dir.getFileName().toString().startsWith("_")
            ? FileVisitResult.SKIP_SUBTREE
            : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          String key = keyOf(file);
          if (key.startsWith(prefix)) {
            files.add(new StoredFile(key, attrs.size(),
                attrs.size() + "-" + attrs.lastModifiedTime().toMillis()));
          }
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE; // removed while we walked
        }
        throw e;
      }
    });
    files.sort(Comparator.comparing(StoredFile::key));
    return files;
  }

  @Override
  public InputStream open(String key) throws IOException {
    Path p = pathOf(key);
    if (!Files.isRegularFile(p)) {
      throw new NoSuchFileException(key);
    }
    return Files.newInputStream(p);
  }

  @Override
  public void download(String key, Path target) throws IOException {
    Path p = pathOf(key);
    if (!Files.isRegularFile(p)) {
      throw new NoSuchFileException(key);
    }
    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void delete(String key) throws IOException {
    Path p = pathOf(key);
    if (Files.deleteIfExists(p)) {
      DurableFiles.syncDirectory(p.getParent());
    }
  }

  @Override
  public String describe() {
    return root.toUri().toString();
  }

  @Override
  public String toString() {
    return "LocalDirectoryStore{" + describe() + "}";
  }

  private String keyOf(Path file) {
    Path rel = root.relativize(file);
    StringBuilder key = new StringBuilder();
    for (Path segment : rel) {
      if (key.length() > 0) {
        key.append('/');
      }
      key.append(segment);
    }
    return key.toString();
  }
}
