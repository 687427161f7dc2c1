package io.flowcost.agent.export;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How the agent's batch span processor ({@link SpanBatcher}) queues and batches ended spans: the
 * OpenTelemetry SDK's three batch settings, with their meanings and defaults (but a batch of
 * 1,024: {@link #DEFAULT_MAX_EXPORT_BATCH_SIZE}), under the agent's own names. {@code OTEL_BSP_*}
 * configures the application's own OpenTelemetry SDK or agent and is not read (the agent reads no
 * {@code OTEL_*} variable but the service name), so tuning one never changes the other; the names
 * only swap the prefix: {@code FLOWCOST_BSP_MAX_EXPORT_BATCH_SIZE}.
 *
 * @param maxQueueSize ended spans waiting for the export thread before a span is dropped
 *     ({@value #QUEUE_SIZE}; {@code OTEL_BSP_MAX_QUEUE_SIZE}'s meaning)
 * @param maxExportBatchSize spans per export, and how many queued wake the export thread before
 *     the schedule ({@value #BATCH_SIZE}; at most {@code maxQueueSize})
 * @param scheduleDelayMillis the longest a span waits for a batch to fill ({@value #SCHEDULE_DELAY})
 */
public record BatchSettings(int maxQueueSize, int maxExportBatchSize, long scheduleDelayMillis) {

  /** The setting of the queue's bound, in spans. */
  public static final String QUEUE_SIZE = "flowcost.bsp.max-queue-size";
  /** The setting of the spans per export. */
  public static final String BATCH_SIZE = "flowcost.bsp.max-export-batch-size";
  /** The setting of the longest wait for a batch to fill, in milliseconds. */
  public static final String SCHEDULE_DELAY = "flowcost.bsp.schedule-delay";

  /** Default queue bound: 8,192 spans (the SDK's default was raised to this too). */
  public static final int DEFAULT_MAX_QUEUE_SIZE = 8192;
  /**
   * Default spans per export: 1,024, twice the SDK's 512. Each export has a fixed cost on the
   * agent's two threads (a wake-up of each, the request's headers and resource, the send and the
   * answer's read); halving how often it is paid took 2.3 ± 1.2 µs of CPU per LangChain4j invocation
   * off them (docs/benchmarks.md, thirteenth round). Not larger: a request of 2,048 typical spans
   * outgrows the 1 MiB the exporter keeps for reuse ({@code RequestBuffer.MAX_POOLED_CAPACITY}),
   * and the garbage collector took back what the fewer exports saved. At low rates the schedule
   * delay still decides when spans leave (below 1,024 spans per {@value
   * #DEFAULT_SCHEDULE_DELAY_MILLIS} ms).
   */
  public static final int DEFAULT_MAX_EXPORT_BATCH_SIZE = 1024;
  /** Default longest wait for a batch to fill: the SDK's 5 s. */
  public static final long DEFAULT_SCHEDULE_DELAY_MILLIS = 5_000;

  /**
   * Largest queue bound accepted: the queue is an array of this many references, allocated when the
   * agent starts, so a typo of a few digits must not cost the application's heap gigabytes.
   */
  static final int MAX_QUEUE_SIZE = 1 << 20;
  /** Longest schedule delay accepted: an hour (a span waiting longer is lost by any crash). */
  static final long MAX_SCHEDULE_DELAY_MILLIS = 3_600_000;

  /** The defaults. */
  public static final BatchSettings DEFAULT = new BatchSettings(DEFAULT_MAX_QUEUE_SIZE,
      DEFAULT_MAX_EXPORT_BATCH_SIZE, DEFAULT_SCHEDULE_DELAY_MILLIS);

  /** Checks the ranges {@link #read} enforces. */
  public BatchSettings {
    if (maxQueueSize < 1 || maxQueueSize > MAX_QUEUE_SIZE) {
      throw new IllegalArgumentException("maxQueueSize " + maxQueueSize);
    }
    if (maxExportBatchSize < 1 || maxExportBatchSize > maxQueueSize) {
      throw new IllegalArgumentException("maxExportBatchSize " + maxExportBatchSize);
    }
    if (scheduleDelayMillis < 1 || scheduleDelayMillis > MAX_SCHEDULE_DELAY_MILLIS) {
      // 0 would make the export thread spin: it wakes whenever the schedule is due
      throw new IllegalArgumentException("scheduleDelayMillis " + scheduleDelayMillis);
    }
  }

  /**
   * Reads the three settings through {@code reader} (the agent's settings reader: system property,
   * then environment variable). A value that is not a whole number in its range is reported
   * through {@code log}, naming the setting and the range (not the value: it is the user's text),
   * and its default is used; the application is never failed.
   */
  public static BatchSettings read(Function<String, String> reader, Consumer<String> log) {
    int queue = (int) whole(reader, log, QUEUE_SIZE, 1, MAX_QUEUE_SIZE, DEFAULT_MAX_QUEUE_SIZE,
        "");
    // unset, the default batch shrinks to a smaller queue: a batch never waits for more spans
    // than the queue holds
    int batch = (int) whole(reader, log, BATCH_SIZE, 1, queue,
        Math.min(DEFAULT_MAX_EXPORT_BATCH_SIZE, queue), " (at most " + QUEUE_SIZE + ")");
    long delay = whole(reader, log, SCHEDULE_DELAY, 1, MAX_SCHEDULE_DELAY_MILLIS,
        DEFAULT_SCHEDULE_DELAY_MILLIS, " milliseconds");
    return new BatchSettings(queue, batch, delay);
  }

  private static long whole(Function<String, String> reader, Consumer<String> log, String name,
      long min, long max, long fallback, String unit) {
    String text = reader.apply(name);
    if (text == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(text.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below, like a number out of range
    }
    log.accept(name + " must be a whole number from " + min + " to " + max + unit + "; the default "
        + fallback + " is used");
    return fallback;
  }
}
