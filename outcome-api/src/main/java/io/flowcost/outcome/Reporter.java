package io.flowcost.outcome;

import io.flowcost.outcome.internal.Delivery;
import io.flowcost.outcome.internal.Settings;
import java.time.Duration;

/** The process-wide settings and the delivery thread, created on first use. */
final class Reporter {

  final Settings settings;
  private final Delivery delivery;

  Reporter(Settings settings, Delivery delivery) {
    this.settings = settings;
    this.delivery = delivery;
  }

  static Reporter fromEnvironment() {
    Settings settings = Settings.fromEnvironment();
    return new Reporter(settings, Delivery.create(settings));
  }

  boolean submit(String path, String json, String kind) {
    return delivery.submit(path, json, kind);
  }

  boolean flush(Duration timeout) {
    return delivery.flush(timeout);
  }

  /** After a timed-out flush at exit: spools what is still in memory; returns how many are lost. */
  int spoolPending() {
    return delivery.spoolPending();
  }

  void close() {
    delivery.close();
  }
}
