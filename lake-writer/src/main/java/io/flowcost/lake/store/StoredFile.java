package io.flowcost.lake.store;

import java.util.Objects;

/**
 * A published lake file as listed by {@link LakeStore#listFiles}.
 *
 * @param key the file's key
 * @param size its length in bytes
 * @param tag an opaque version tag (the S3 ETag, or size and modification time for a local file);
 *     a file with the same key, size and tag has the same content, since files are immutable
 */
public record StoredFile(String key, long size, String tag) {

  /** Validates the components. */
  public StoredFile {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(tag, "tag");
    if (size < 0) {
      throw new IllegalArgumentException("negative size for " + key);
    }
  }
}
