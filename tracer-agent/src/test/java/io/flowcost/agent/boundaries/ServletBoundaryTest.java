package io.flowcost.agent.boundaries;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.concurrent.ContextTasks;
import io.flowcost.agent.propagation.servlet.ServletTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Servlet and Spring MVC 6.2 (Spring Boot 3.5.7's) on embedded Tomcat 10.1, 127.0.0.1: a request
 * that makes model calls is one workflow named {@code <METHOD> <best-matching pattern>} (Spring MVC)
 * or {@code <METHOD> <servlet mapping>} (a plain servlet); a {@code Callable} handler's workflow
 * lasts until the async response completes and holds the call made on MVC's executor; a request
 * without model calls records nothing; a handler that throws marks the workflow failed with its
 * exception. The advice on {@code HttpServlet.service} is played by servlets that call {@link
 * ServletTracing} around {@code super.service}, as it does.
 */
class ServletBoundaryTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  static Tomcat tomcat;
  static String base;
  static AnnotationConfigWebApplicationContext spring;

  /** What the advice does around {@code service}. */
  static void traced(ServletRequest req, ServletResponse res, ServiceCall call)
      throws ServletException, IOException {
    Object token = ServletTracing.enter(req);
    Throwable thrown = null;
    try {
      call.run();
    } catch (ServletException | IOException | RuntimeException e) {
      thrown = e;
      throw e;
    } finally {
      ServletTracing.exit(token, req, res, thrown);
    }
  }

  interface ServiceCall {
    void run() throws ServletException, IOException;
  }

  /** Spring's {@code DispatcherServlet} with the advice. */
  static final class TracedDispatcherServlet extends DispatcherServlet {
    TracedDispatcherServlet(AnnotationConfigWebApplicationContext context) {
      super(context);
    }

    @Override
    public void service(ServletRequest req, ServletResponse res) throws ServletException, IOException {
      traced(req, res, () -> super.service(req, res));
    }
  }

  /** A plain servlet mapped to {@code /plain/*}. */
  static final class PlainServlet extends HttpServlet {
    @Override
    public void service(ServletRequest req, ServletResponse res) throws ServletException, IOException {
      traced(req, res, () -> super.service(req, res));
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      Boundaries.modelCall();
      resp.setStatus(200);
      resp.getWriter().write("plain");
    }
  }

  @RestController
  static class ClaimsController {
    @GetMapping("/claims/{id}/summary")
    String summary(@PathVariable String id) {
      Boundaries.modelCall();
      Boundaries.modelCall();
      return "summary " + id.length();
    }

    @GetMapping("/ping")
    String ping() {
      return "pong";
    }

    @PostMapping("/claims/{id}/fail")
    String fail(@PathVariable String id) {
      Boundaries.modelCall();
      throw new IllegalStateException("model answer unusable");
    }

    @GetMapping("/claims/{id}/async")
    Callable<String> async(@PathVariable String id) {
      return () -> {
        Boundaries.modelCall();
        return Thread.currentThread().getName();
      };
    }
  }

  @Configuration
  @EnableWebMvc
  static class MvcConfig implements WebMvcConfigurer {
    @Bean
    ClaimsController claims() {
      return new ClaimsController();
    }

    @Bean
    ThreadPoolTaskExecutor mvcTaskExecutor() {
      ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
      executor.setCorePoolSize(2);
      executor.setThreadNamePrefix("mvc-async-");
      // what the executors unit does to every ThreadPoolExecutor task
      executor.setTaskDecorator(ContextTasks::wrap);
      return executor;
    }

    @Override
    public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
      configurer.setTaskExecutor(mvcTaskExecutor());
      configurer.setDefaultTimeout(20_000);
    }
  }

  @BeforeAll
  static void start() throws LifecycleException, IOException {
    File dir = Files.createTempDirectory("flowcost-tomcat").toFile();
    tomcat = new Tomcat();
    tomcat.setBaseDir(dir.getAbsolutePath());
    Connector connector = new Connector();
    connector.setProperty("address", "127.0.0.1");
    connector.setPort(0);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", dir.getAbsolutePath());
    spring = new AnnotationConfigWebApplicationContext();
    spring.register(MvcConfig.class);
    Wrapper mvc = Tomcat.addServlet(context, "mvc", new TracedDispatcherServlet(spring));
    mvc.setAsyncSupported(true);
    mvc.setLoadOnStartup(1);
    context.addServletMappingDecoded("/", "mvc");
    Tomcat.addServlet(context, "plain", new PlainServlet());
    context.addServletMappingDecoded("/plain/*", "plain");
    tomcat.start();
    base = "http://127.0.0.1:" + tomcat.getConnector().getLocalPort();
  }

  @AfterAll
  static void stop() throws LifecycleException {
    tomcat.stop();
    tomcat.destroy();
    spring.close();
  }

  @Test
  void springMvcRequestsAreWorkflowsNamedByTheirBestMatchingPattern() throws Exception {
    assertThat(Boundaries.send("GET", base + "/claims/123/summary?user=alice")).isEqualTo(200);
    assertThat(Boundaries.send("GET", base + "/claims/456/summary")).isEqualTo(200);
    assertThat(Boundaries.send("GET", base + "/ping")).isEqualTo(200);
    assertThat(Boundaries.send("POST", base + "/plain/claims/7")).isEqualTo(200);
    List<Boundaries.Recorded> workflows = Boundaries.workflows(telemetry, 3);
    assertThat(workflows).extracting(Boundaries.Recorded::toString).containsExactly(
        "GET /claims/{id}/summary [server_request, 2 calls]",
        "GET /claims/{id}/summary [server_request, 2 calls]",
        "POST /plain/* [server_request, 1 calls]");
    assertThat(telemetry.spans()).as("nothing for /ping").hasSize(3 + 5);
  }

  @Test
  void aThrowingHandlerMarksTheWorkflowFailedWithItsException() throws Exception {
    assertThat(Boundaries.send("POST", base + "/claims/1/fail")).isEqualTo(500);
    assertThat(Boundaries.workflows(telemetry, 1)).extracting(Boundaries.Recorded::toString)
        .containsExactly("POST /claims/{id}/fail [server_request, 1 calls, failed"
            + " java.lang.IllegalStateException]");
  }

  @Test
  void anAsyncHandlerIsOneWorkflowThatEndsWithItsResponse() throws Exception {
    assertThat(Boundaries.send("GET", base + "/claims/5/async")).isEqualTo(200);
    List<Boundaries.Recorded> workflows = Boundaries.workflows(telemetry, 1);
    assertThat(workflows).extracting(Boundaries.Recorded::toString)
        .containsExactly("GET /claims/{id}/async [server_request, 1 calls]");
    Boundaries.Recorded w = workflows.get(0);
    assertThat(w.root().getEndEpochNanos()).as("ended after the call on the executor")
        .isGreaterThanOrEqualTo(w.calls().get(0).getEndEpochNanos());
  }
}
