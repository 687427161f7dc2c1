package io.flowcost.lake.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Where lake files live: a local directory ({@link LocalDirectoryStore}) or S3-compatible object
 * storage ({@link S3Store}).
 *
 * <p>Keys are relative, {@code /}-separated paths such as {@code
 * calls/date=2026-11-24/1764000000000-c1-000001.parquet}; they never start with {@code /}, never
 * contain {@code .} or {@code ..} segments, and never start with {@code _} (reserved for the
 * store's own bookkeeping, which readers skip). Files are immutable once published.
 *
 * <p>Implementations are thread-safe.
 */
public interface LakeStore {

  /**
   * Publishes the content of {@code localFile} under {@code relativeKey}, atomically: readers see
   * either the whole file or nothing, never a partial one. {@code localFile} is left in place.
   *
   * @throws IOException if publishing failed; then nothing is visible under the key
   * @throws java.nio.file.FileAlreadyExistsException if the key already exists
   * @throws IllegalArgumentException if the key is not valid
   */
  void publish(String relativeKey, Path localFile) throws IOException;

  /**
   * The keys of published files that start with {@code prefix} (plain string prefix, as in S3;
   * {@code ""} lists everything), in lexicographic order.
   */
  default List<String> list(String prefix) throws IOException {
    return listFiles(prefix).stream().map(StoredFile::key).toList();
  }

  /**
   * Like {@link #list}, with each file's size and a version tag, so that a copy of the file can
   * tell whether it is still current.
   */
  List<StoredFile> listFiles(String prefix) throws IOException;

  /**
   * Opens a published file for reading.
   *
   * @throws java.nio.file.NoSuchFileException if there is no such key
   */
  InputStream open(String key) throws IOException;

  /**
   * Copies a published file to {@code target}, replacing it.
   *
   * @throws java.nio.file.NoSuchFileException if there is no such key
   */
  void download(String key, Path target) throws IOException;

  /**
   * Removes a published file; removing a key that does not exist is not an error. Used by
   * compaction, after the merged replacement is published.
   *
   * @throws IllegalArgumentException if the key is not valid
   */
  void delete(String key) throws IOException;

  /** A short description for logs, e.g. {@code file:/var/lib/flowcost/lake}; never a secret. */
  String describe();
}
