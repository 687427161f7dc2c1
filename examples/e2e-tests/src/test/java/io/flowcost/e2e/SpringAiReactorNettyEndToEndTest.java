package io.flowcost.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * Spring AI 1.1.2 on Spring Boot 3.5.7 on Reactor Netty 1.2.18 (Netty 4.1) under both {@code
 * RestClient} and {@code WebClient} — what Boot picks in a WebFlux app: {@link
 * SpringAiEndToEndContract}.
 */
class SpringAiReactorNettyEndToEndTest extends SpringAiEndToEndContract {

  @Override
  Path appJar() {
    return appJar("spring-ai-app", "flowcost-spring-ai-app.jar");
  }

  @Override
  List<String> appArgs() {
    return List.of("--spring.http.client.factory=reactor", "--spring.http.reactiveclient.connector=reactor");
  }

  @Override
  String baseUrl(String fakeV1) {
    return fakeV1.replaceAll("/v1$", ""); // the 1.x starter appends /v1/chat/completions
  }

  @Override
  String clientsLine() {
    return "0 clients ReactorClientHttpRequestFactory ReactorClientHttpConnector";
  }

  @Override
  String workflowName() {
    return "SpringAiApp.run";
  }

  @Override
  boolean entityRequest() {
    return false;
  }
}
