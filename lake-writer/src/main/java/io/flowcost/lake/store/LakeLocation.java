package io.flowcost.lake.store;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where an object-storage lake lives: {@code s3://bucket[/prefix]}. The prefix never starts or
 * ends with {@code /}; an empty prefix means the bucket's root.
 *
 * @param bucket the bucket name (S3 naming rules: 3–63 lower-case letters, digits, {@code .} and
 *     {@code -})
 * @param prefix the key prefix under which the lake's tables live, without slashes at either end
 */
public record LakeLocation(String bucket, String prefix) {

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  /** Validates and normalizes the components. */
  public LakeLocation {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(prefix, "prefix");
    if (!BUCKET.matcher(bucket).matches()) {
      throw new IllegalArgumentException("not a valid S3 bucket name: " + bucket);
    }
    prefix = strip(prefix);
    if (!prefix.isEmpty()) {
      LakeKeys.requireValidKey(prefix);
    }
  }

  /** Whether {@code uri} names an object-storage lake ({@code s3://…}). */
  public static boolean isS3(String uri) {
    return uri != null && uri.startsWith("s3://");
  }

  /**
   * Parses {@code s3://bucket[/prefix][/]}.
   *
   * @throws IllegalArgumentException if {@code uri} is not of that form
   */
  public static LakeLocation parse(String uri) {
    if (!isS3(uri)) {
      throw new IllegalArgumentException("an object-storage lake is s3://bucket/prefix: " + uri);
    }
    String rest = uri.substring("s3://".length());
    int slash = rest.indexOf('/');
    return slash < 0
        ? new LakeLocation(rest, "")
        : new LakeLocation(rest.substring(0, slash), rest.substring(slash + 1));
  }

  /** The object key of the lake key {@code key}. */
  public String objectKey(String key) {
    return prefix.isEmpty() ? key : prefix + "/" + key;
  }

  /** The lake key of object key {@code objectKey}, which must lie under the prefix. */
  String lakeKey(String objectKey) {
    return prefix.isEmpty() ? objectKey : objectKey.substring(prefix.length() + 1);
  }

  /** {@code s3://bucket/prefix}. */
  @Override
  public String toString() {
    return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }

  private static String strip(String p) {
    int start = 0;
    int end = p.length();
    while (start < end && p.charAt(start) == '/') {
      start++;
    }
    while (end > start && p.charAt(end - 1) == '/') {
      end--;
    }
    return p.substring(start, end);
  }
}
