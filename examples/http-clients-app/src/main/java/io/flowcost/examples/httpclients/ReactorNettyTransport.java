package io.flowcost.examples.httpclients;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;

/** Reactor Netty's {@code HttpClient}, the body sent as one {@code Mono} and read chunk by chunk. */
final class ReactorNettyTransport implements Transport {

  private final HttpClient client =
      HttpClient.create().headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json"));

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
}
