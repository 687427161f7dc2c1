package io.flowcost.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * Spring AI 2.0.1 on Spring Boot 4.0.7 ({@code examples/spring-ai2-app}): its OpenAI starter talks
 * through the official OpenAI Java SDK on OkHttp (not Boot's {@code RestClient}/{@code WebClient}),
 * and the retried 500 is the SDK's retry, not a {@code RetryTemplate}. Adds a structured-output
 * {@code call().entity(..)}, which Spring AI 2 runs through the two-argument {@code
 * doGetObservableChatClientResponse}: {@link SpringAiEndToEndContract}.
 */
class SpringAi2EndToEndTest extends SpringAiEndToEndContract {

  @Override
  Path appJar() {
    return appJar("spring-ai2-app", "flowcost-spring-ai2-app.jar");
  }

  @Override
  List<String> appArgs() {
    return List.of();
  }

  @Override
  String baseUrl(String fakeV1) {
    return fakeV1; // the SDK appends /chat/completions
  }

  @Override
  String clientsLine() {
    return null;
  }

  @Override
  String workflowName() {
    return "SpringAi2App.run";
  }

  @Override
  boolean entityRequest() {
    return true;
  }
}
