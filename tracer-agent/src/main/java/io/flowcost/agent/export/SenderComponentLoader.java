package io.flowcost.agent.export;

import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import java.util.Collections;
import java.util.List;

/**
 * Hands the OTLP exporter our {@link UrlConnectionHttpSender} instead of whatever {@code
 * ServiceLoader} would find, and nothing else (no compressors, no other SPI).
 */
final class SenderComponentLoader implements ComponentLoader {

  @Override
  @SuppressWarnings("unchecked")
  public <T> Iterable<T> load(Class<T> type) {
    if (type == HttpSenderProvider.class) {
      HttpSenderProvider provider = UrlConnectionHttpSender::new;
      return (Iterable<T>) List.of(provider);
    }
    return Collections.emptyList();
  }
}
