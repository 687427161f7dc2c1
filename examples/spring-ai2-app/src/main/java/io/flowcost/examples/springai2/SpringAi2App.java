package io.flowcost.examples.springai2;

import java.io.PrintStream;
import java.util.List;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Profile;

/**
 * A Spring AI 2.0 app (Spring Boot 4, OpenAI starter: the official OpenAI Java SDK on OkHttp)
 * making seven fixed user requests through one {@code ChatClient}, printing one deterministic line
 * each. It runs the same with and without the agent.
 *
 * <pre>
 * java -jar flowcost-spring-ai2-app.jar --spring.ai.openai.base-url=http://127.0.0.1:PORT/v1
 * </pre>
 *
 * <ol>
 *   <li>{@code call()}: one model request;
 *   <li>{@code stream()} with {@code stream_options.include_usage} switched off (Spring AI 2 asks
 *       for usage by default, 1.x did not): the provider reports no usage;
 *   <li>{@code stream()} with {@code include_usage} ({@code OpenAiChatOptions.streamUsage});
 *   <li>a {@code @Tool} loop: the model asks for {@code getWeather}, Spring AI runs it and sends
 *       the result back (two model requests, one tool execution);
 *   <li>a chat-memory conversation ({@code MessageChatMemoryAdvisor}, conversation id {@code
 *       trip-42}): two user requests, the second sent with the first exchange as history;
 *   <li>a request whose first attempt gets a 500, retried by the OpenAI SDK under Spring AI;
 *   <li>{@code call().entity(Forecast.class)} in conversation {@code forecast-7} (in Spring AI 2
 *       the structured-output path bypasses the one-argument {@code
 *       doGetObservableChatClientResponse} that {@code content()} goes through).
 * </ol>
 *
 * With the {@code server} profile the app instead serves the same requests from a WebFlux
 * controller ({@link ChatController}) on an ephemeral port of 127.0.0.1, printing {@code
 * listening PORT} once ready.
 */
@SpringBootApplication
public class SpringAi2App {

  /** Conversation id of the chat-memory requests. */
  public static final String CONVERSATION = "trip-42";

  /** Conversation id of the structured-output request. */
  public static final String FORECAST_CONVERSATION = "forecast-7";

  /** Entry point: runs the requests and exits, or serves them with the {@code server} profile. */
  public static void main(String[] args) {
    ConfigurableApplicationContext context = SpringApplication.run(SpringAi2App.class, args);
    if (!context.getEnvironment().matchesProfiles("server")) {
      // exit rather than return: the OpenAI SDK's OkHttp threads are not daemons and would keep
      // the JVM alive for their one-minute keep-alive
      System.exit(SpringApplication.exit(context));
    }
  }

  @Bean
  @Profile("!server")
  CommandLineRunner requests(ChatClient.Builder builder) {
    return args -> run(builder.build(), System.out);
  }

  /** The seven user requests; each prints one line. */
  static void run(ChatClient chat, PrintStream out) {
    String answer = chat.prompt().user("Spring plain question").call().content();
    out.println("1 call " + fingerprint(answer));

    // Spring AI 2 asks for usage unless told not to (1.x did not): the stream without it, as a
    // user who switched it off — or an OpenAI-compatible server that ignores it — gets
    List<String> chunks = chat.prompt().user("Spring stream [exact-usage]")
        .options(OpenAiChatOptions.builder()
            .streamOptions(OpenAiChatOptions.StreamOptions.builder().includeUsage(false).build()))
        .stream().content().collectList().block();
    out.println("2 stream " + fingerprint(String.join("", chunks)));

    List<String> withUsage = chat.prompt().user("Spring stream [exact-usage]")
        .options(OpenAiChatOptions.builder().streamUsage(true))
        .stream().content().collectList().block();
    out.println("3 stream-usage " + fingerprint(String.join("", withUsage)));

    WeatherTools tools = new WeatherTools();
    String toolAnswer = chat.prompt()
        .user("Weather in Paris? [tool:getWeather {\"city\":\"Paris\"}]")
        .tools(tools).call().content();
    out.println("4 tool " + fingerprint(toolAnswer) + " calls=" + tools.calls);

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

    String retried = chat.prompt().user("Spring busy provider [fail:500]").call().content();
    out.println("6 retried " + fingerprint(retried));

    Forecast forecast = remembering.prompt()
        .user("Forecast for Oslo [json-answer {\"city\":\"Oslo\",\"celsius\":4}]")
        .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, FORECAST_CONVERSATION))
        .call().entity(Forecast.class);
    out.println("7 entity " + forecast);
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

  /**
   * The structured answer of request 7.
   *
   * @param city the city
   * @param celsius the temperature
   */
  public record Forecast(String city, int celsius) {}

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
