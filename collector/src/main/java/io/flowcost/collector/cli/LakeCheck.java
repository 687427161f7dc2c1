package io.flowcost.collector.cli;

import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.collector.status.CollectorStatus;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Tells a local directory that is a Flowcost lake from one that is not (a typo, a file, the
 * collector's data dir, an empty directory), so that {@code report}, {@code rollup} and
 * {@code compact} refuse the wrong path with a message saying what they expected instead of
 * printing an empty table or creating the directory.
 */
final class LakeCheck {

  /** What a local lake path holds. */
  enum State {
    /** At least one lake table directory. */
    LAKE,
    /** The path does not exist. */
    MISSING,
    /** The path is a file. */
    FILE,
    /** The path is a collector's data dir. */
    DATA_DIR,
    /** An empty directory, or one holding only the collector's staging directory. */
    EMPTY,
    /** A directory with other content and no lake table. */
    OTHER
  }

  static final String EXPECTED = "a Flowcost lake is the directory given to the collector's"
      + " --lake (default ./flowcost-lake); it holds one directory per table: "
      + String.join("/, ", LakeViews.TABLES) + "/";

  private LakeCheck() {}

  static State state(Path root) {
    if (!Files.exists(root)) {
      return State.MISSING;
    }
    if (!Files.isDirectory(root)) {
      return State.FILE;
    }
    if (Files.exists(root.resolve(CollectorStatus.LAKE_ID)) || Files.isDirectory(root.resolve("wal"))) {
      return State.DATA_DIR;
    }
    for (String table : LakeViews.TABLES) {
      if (Files.isDirectory(root.resolve(table))) {
        return State.LAKE;
      }
    }
    try (Stream<Path> entries = Files.list(root)) {
      List<String> names = entries.map(p -> p.getFileName().toString()).toList();
      return names.stream().allMatch(LocalDirectoryStore.STAGING_DIR::equals)
          ? State.EMPTY : State.OTHER;
    } catch (IOException e) {
      return State.OTHER;
    }
  }

  /** Why {@code root} is not a lake, naming what was expected; {@code null} when it is one. */
  static String problem(Path root) {
    return switch (state(root)) {
      case LAKE -> null;
      case MISSING -> "no Flowcost lake at " + root + ": the directory does not exist; " + EXPECTED;
      case FILE -> root + " is a file, not a Flowcost lake; " + EXPECTED;
      case DATA_DIR -> root + " is a collector's data dir (--data-dir: write-ahead log), not its"
          + " lake" + CollectorStatus.lakeOf(root).map(l -> "; its lake is " + l
              + ": pass --lake " + l).orElse("") + "; " + EXPECTED;
      case EMPTY -> "no Flowcost lake at " + root + " yet: the directory holds no table; either no"
          + " collector has flushed to it yet (rows are written every --flush-interval, default"
          + " 60s, and when the collector stops) or it is not the collector's --lake; " + EXPECTED;
      case OTHER -> root + " is not a Flowcost lake: it holds none of the lake's tables; "
          + EXPECTED;
    };
  }
}
