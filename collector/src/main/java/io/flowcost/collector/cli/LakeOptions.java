package io.flowcost.collector.cli;

import io.flowcost.lake.store.LakeStore;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --lake} options shared by every sub-command. */
final class LakeOptions {

  @Option(names = "--lake", paramLabel = "DIR|s3://BUCKET/PREFIX", defaultValue = "./flowcost-lake",
      description = "Where the Parquet lake lives: a local directory, or s3://bucket/prefix with"
          + " --s3-endpoint (default: ${DEFAULT-VALUE}).")
  String lake;

  @Option(names = "--s3-endpoint", paramLabel = "URL",
      description = "S3-compatible endpoint for an s3:// lake, e.g. http://127.0.0.1:9000 (MinIO);"
          + " credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
  String s3Endpoint;

  boolean isS3() {
    return lake.startsWith("s3://");
  }

  LakeStore store() throws IOException {
    if (isS3()) {
      throw new IllegalArgumentException("s3:// lakes are not supported by this build yet;"
          + " use --lake DIR (a local directory)");
    }
    return new LocalDirectoryStore(localRoot());
  }

  /** A local directory DuckDB can read the lake from. */
  Path localRoot() {
    return Path.of(lake).toAbsolutePath().normalize();
  }
}
