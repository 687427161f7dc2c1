package io.flowcost.collector.alert;

import java.time.Instant;

/**
 * Decides which collector sends an alert, once: the first to claim its key. Local claims are kept
 * in the data dir ({@link FiredAlerts}), so a restart does not send an alert again; with a shared
 * store, claims are made there (SET NX) so collectors sharing it send each alert once in all.
 */
public interface AlertClaims {

  /**
   * Claims {@code key} until {@code expiresAt}; true for the first claim only.
   */
  boolean claim(String key, Instant expiresAt);
}
