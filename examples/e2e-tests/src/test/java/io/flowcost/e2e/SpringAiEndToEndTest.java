package io.flowcost.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * Spring AI 1.1.2 on Spring Boot 3.5.7 ({@code examples/spring-ai-app}, OpenAI starter) on the JDK
 * {@code HttpClient} under both {@code RestClient} and {@code WebClient}: {@link
 * SpringAiEndToEndContract}.
 */
class SpringAiEndToEndTest extends SpringAiEndToEndContract {

  @Override
  Path appJar() {
    return appJar("spring-ai-app", "flowcost-spring-ai-app.jar");
  }

  @Override
  List<String> appArgs() {
    return List.of("--spring.http.client.factory=jdk", "--spring.http.reactiveclient.connector=jdk");
  }

  @Override
  String baseUrl(String fakeV1) {
    return fakeV1.replaceAll("/v1$", ""); // the 1.x starter appends /v1/chat/completions
  }

  @Override
  String clientsLine() {
    return "0 clients JdkClientHttpRequestFactory JdkClientHttpConnector";
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
