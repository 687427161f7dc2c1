package io.flowcost.lake.store;

import java.util.Objects;

/** Validation of {@link LakeStore} keys, shared by implementations. */
public final class LakeKeys {

  private LakeKeys() {}

  /**
   * Returns {@code key} if it is a valid file key.
   *
   * @throws IllegalArgumentException describing the problem otherwise
   */
  public static String requireValidKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
      throw new IllegalArgumentException("lake key must be a relative file path: " + key);
    }
    if (key.startsWith("_")) {
      throw new IllegalArgumentException("lake keys starting with '_' are reserved: " + key);
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("lake key has an empty, '.' or '..' segment: " + key);
      }
      if (segment.indexOf('\\') >= 0 || segment.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("lake key has a backslash or NUL: " + key);
      }
    }
    return key;
  }
}
