package io.flowcost.examples.httpclients;

import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/** Spring's blocking {@code RestClient} on Reactor Netty ({@code ReactorClientHttpRequestFactory}). */
final class RestClientTransport implements Transport {

  private final RestClient client =
      RestClient.builder().requestFactory(new ReactorClientHttpRequestFactory()).build();

  @Override
  public Reply post(String url, String json) {
    return client.post()
        .uri(url)
        .contentType(MediaType.APPLICATION_JSON)
        .body(json)
        .exchange((request, response) -> new Reply(response.getStatusCode().value(),
            new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8)));
  }
}
