package io.flowcost.e2e;

import java.util.List;

/**
 * Spring MVC (Spring Boot 3.5.7, Tomcat) under the shaded agent — {@code examples/spring-ai-app}
 * with profile {@code server}, its controller calling Spring AI 1.1.2's {@code ChatClient} (each
 * invocation a step of the request's workflow): {@link ServerBoundaryContract}. Its {@code
 * /later/{id}} answer is a {@code CompletableFuture} whose model call runs on the common pool (an
 * async servlet request, ended by its {@code AsyncListener}).
 */
class SpringMvcBoundaryEndToEndTest extends ServerBoundaryContract {

  @Override
  AgentRun.Builder app(AgentRun.Builder run) {
    return run.jar(SpringAiEndToEndContract.appJar("spring-ai-app", "flowcost-spring-ai-app.jar"))
        .fakeProvider(base -> List.of("--spring.profiles.active=server",
            // the 1.x starter appends /v1/chat/completions
            "--spring.ai.openai.base-url=" + AgentRun.origin(base)));
  }

  @Override
  List<String> routes() {
    return List.of("GET /claims/{id}/summary", "POST /claims/{id}", "GET /escalate/{id}",
        "GET /later/{id}");
  }

  @Override
  String laterLine() {
    return "GET /later/1005";
  }
}
