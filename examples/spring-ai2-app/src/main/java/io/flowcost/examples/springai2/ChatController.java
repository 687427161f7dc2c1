package io.flowcost.examples.springai2;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Profile;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

/**
 * The WebFlux path of the app ({@code server} profile): each HTTP request makes its model calls
 * through the {@code ChatClient} — a blocking {@code call()} moved off the event loop inside a
 * {@code Mono}, a {@code stream()} returned as the response's {@code Flux}, a tool loop, a {@code
 * stream()} chained after a non-model Reactor Netty request (on its I/O thread), a {@code call()}
 * after a {@code Mono.delay}. Each
 * response is the fake's reply tag (never the text).
 */
@RestController
@Profile("server")
class ChatController {

  private final ChatClient chat;
  private final ConfigurableApplicationContext context;

  ChatController(ChatClient.Builder builder, ConfigurableApplicationContext context) {
    this.chat = builder.build();
    this.context = context;
  }

  private volatile int port;

  /** Tells whoever started the app which port it got. */
  @EventListener
  void ready(WebServerInitializedEvent event) {
    port = event.getWebServer().getPort();
    System.out.println("listening " + port);
  }

  /** No model call: a plain answer (records nothing). */
  @GetMapping("/ping")
  Mono<String> ping() {
    return Mono.just("pong");
  }

  /**
   * A non-model request first ({@code /ping} of this app, through Reactor Netty's client), then a
   * {@code stream()} chained after its response: the stream is subscribed on the client's I/O
   * thread, where Reactor Netty delivered that response.
   */
  @GetMapping("/chained/{topic}")
  Mono<String> chained(@PathVariable String topic) {
    return HttpClient.create().get().uri("http://127.0.0.1:" + port + "/ping")
        .responseContent().aggregate().asString()
        .flatMap(pong -> chat.prompt().user("Web chained " + topic.replaceAll("[^A-Za-z]", ""))
            .options(OpenAiChatOptions.builder().streamUsage(true))
            .stream().content().collectList())
        .map(chunks -> SpringAi2App.fingerprint(String.join("", chunks)));
  }

  /** A {@code call()} after a {@code Mono.delay}: continued on Reactor's parallel scheduler. */
  @GetMapping("/delayed/{topic}")
  Mono<String> delayed(@PathVariable String topic) {
    return Mono.delay(Duration.ofMillis(20))
        .publishOn(Schedulers.boundedElastic())
        .map(tick -> SpringAi2App.fingerprint(chat.prompt()
            .user("Web delayed " + topic.replaceAll("[^A-Za-z]", "")).call().content()));
  }

  /** One {@code call()}, blocking, so on a worker thread rather than the event loop. */
  @GetMapping("/ask/{topic}")
  Mono<String> ask(@PathVariable String topic) {
    return Mono.fromCallable(() ->
            SpringAi2App.fingerprint(chat.prompt().user("Web question on " + topic).call().content()))
        .subscribeOn(Schedulers.boundedElastic());
  }

  /** A {@code stream()} with usage, its chunks the response body. */
  @GetMapping("/stream")
  Flux<String> stream() {
    return chat.prompt().user("Web stream [exact-usage]")
        .options(OpenAiChatOptions.builder().streamUsage(true))
        .stream().content();
  }

  /** A tool loop: two model requests and one tool execution. */
  @GetMapping("/weather/{city}")
  Mono<String> weather(@PathVariable String city) {
    return Mono.fromCallable(() -> {
      SpringAi2App.WeatherTools tools = new SpringAi2App.WeatherTools();
      String answer = chat.prompt()
          .user("Web weather [tool:getWeather {\"city\":\"" + city.replaceAll("[^A-Za-z]", "") + "\"}]")
          .tools(tools).call().content();
      return SpringAi2App.fingerprint(answer) + " calls=" + tools.calls;
    }).subscribeOn(Schedulers.boundedElastic());
  }

  /** Stops the app shortly after answering. */
  @PostMapping("/quit")
  Mono<String> quit() {
    Schedulers.boundedElastic().schedule(
        () -> System.exit(SpringApplication.exit(context)), 200, TimeUnit.MILLISECONDS);
    return Mono.just("bye");
  }
}
