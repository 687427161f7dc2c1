package io.flowcost.examples.springai;

import java.util.concurrent.CompletableFuture;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Spring MVC path of the app ({@code server} profile, Tomcat): each HTTP request makes its
 * model calls through the {@code ChatClient}, on Tomcat's thread or — {@code /later} — on another
 * thread through an async {@code CompletableFuture} answer. Each response is the fake's reply tag
 * (never the text).
 */
@RestController
@Profile("server")
class ClaimsController {

  private final ChatClient chat;

  ClaimsController(ChatClient.Builder builder) {
    this.chat = builder.build();
  }

  private String ask(String question) {
    return SpringAiApp.fingerprint(chat.prompt().user(question).call().content());
  }

  /** Two model calls. */
  @GetMapping("/claims/{id}/summary")
  String summary(@PathVariable String id) {
    return ask("Summarise the claim") + " " + ask("Check the claim");
  }

  /** One model call. */
  @PostMapping("/claims/{id}")
  String file(@PathVariable String id) {
    return ask("File the claim");
  }

  /** No model call: records nothing. */
  @GetMapping("/health")
  String health() {
    return "ok";
  }

  /** One model call, then a 500: the request's workflow is failed. */
  @GetMapping("/escalate/{id}")
  ResponseEntity<String> escalate(@PathVariable String id) {
    return ResponseEntity.status(500).body("escalation failed " + ask("Escalate the claim"));
  }

  /** One model call on another thread: an async request (Spring MVC's {@code CompletableFuture}). */
  @GetMapping("/later/{id}")
  CompletableFuture<String> later(@PathVariable String id) {
    return CompletableFuture.supplyAsync(() -> ask("Answer the claim later"));
  }
}
