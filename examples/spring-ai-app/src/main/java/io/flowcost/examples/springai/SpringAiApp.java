package io.flowcost.examples.springai;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;

/**
 * A Spring AI 1.1 app (Spring Boot 3.5, OpenAI starter; under {@code RestClient} and {@code
 * WebClient} the JDK HTTP client, or Reactor Netty or Apache HttpClient 5 when Boot's {@code
 * spring.http.client.factory} / {@code spring.http.reactiveclient.connector} say so) making six
 * fixed user requests through one {@code ChatClient}, printing one deterministic line each after a
 * line naming the two clients. It runs the same with and without the agent.
 *
 * <pre>
 * java -jar flowcost-spring-ai-app.jar --spring.ai.openai.base-url=http://127.0.0.1:PORT
 * </pre>
 *
 * <ol>
 *   <li>{@code call()}: one model request;
 *   <li>{@code stream()} without {@code stream_options.include_usage} (Spring AI's default: the
 *       provider reports no usage);
 *   <li>{@code stream()} with {@code include_usage} ({@code OpenAiChatOptions.streamUsage});
 *   <li>a {@code @Tool} loop: the model asks for {@code getWeather}, Spring AI runs it and sends
 *       the result back (two model requests, one tool execution);
 *   <li>a chat-memory conversation ({@code MessageChatMemoryAdvisor}, conversation id {@code
 *       trip-42}): two user requests, the second sent with the first exchange as history;
 *   <li>a request whose first attempt gets a 500, retried by Spring AI's {@code RetryTemplate}.
 * </ol>
 *
 * With {@code --spring.profiles.active=server} the app instead serves a Spring MVC controller on
 * Tomcat ({@link ClaimsController}) and sends itself {@link #SERVER_REQUESTS}, printing each
 * status and reply tag.
 *
 * <p>{@code --app.requests=call,stream-usage,tool} runs only the named requests ({@link #REQUESTS},
 * in that order). With {@code --management.tracing.enabled=true
 * --management.otlp.tracing.endpoint=…/v1/traces} the app also exports its own observations
 * (Spring AI's chat, {@code ChatClient}, advisor and tool spans) over OTLP/HTTP through
 * Micrometer's OpenTelemetry bridge, as many Spring teams run it.
 *
 * <p>The fake provider's script markers ({@code [tool:…]}, {@code [fail:500]}) steer its answers;
 * both streams send the same conversation with {@code [exact-usage]}, so the second one's reported
 * usage is the exact count an estimate of the first is measured against.
 */
@SpringBootApplication
public class SpringAiApp {

  /** Conversation id of the chat-memory requests. */
  public static final String CONVERSATION = "trip-42";

  /** The requests, by name, in the order they run. */
  public static final List<String> REQUESTS =
      List.of("call", "stream", "stream-usage", "tool", "memory", "retried");

  /** Entry point. */
  public static void main(String[] args) {
    SpringApplication.run(SpringAiApp.class, args).close();
  }

  /** The paths the {@code server} profile sends itself, in order: {@code METHOD path}. */
  public static final List<String> SERVER_REQUESTS = List.of("GET /claims/1001/summary",
      "GET /claims/1002/summary", "POST /claims/1003", "GET /health", "GET /escalate/1004",
      "GET /later/1005");

  @Bean
  @Profile("server")
  CommandLineRunner serverRequests(Environment environment) {
    return args -> {
      // the requests come from outside any workflow, as a user's would: each is its own
      int port = Integer.parseInt(environment.getRequiredProperty("local.server.port"));
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      for (String request : SERVER_REQUESTS) {
        String[] parts = request.split(" ");
        HttpResponse<String> response = client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + parts[1]))
                .timeout(Duration.ofSeconds(60))
                .method(parts[0], parts[0].equals("GET") ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json").build(),
            HttpResponse.BodyHandlers.ofString());
        System.out.println(request + " " + response.statusCode() + " " + response.body());
      }
    };
  }

  @Bean
  @Profile("!server")
  CommandLineRunner requests(ChatClient.Builder builder,
      ClientHttpRequestFactoryBuilder<?> restClientFactory,
      ClientHttpConnectorBuilder<?> webClientConnector,
      @Value("${app.requests:call,stream,stream-usage,tool,memory,retried}") Set<String> only) {
    if (!REQUESTS.containsAll(only)) {
      throw new IllegalArgumentException("app.requests: each must be one of " + REQUESTS);
    }
    return args -> {
      // which client Boot put under RestClient (calls) and WebClient (streams): the property
      // spring.http.client.factory / spring.http.reactiveclient.connector chose it
      System.out.println("0 clients " + restClientFactory.build().getClass().getSimpleName()
          + " " + webClientConnector.build().getClass().getSimpleName());
      run(builder.build(), System.out, only);
    };
  }

  /** The user requests named in {@code only}; each prints one line. */
  static void run(ChatClient chat, PrintStream out, Set<String> only) {
    // every request is made right here: the agent names a ChatClient workflow after its caller
    if (only.contains("call")) {
      String answer = chat.prompt().user("Spring plain question").call().content();
      out.println("1 call " + fingerprint(answer));
    }
    if (only.contains("stream")) {
      List<String> chunks = chat.prompt().user("Spring stream [exact-usage]").stream().content()
          .collectList().block();
      out.println("2 stream " + fingerprint(String.join("", chunks)));
    }
    if (only.contains("stream-usage")) {
      List<String> withUsage = chat.prompt().user("Spring stream [exact-usage]")
          .options(OpenAiChatOptions.builder().streamUsage(true).build())
          .stream().content().collectList().block();
      out.println("3 stream-usage " + fingerprint(String.join("", withUsage)));
    }
    if (only.contains("tool")) {
      WeatherTools tools = new WeatherTools();
      String toolAnswer = chat.prompt()
          .user("Weather in Paris? [tool:getWeather {\"city\":\"Paris\"}]")
          .tools(tools).call().content();
      out.println("4 tool " + fingerprint(toolAnswer) + " calls=" + tools.calls);
    }
    if (only.contains("memory")) {
      ChatMemory memory = MessageWindowChatMemory.builder()
          .chatMemoryRepository(new InMemoryChatMemoryRepository()).build();
      ChatClient remembering = chat.mutate()
          .defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build()).build();
      String first = remembering.prompt().user("Plan a trip to Lisbon")
          .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, CONVERSATION)).call().content();
      String second = remembering.prompt().user("And a day trip from there")
          .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, CONVERSATION)).call().content();
      out.println("5 memory " + fingerprint(first) + " " + fingerprint(second)
          + " remembered=" + memory.get(CONVERSATION).size());
    }
    if (only.contains("retried")) {
      String retried = chat.prompt().user("Spring busy provider [fail:500]").call().content();
      out.println("6 retried " + fingerprint(retried));
    }
  }

  /** The fake's reply tag ({@code [fake-reply 1a2b3c4d]}), enough to compare runs; never the text. */
  static String fingerprint(String answer) {
    if (answer == null) {
      return "null";
    }
    int start = answer.indexOf("[fake-reply ");
    int end = start < 0 ? -1 : answer.indexOf(']', start);
    return start < 0 || end < 0 ? "len" + answer.length() : answer.substring(start + 1, end);
  }

  /** The app's one tool. */
  public static final class WeatherTools {
    int calls;

    /** A fixed forecast; counts its calls. */
    @Tool(description = "Current weather in a city")
    public String getWeather(String city) {
      calls++;
      return "Sunny, 21 C in " + city;
    }
  }
}
