package io.flowcost.collector.cli;

import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.lake.store.LakeLocation;
import io.flowcost.lake.store.LakeMirror;
import io.flowcost.lake.store.LakeStore;
import io.flowcost.lake.store.LocalDirectoryStore;
import io.flowcost.lake.store.S3Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import picocli.CommandLine.Option;

/** The {@code --lake} options shared by every sub-command. */
final class LakeOptions {

  @Option(names = "--lake", paramLabel = "DIR|s3://BUCKET/PREFIX", defaultValue = "./flowcost-lake",
      description = "Where the Parquet lake lives: a local directory, or s3://bucket/prefix with"
          + " --s3-endpoint (default: ${DEFAULT-VALUE}).")
  String lake;

  @Option(names = "--s3-endpoint", paramLabel = "URL",
      description = "S3-compatible endpoint for an s3:// lake, e.g. http://127.0.0.1:9000 (MinIO);"
          + " default: AWS S3 in AWS_REGION. Credentials come from AWS_ACCESS_KEY_ID and"
          + " AWS_SECRET_ACCESS_KEY, the region from AWS_REGION (default us-east-1).")
  String s3Endpoint;

  @Option(names = "--lake-mirror", paramLabel = "DIR",
      description = "Local copy of an s3:// lake that DuckDB reads (refreshed incrementally before"
          + " each report or rollup); default: a directory per lake under java.io.tmpdir.")
  Path mirror;

  private LakeStore store;

  boolean isS3() {
    return LakeLocation.isS3(lake);
  }

  /** The lake's store, built once: a local directory, or S3 (checked and its bucket created). */
  synchronized LakeStore store() throws IOException {
    if (store == null) {
      store = isS3()
          ? S3Store.builder(endpoint(), LakeLocation.parse(lake))
              .fromEnvironment(System.getenv())
              .build()
          : new LocalDirectoryStore(localRoot());
    }
    return store;
  }

  /**
   * A local directory DuckDB can read the lake from: the lake itself, or for an s3:// lake its
   * local mirror (see {@link #refreshMirror()}).
   */
  Path localRoot() {
    if (isS3()) {
      if (mirror != null) {
        return mirror.toAbsolutePath().normalize();
      }
      // One mirror per lake and endpoint, stable across runs so that refreshes are incremental.
      String id = UUID.nameUUIDFromBytes((lake + " @ " + endpoint())
          .getBytes(StandardCharsets.UTF_8)).toString().substring(0, 8);
      return Path.of(System.getProperty("java.io.tmpdir"), "flowcost-lake-mirror",
          LakeLocation.parse(lake).bucket() + "-" + id);
    }
    return Path.of(lake).toAbsolutePath().normalize();
  }

  /**
   * Why the local lake path is not a Flowcost lake (saying what was expected), or {@code null}
   * when it is one or is an s3:// lake (whose store checks its bucket).
   */
  String notALake() {
    return isS3() ? null : LakeCheck.problem(localRoot());
  }

  /**
   * Prints why {@code --lake} is not a lake on {@code cmd}'s error stream and returns true, or
   * returns false when it is one. Call before {@link #store()}, which creates a local directory.
   */
  boolean refuse(picocli.CommandLine cmd) {
    String problem = notALake();
    if (problem == null) {
      return false;
    }
    cmd.getErr().println("flowcost-collector " + cmd.getCommandName() + ": " + problem);
    cmd.getErr().flush();
    return true;
  }

  /**
   * The name a maintenance command ({@code compact}, {@code rollup}, {@code reprice}) writes its
   * lake files under: {@code <command>-} and 8 random hex digits, so that two runs, or a run and
   * a collector, never write files of the same name.
   */
  static String writerId(String command) {
    return command + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** For an s3:// lake, brings the local mirror of every table the views read up to date. */
  void refreshMirror() throws IOException {
    if (isS3()) {
      new LakeMirror(store(), localRoot())
          .refresh(LakeViews.mirroredPrefixes());
    }
  }

  private String endpoint() {
    if (s3Endpoint != null && !s3Endpoint.isBlank()) {
      return s3Endpoint;
    }
    String region = System.getenv("AWS_REGION");
    return "https://s3." + (region == null || region.isBlank() ? S3Store.DEFAULT_REGION : region)
        + ".amazonaws.com";
  }
}
