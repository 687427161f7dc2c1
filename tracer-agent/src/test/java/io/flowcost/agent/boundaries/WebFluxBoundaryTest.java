package io.flowcost.agent.boundaries;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.propagation.webflux.WebFluxTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.TomcatHttpHandlerAdapter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.reactive.config.EnableWebFlux;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Spring WebFlux 6.2 (Spring Boot 3.5.7's) served by Tomcat 10.1 through its reactive adapter on
 * 127.0.0.1: a request that makes model calls is one workflow named {@code <METHOD> <PathPattern>};
 * a {@code Mono} handler whose model call runs on a {@code boundedElastic} thread (subscribeOn)
 * still lands in it — carried by the Reactor schedule hook the agent registers, not by the test —
 * and the workflow ends when the request's {@code Mono} terminates; a handler's error marks it
 * failed; a request without model calls records nothing. The advice on {@code
 * DispatcherHandler.handle} is played by a subclass that returns {@link WebFluxTracing#wrap} of it.
 */
class WebFluxBoundaryTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  static Tomcat tomcat;
  static String base;
  static AnnotationConfigApplicationContext spring;
  static final Map<String, String> THREADS = new ConcurrentHashMap<>();

  /** Spring's {@code DispatcherHandler} with the advice. */
  static final class TracedDispatcherHandler extends DispatcherHandler {
    @Override
    public Mono<Void> handle(ServerWebExchange exchange) {
      @SuppressWarnings("unchecked")
      Mono<Void> wrapped = (Mono<Void>) WebFluxTracing.wrap(exchange, super.handle(exchange));
      return wrapped;
    }
  }

  @RestController
  static class ClaimsController {
    @GetMapping("/claims/{id}/summary")
    Mono<String> summary(@PathVariable String id) {
      return Mono.fromCallable(() -> {
        THREADS.put("summary", Thread.currentThread().getName());
        Boundaries.modelCall();
        return "summary " + id.length();
      }).subscribeOn(Schedulers.boundedElastic());
    }

    @GetMapping("/ping")
    Mono<String> ping() {
      return Mono.just("pong");
    }

    @PostMapping("/claims/{id}/fail")
    Mono<String> fail(@PathVariable String id) {
      return Mono.fromCallable(() -> {
        Boundaries.modelCall();
        return id;
      }).subscribeOn(Schedulers.boundedElastic())
          .flatMap(x -> Mono.error(new IllegalStateException("model answer unusable")));
    }
  }

  @Configuration
  @EnableWebFlux
  static class FluxConfig {
    @Bean
    ClaimsController claims() {
      return new ClaimsController();
    }

    @Bean
    DispatcherHandler webHandler() {
      return new TracedDispatcherHandler();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    spring = new AnnotationConfigApplicationContext(FluxConfig.class);
    HttpHandler handler = WebHttpHandlerBuilder.applicationContext(spring).build();
    File dir = Files.createTempDirectory("flowcost-tomcat-flux").toFile();
    tomcat = new Tomcat();
    tomcat.setBaseDir(dir.getAbsolutePath());
    Connector connector = new Connector();
    connector.setProperty("address", "127.0.0.1");
    connector.setPort(0);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", dir.getAbsolutePath());
    Wrapper servlet = Tomcat.addServlet(context, "flux", new TomcatHttpHandlerAdapter(handler));
    servlet.setAsyncSupported(true);
    context.addServletMappingDecoded("/", "flux");
    tomcat.start();
    base = "http://127.0.0.1:" + tomcat.getConnector().getLocalPort();
  }

  @AfterAll
  static void stop() throws Exception {
    tomcat.stop();
    tomcat.destroy();
    spring.close();
  }

  @Test
  void aMonoHandlerCallingTheModelOnAnotherThreadIsTheRequestsWorkflow() throws Exception {
    assertThat(Boundaries.send("GET", base + "/claims/123/summary?user=alice")).isEqualTo(200);
    assertThat(Boundaries.send("GET", base + "/ping")).isEqualTo(200);
    assertThat(Boundaries.send("GET", base + "/claims/4567/summary")).isEqualTo(200);
    assertThat(THREADS.get("summary")).startsWith("boundedElastic-");
    List<Boundaries.Recorded> workflows = Boundaries.workflows(telemetry, 2);
    assertThat(workflows).extracting(Boundaries.Recorded::toString).containsExactly(
        "GET /claims/{id}/summary [server_request, 1 calls]",
        "GET /claims/{id}/summary [server_request, 1 calls]");
    assertThat(workflows).allSatisfy(w -> assertThat(w.calls().get(0).getParentSpanId())
        .isEqualTo(w.root().getSpanContext().getSpanId()));
    assertThat(telemetry.spans()).as("nothing for /ping").hasSize(4);
  }

  @Test
  void anErrorOfTheHandlerMarksTheWorkflowFailed() throws Exception {
    assertThat(Boundaries.send("POST", base + "/claims/1/fail")).isEqualTo(500);
    assertThat(Boundaries.workflows(telemetry, 1)).extracting(Boundaries.Recorded::toString)
        .containsExactly("POST /claims/{id}/fail [server_request, 1 calls, failed"
            + " java.lang.IllegalStateException]");
  }
}
