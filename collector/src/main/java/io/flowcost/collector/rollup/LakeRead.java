package io.flowcost.collector.rollup;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read of the lake's views that a concurrent {@code compact} can cut short, retried with a
 * fresh listing.
 *
 * <p>Why: the views list the lake's files when they are installed ({@link LakeViews}), and
 * {@code compact} publishes a day's merged file and then deletes the files it merged. A file
 * listed and deleted before DuckDB opens it fails the query ("No such file or directory"); the
 * lake is fine, only the listing is old. A new connection lists the lake as it is then, where the
 * merged file holds the same rows. So such a read is run again from the listing, at most {@link
 * #ATTEMPTS} times in all, and then fails with {@link LakeChangedException}, which names the
 * cause and the fix; any other error is thrown as it is, at once.
 */
public final class LakeRead {

  /** Attempts in all, the first included. */
  public static final int ATTEMPTS = 3;

  private static final Logger LOG = Logger.getLogger(LakeRead.class.getName());

  /** DuckDB's messages for a file it was told to read and cannot find, with the path quoted. */
  private static final Pattern MISSING = Pattern.compile(
      "(?:Cannot open file|No files found that match the pattern|No such file)"
          + "(?:[^\"']*[\"']([^\"']+)[\"'])?");

  private LakeRead() {}

  /** A read from a fresh listing: opens its own connection and installs the views. */
  @FunctionalInterface
  public interface Read<T> {
    T read() throws SQLException, IOException;
  }

  /**
   * The lake changed under a read {@link #ATTEMPTS} times in a row: files it listed were deleted
   * before they were read (by a compaction, as a rule).
   */
  public static final class LakeChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    LakeChangedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Runs {@code read}, and again (from a fresh listing) when it failed because a file it listed
   * was gone.
   *
   * @param lake the lake's local directory, for the message
   * @throws LakeChangedException when every attempt found a listed file gone
   */
  public static <T> T retrying(Path lake, Read<T> read) throws SQLException, IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return read.read();
      } catch (SQLException | IOException e) {
        Optional<String> missing = missingFile(e, lake);
        if (missing.isEmpty()) {
          throw e;
        }
        if (attempt >= ATTEMPTS) {
          throw new LakeChangedException("the lake at " + lake + " changed while it was read, "
              + ATTEMPTS + " times in a row: " + missing.get() + " was listed and then deleted"
              + " before it could be read. A 'compact' on this lake deletes the files it merges;"
              + " run this again once it is done (or run 'compact' apart from 'report' and"
              + " 'rollup'). Nothing in the lake is lost: the merged files hold the same rows.",
              e);
        }
        LOG.info("a lake file was deleted while it was read (" + missing.get() + "; a"
            + " compaction, as a rule): reading again from a fresh listing (attempt "
            + (attempt + 1) + " of " + ATTEMPTS + ")");
      }
    }
  }

  /**
   * The file of {@code lake} a failure says was missing, or empty when the failure is anything
   * else (a file outside the lake, a scratch directory, is not the listing's fault).
   */
  static Optional<String> missingFile(Throwable failure, Path lake) {
    String root = lake.toAbsolutePath().normalize().toString();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String file = null;
      if (t instanceof NoSuchFileException gone) {
        file = gone.getFile();
      } else if (t instanceof SQLException && t.getMessage() != null) {
        Matcher m = MISSING.matcher(t.getMessage());
        if (m.find()) {
          file = m.group(1);
        }
      }
      if (file != null && Path.of(file).toAbsolutePath().normalize().startsWith(root)) {
        return Optional.of(file);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Optional.empty();
  }
}
