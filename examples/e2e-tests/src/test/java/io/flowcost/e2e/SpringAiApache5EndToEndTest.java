package io.flowcost.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * Spring AI 1.1.2 on Spring Boot 3.5.7 on Apache HttpClient 5.5: the classic client under {@code
 * RestClient} (the calls, the tool loop, the retried 500) and the async client under {@code
 * WebClient} ({@code HttpComponentsClientHttpConnector} on {@code httpcore5-reactive}: the two
 * streams, with and without usage) — what Boot picks with {@code httpclient5} and {@code
 * httpcore5-reactive} on the class path: {@link SpringAiEndToEndContract}.
 */
class SpringAiApache5EndToEndTest extends SpringAiEndToEndContract {

  @Override
  Path appJar() {
    return appJar("spring-ai-app", "flowcost-spring-ai-app.jar");
  }

  @Override
  List<String> appArgs() {
    return List.of("--spring.http.client.factory=http-components", "--spring.http.reactiveclient.connector=http-components");
  }

  @Override
  String baseUrl(String fakeV1) {
    return fakeV1.replaceAll("/v1$", ""); // the 1.x starter appends /v1/chat/completions
  }

  @Override
  String clientsLine() {
    return "0 clients HttpComponentsClientHttpRequestFactory HttpComponentsClientHttpConnector";
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
