package io.flowcost.examples.httpclients;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

/** Reactor Netty's {@code HttpClient}, the body sent as one {@code Mono} and read chunk by chunk. */
final class ReactorNettyTransport implements Transport {

  private final HttpClient client;
  /** The pool's figures, with {@link #ReactorNettyTransport(int)}: set when its pool is made. */
  private final AtomicReference<ConnectionPoolMetrics> pool = new AtomicReference<>();
  private final ConnectionProvider provider;

  /** Reactor Netty's default connection pool. */
  ReactorNettyTransport() {
    this.provider = null;
    this.client = HttpClient.create()
        .headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json"));
  }

  /** A pool of at most {@code maxConnections} connections per host; requests beyond it wait. */
  ReactorNettyTransport(int maxConnections) {
    this.provider = ConnectionProvider.builder("http-clients-app")
        .maxConnections(maxConnections)
        .metrics(true, () -> new ConnectionProvider.MeterRegistrar() {
          @Override
          public void registerMetrics(String poolName, String id, SocketAddress remoteAddress,
              ConnectionPoolMetrics metrics) {
            pool.set(metrics);
          }
        })
        .build();
    this.client = HttpClient.create(provider)
        .headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json"));
  }

  @Override
  public Reply post(String url, String json) {
    return client.post()
        .uri(url)
        .send(ByteBufMono.fromString(Mono.just(json)))
        .response((response, content) -> content.asString()
            .reduce(new StringBuilder(), StringBuilder::append)
            .defaultIfEmpty(new StringBuilder())
            .map(text -> new Reply(response.status().code(), text.toString())))
        .blockLast();
  }

  @Override
  public int waiting() {
    ConnectionPoolMetrics metrics = pool.get();
    return metrics == null ? -1 : metrics.pendingAcquireSize();
  }

  @Override
  public void close() {
    if (provider != null) {
      provider.disposeLater().block();
    }
  }
}
