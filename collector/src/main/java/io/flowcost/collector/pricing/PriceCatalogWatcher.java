package io.flowcost.collector.pricing;

import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.CatalogException;
import io.flowcost.pricing.PriceCatalog;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps a {@code --prices} file laid over a base catalog, reloading it when it changes.
 *
 * <p>The file is polled (modification time and size), which works on every file system,
 * including bind mounts where {@code WatchService} misses events. A reload that fails keeps the
 * previous catalog and logs the problem (file, line, what is wrong) at WARNING. The first load
 * happens in the constructor and throws, so a broken file stops the collector at start-up.
 */
public final class PriceCatalogWatcher implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(PriceCatalogWatcher.class.getName());

  private final Path file;
  private final PriceCatalog base;
  private final AtomicReference<CallPricer> current = new AtomicReference<>();
  private volatile Stamp loaded;
  private ScheduledExecutorService scheduler;

  /**
   * Loads {@code file} over {@code base}.
   *
   * @throws CatalogException if the file cannot be read or parsed
   */
  public PriceCatalogWatcher(Path file, PriceCatalog base) {
    this.file = Objects.requireNonNull(file, "file");
    this.base = Objects.requireNonNull(base, "base");
    Stamp stamp = stamp();
    current.set(new CallPricer(PriceCatalog.merged(base, PriceCatalog.load(file))));
    loaded = stamp;
  }

  /** The catalog in effect now. */
  public PriceCatalog catalog() {
    return current.get().catalog();
  }

  /** A pricer over the catalog in effect now. */
  public CallPricer pricer() {
    return current.get();
  }

  /**
   * Reloads the file if its modification time or size changed since the last attempt.
   *
   * @return true when a new catalog was installed
   */
  public synchronized boolean checkNow() {
    Stamp stamp = stamp();
    if (stamp == null || stamp.equals(loaded)) {
      return false;
    }
    loaded = stamp; // a broken file is reported once, not on every poll
    try {
      PriceCatalog next = PriceCatalog.merged(base, PriceCatalog.load(file));
      current.set(new CallPricer(next));
      LOG.log(Level.INFO, "Loaded price catalog {0} from {1}", next.version(), file);
      return true;
    } catch (CatalogException e) {
      LOG.log(Level.WARNING, "Keeping price catalog {0}; reloading failed: {1}",
          catalog().version(), e.getMessage());
      return false;
    }
  }

  /** Starts polling every {@code interval} on a daemon thread. */
  public synchronized PriceCatalogWatcher start(Duration interval) {
    if (scheduler == null) {
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flowcost-prices-watcher");
        t.setDaemon(true);
        return t;
      });
      long ms = Math.max(1, interval.toMillis());
      scheduler.scheduleWithFixedDelay(this::checkQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  private void checkQuietly() {
    try {
      checkNow();
    } catch (RuntimeException e) {
      // Never let the scheduler die; the type is enough to diagnose.
      LOG.log(Level.WARNING, "Price catalog check failed: {0}", e.getClass().getName());
    }
  }

  /** Stops polling. */
  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }

  private Stamp stamp() {
    try {
      return new Stamp(Files.getLastModifiedTime(file), Files.size(file));
    } catch (NoSuchFileException e) {
      return null; // mid-rename by an editor: keep the current catalog, look again later
    } catch (IOException e) {
      return null;
    }
  }

  private record Stamp(FileTime modified, long size) {}
}
