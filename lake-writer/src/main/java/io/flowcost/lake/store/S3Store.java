package io.flowcost.lake.store;

import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import okhttp3.OkHttpClient;

/**
 * A {@link LakeStore} on S3-compatible object storage (AWS S3, MinIO, …), through the MinIO Java
 * client with path-style addressing.
 *
 * <p>{@link #publish} uploads the finished local file with its length known up front: a single
 * PUT, or for large files a multipart upload that becomes visible only when it is completed, so a
 * reader sees the object whole or not at all. The PUT carries {@code If-None-Match: *}, so an
 * existing key is never overwritten.
 *
 * <p>Keys map to objects {@code <prefix>/<key>}. Failures are reported as {@link IOException}s
 * whose message says what to fix (credentials, endpoint, bucket) and never contains a secret.
 *
 * <p>Thread-safe. {@link #close()} releases the HTTP client's connections and threads.
 */
public final class S3Store implements LakeStore, AutoCloseable {

  /** Region used when none is configured; MinIO accepts any. */
  public static final String DEFAULT_REGION = "us-east-1";

  private static final String CREDENTIALS_HINT =
      "S3 rejected the credentials: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY";

  private final MinioClient client;
  private final OkHttpClient http;
  private final String endpoint;
  private final LakeLocation location;
  private final String region;

  private S3Store(Builder b, OkHttpClient http) {
    this.http = http;
    this.endpoint = b.endpoint;
    this.location = b.location;
    this.region = b.region;
    this.client = MinioClient.builder()
        .endpoint(b.endpoint)
        .region(b.region)
        .credentials(b.accessKey, b.secretKey)
        .httpClient(http)
        .build();
  }

  /**
   * Starts configuring a store for the lake at {@code location} behind {@code endpoint} (an
   * {@code http://} or {@code https://} URL such as {@code http://127.0.0.1:9000}).
   */
  public static Builder builder(String endpoint, LakeLocation location) {
    return new Builder(endpoint, location);
  }

  /** The bucket and prefix this store writes under. */
  public LakeLocation location() {
    return location;
  }

  /** The endpoint URL. */
  public String endpoint() {
    return endpoint;
  }

  @Override
  public void publish(String relativeKey, Path localFile) throws IOException {
    String object = location.objectKey(LakeKeys.requireValidKey(relativeKey));
    long size = Files.size(localFile);
    try (InputStream in = Files.newInputStream(localFile)) {
      upload(relativeKey, object, in, size);
    }
  }

  /**
   * Uploads {@code size} bytes of {@code in}; if the stream ends early or fails, the upload is
   * abandoned and nothing becomes visible. Package-private so that tests can inject that failure.
   */
  void upload(String relativeKey, String object, InputStream in, long size) throws IOException {
    // A cheap guard for multipart uploads, whose completion does not carry If-None-Match.
    if (exists(object)) {
      throw new FileAlreadyExistsException(relativeKey);
    }
    try {
      client.putObject(PutObjectArgs.builder()
          .bucket(location.bucket())
          .object(object)
          .stream(in, size, -1)
          .contentType("application/vnd.apache.parquet")
          .extraHeaders(Map.of("If-None-Match", "*"))
          .build());
    } catch (Exception e) {
      throw translate(e, "upload", relativeKey);
    }
  }

  @Override
  public List<StoredFile> listFiles(String prefix) throws IOException {
    Objects.requireNonNull(prefix, "prefix");
    String objectPrefix = location.prefix().isEmpty() ? prefix : location.prefix() + "/" + prefix;
    List<StoredFile> files = new ArrayList<>();
    try {
      for (Result<Item> result : client.listObjects(ListObjectsArgs.builder()
          .bucket(location.bucket())
          .prefix(objectPrefix)
          .recursive(true)
          .build())) {
        Item item = result.get();
        if (item.isDir() || item.objectName().endsWith("/")) {
          continue;
        }
        String key = location.lakeKey(item.objectName());
        if (!isBookkeeping(key)) {
          files.add(new StoredFile(key, item.size(), stripQuotes(item.etag())));
        }
      }
    } catch (Exception e) {
      throw translate(e, "list", prefix);
    }
    files.sort(Comparator.comparing(StoredFile::key));
    return files;
  }

  @Override
  public InputStream open(String key) throws IOException {
    String object = location.objectKey(LakeKeys.requireValidKey(key));
    try {
      return client.getObject(
          GetObjectArgs.builder().bucket(location.bucket()).object(object).build());
    } catch (Exception e) {
      throw translate(e, "read", key);
    }
  }

  @Override
  public void download(String key, Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    // Download next to the target and rename, so the target is never seen half-written.
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
    try {
      try (InputStream in = open(key)) {
        try {
          Files.copy(in, tmp);
        } catch (IOException e) {
          throw translate(e, "download", key); // the connection broke mid-transfer
        }
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public void delete(String key) throws IOException {
    String object = location.objectKey(LakeKeys.requireValidKey(key));
    try {
      client.removeObject(
          RemoveObjectArgs.builder().bucket(location.bucket()).object(object).build());
    } catch (Exception e) {
      throw translate(e, "delete", key);
    }
  }

  @Override
  public String describe() {
    return location + " @ " + endpoint;
  }

  @Override
  public String toString() {
    return "S3Store{" + describe() + "}";
  }

  /** Releases the HTTP client's connection pool and dispatcher threads. */
  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  private boolean exists(String object) throws IOException {
    try {
      client.statObject(StatObjectArgs.builder().bucket(location.bucket()).object(object).build());
      return true;
    } catch (ErrorResponseException e) {
      String code = e.errorResponse().code();
      if ("NoSuchKey".equals(code) || "NoSuchObject".equals(code)) {
        return false;
      }
      throw translate(e, "check", object);
    } catch (Exception e) {
      throw translate(e, "check", object);
    }
  }

  /** Checks that the bucket is reachable with these credentials; creates it if allowed. */
  private void verifyBucket(boolean create) throws IOException {
    try {
      // A GET (not HEAD) so that S3 answers with an error code that says what is wrong.
      for (Result<Item> r : client.listObjects(ListObjectsArgs.builder()
          .bucket(location.bucket()).maxKeys(1).prefix(location.prefix()).build())) {
        r.get();
        break;
      }
    } catch (ErrorResponseException e) {
      if (!"NoSuchBucket".equals(e.errorResponse().code())) {
        throw translate(e, "open", "");
      }
      if (!create) {
        throw new IOException("S3 bucket " + location.bucket() + " does not exist at " + endpoint
            + " and creating it is not allowed: create it, or allow creation", e);
      }
      try {
        client.makeBucket(
            MakeBucketArgs.builder().bucket(location.bucket()).region(region).build());
      } catch (ErrorResponseException race) {
        String code = race.errorResponse().code();
        if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
          throw translate(race, "create bucket", "");
        }
      } catch (Exception other) {
        throw translate(other, "create bucket", "");
      }
    } catch (Exception e) {
      throw translate(e, "open", "");
    }
  }

  /** An exception that says what to fix; the S3 error code is kept, its free text is not. */
  private IOException translate(Exception e, String operation, String key) {
    if (e instanceof ErrorResponseException ere) {
      String code = ere.errorResponse().code();
      return switch (code == null ? "" : code) {
        case "InvalidAccessKeyId", "SignatureDoesNotMatch" -> new IOException(
            CREDENTIALS_HINT + " (" + code + " from " + endpoint + ")", e);
        case "AccessDenied" -> new IOException("S3 denied " + operation + " on " + location
            + " (AccessDenied): check the access key's permissions on the bucket", e);
        case "NoSuchBucket" -> new IOException(
            "S3 bucket " + location.bucket() + " does not exist at " + endpoint, e);
        case "NoSuchKey", "NoSuchObject" -> withCause(new NoSuchFileException(key), e);
        case "PreconditionFailed" -> withCause(new FileAlreadyExistsException(key), e);
        default -> new IOException(
            "S3 " + operation + " of " + describe(key) + " failed: " + code, e);
      };
    }
    if (isUnreachable(e)) {
      return new IOException("cannot reach S3 endpoint " + endpoint + ": "
          + e.getClass().getSimpleName() + "; is MinIO running?", e);
    }
    if (e instanceof ServerException se) {
      return new IOException("S3 " + operation + " of " + describe(key)
          + " failed: server error HTTP " + se.statusCode(), e);
    }
    if (e instanceof InvalidResponseException) {
      return new IOException("S3 endpoint " + endpoint + " did not answer like S3 during "
          + operation + "; is it the right URL?", e);
    }
    if (e instanceof IOException io) {
      return io;
    }
    return new IOException("S3 " + operation + " of " + describe(key) + " failed: "
        + e.getClass().getSimpleName(), e);
  }

  private String describe(String key) {
    return key.isEmpty() ? location.toString() : location.objectKey(key);
  }

  private static boolean isUnreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException || t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static <T extends IOException> T withCause(T e, Throwable cause) {
    e.initCause(cause);
    return e;
  }

  /** Keys with an {@code _}-prefixed segment are bookkeeping, skipped as local readers do. */
  private static boolean isBookkeeping(String key) {
    return key.startsWith("_") || key.contains("/_");
  }

  private static String stripQuotes(String etag) {
    if (etag == null) {
      return "";
    }
    return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
        ? etag.substring(1, etag.length() - 1) : etag;
  }

  /** Configures an {@link S3Store}. */
  public static final class Builder {
    private final String endpoint;
    private final LakeLocation location;
    private String accessKey;
    private String secretKey;
    private String region = DEFAULT_REGION;
    private boolean createBucket = true;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration ioTimeout = Duration.ofSeconds(60);

    private Builder(String endpoint, LakeLocation location) {
      Objects.requireNonNull(endpoint, "endpoint");
      URI uri;
      try {
        uri = URI.create(endpoint);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a valid S3 endpoint URL: " + endpoint);
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
          || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "S3 endpoint must be an http:// or https:// URL, e.g. http://127.0.0.1:9000: "
                + endpoint);
      }
      this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1)
          : endpoint;
      this.location = Objects.requireNonNull(location, "location");
    }

    /** The access key pair; required. */
    public Builder credentials(String accessKey, String secretKey) {
      this.accessKey = accessKey;
      this.secretKey = secretKey;
      return this;
    }

    /**
     * Takes the credentials from {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} and
     * the region from {@code AWS_REGION} (default {@value #DEFAULT_REGION}) in {@code env}.
     */
    public Builder fromEnvironment(Map<String, String> env) {
      credentials(env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"));
      String r = env.get("AWS_REGION");
      if (r != null && !r.isBlank()) {
        region(r);
      }
      return this;
    }

    /** The signing region; default {@value #DEFAULT_REGION}. */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /** Whether {@link #build()} may create a missing bucket; default true. */
    public Builder createBucket(boolean createBucket) {
      this.createBucket = createBucket;
      return this;
    }

    /** How long to wait for a TCP connection; default 5 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** How long a read or write on an open connection may stall; default 60 s. */
    public Builder ioTimeout(Duration timeout) {
      this.ioTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Builds the store and checks, with one request, that the bucket is reachable with these
     * credentials, creating it if it is missing and that is allowed.
     *
     * @throws IOException saying what to fix: credentials, endpoint or bucket
     */
    public S3Store build() throws IOException {
      if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
        throw new IllegalArgumentException(
            "S3 credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
      }
      OkHttpClient http = new OkHttpClient.Builder()
          .connectTimeout(connectTimeout)
          .readTimeout(ioTimeout)
          .writeTimeout(ioTimeout)
          .build();
      S3Store store = new S3Store(this, http);
      try {
        store.verifyBucket(createBucket);
        return store;
      } catch (IOException | RuntimeException e) {
        store.close();
        throw e;
      }
    }
  }
}
