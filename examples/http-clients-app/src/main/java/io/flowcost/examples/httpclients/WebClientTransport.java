package io.flowcost.examples.httpclients;

import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;

/** Spring's {@code WebClient} on Reactor Netty (what Spring Boot picks with reactor-netty-http). */
final class WebClientTransport implements Transport {

  private final WebClient client = WebClient.builder()
      .clientConnector(new ReactorClientHttpConnector(HttpClient.create()))
      .build();

  @Override
  public Reply post(String url, String json) {
    return client.post()
        .uri(url)
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(json)
        .exchangeToMono(response -> response.bodyToFlux(String.class)
            .collectList()
            .map(lines -> new Reply(response.statusCode().value(), String.join("\n", lines))))
        .block();
  }
}
