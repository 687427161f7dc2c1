package io.flowcost.collector.cli;

import io.flowcost.collector.SafeText;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One log line per event on stderr: time, level, component, message. Every message goes through
 * {@link SafeText#escape}, so no text in it (request-derived or from a library's exception) can
 * break the line or send control sequences to a terminal.
 */
final class LogSetup {

  private LogSetup() {}

  private static final List<Logger> LIBRARIES = new ArrayList<>();

  static void install() {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(new Formatter() {
      @Override
      public String format(LogRecord r) {
        String name = r.getLoggerName() == null ? "" : r.getLoggerName();
        name = name.substring(name.lastIndexOf('.') + 1);
        return String.format("%1$tFT%1$tT.%1$tLZ %2$-7s %3$s: %4$s%n",
            r.getInstant().atZone(java.time.ZoneOffset.UTC), r.getLevel().getName(), name,
            SafeText.escape(formatMessage(r)));
      }
    });
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    root.setLevel(Level.INFO);
    // Libraries speak only when something is wrong; their loggers are held here because
    // java.util.logging keeps loggers weakly and a collected one forgets its level.
    for (String library : List.of("io.netty", "io.vertx", "org.apache.parquet",
        "org.apache.hadoop", "io.minio", "okhttp3", "org.duckdb")) {
      Logger logger = Logger.getLogger(library);
      logger.setLevel(Level.WARNING);
      LIBRARIES.add(logger);
    }
  }
}
