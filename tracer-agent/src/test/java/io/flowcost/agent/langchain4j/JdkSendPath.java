package io.flowcost.agent.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponse;
import io.flowcost.agent.http.jdk.JdkHttpTracing;
import io.flowcost.agent.langchain4j.aiservice.AiServiceTracing;
import io.flowcost.agent.langchain4j.chat.ChatTracing;
import io.flowcost.agent.langchain4j.http.HttpTracing;
import io.flowcost.agent.langchain4j.tool.ToolTracing;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiPredicate;

/**
 * One invocation of the side-by-side benchmark's AI service as {@link InvocationPathBenchmark}
 * calls its hooks (workflow, 3 model calls with one attempt each, 2 tools: 9 spans), where each
 * model call's HTTP attempt also goes through the JDK client's hooks exactly as {@code
 * JdkSendAdvice} and {@code JdkHeadersAdvice} call them inside {@code sendAsync}: a request built
 * as LangChain4j's JDK client builds it, the JDK's own copy of its headers ({@code
 * HttpHeaders.of(request.headers().map(), filter)}, what {@code HttpRequestImpl} does) made from
 * what the header advice hands it. No network. Loaded once per build by {@link
 * JdkSendBeforeAfterBenchmark}; public so that its loader can call it.
 */
public final class JdkSendPath {

  private static final BiPredicate<String, String> ALL = (name, value) -> true;

  private final InvocationPathBenchmark.Installed installed;
  private final HttpRequest request;
  private final HttpResponse.BodyHandler<String> handler = HttpResponse.BodyHandlers.ofString();
  private final CompletableFuture<Object> future = new CompletableFuture<>();
  /** Sum of the JDK copies' sizes, so that nothing is optimised away. */
  private long headers;

  /** Installs the agent (as {@link InvocationPathBenchmark.Installed} does). */
  public JdkSendPath() throws Exception {
    installed = new InvocationPathBenchmark.Installed();
    installed.install();
    JdkHttpTracing.map(new Object()); // as the header advice's first run: advised from now
    request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/v1/chat/completions"))
        .header("Authorization", "Bearer sk-test")
        .header("User-Agent", "langchain4j-openai")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\"}"))
        .build();
  }

  /**
   * One invocation; {@code jdk}: with the JDK client's hooks in each attempt, else with only the
   * JDK's copy of the request's headers.
   */
  public Object invocation(boolean jdk) {
    InvocationPathBenchmark.Installed s = installed;
    Object invocation = AiServiceTracing.enter(s.method, s.args);
    chat(s, s.toolResponse, s.toolChat, jdk);
    tool(s.lookup);
    chat(s, s.toolResponse, s.toolChat, jdk);
    tool(s.estimate);
    chat(s, s.textResponse, s.textChat, jdk);
    return AiServiceTracing.exit(invocation, "The windshield is covered.", null);
  }

  private void chat(InvocationPathBenchmark.Installed s, Object response, ChatResponse chat,
      boolean jdk) {
    Object call = ChatTracing.enter(s.model, s.chatRequest, false);
    Object attempt = HttpTracing.enter(s.httpRequest);
    if (jdk) {
      send();
    } else {
      // without the hooks the JDK copies the request's headers all the same
      headers += HttpHeaders.of(request.headers().map(), ALL).map().size();
    }
    HttpTracing.exitSync(attempt, response, null);
    ChatTracing.exit(call, chat, null);
  }

  /** What sendAsync does with the advice around it, but the network. */
  @SuppressWarnings("unchecked")
  private void send() {
    Object exchange = JdkHttpTracing.start(request);
    Object sent = JdkHttpTracing.request(exchange, request);
    Object h = JdkHttpTracing.handler(exchange, handler);
    HttpHeaders copy = HttpHeaders.of(
        (Map<String, List<String>>) JdkHttpTracing.map(((HttpRequest) sent).headers().map()), ALL);
    headers += copy.map().size() + (h == handler ? 0 : 1);
    JdkHttpTracing.end(exchange, future, null);
  }

  private static void tool(Object request) {
    Object token = ToolTracing.enter(request);
    ToolTracing.exit(token, null, null);
  }

  /** Exports what the batch processor holds and waits for it. */
  public void flush() {
    installed.flush();
  }

  /** Spans ended but not exported. */
  public long unexported() {
    return installed.unexported();
  }

  /** The sum of the JDK copies' sizes (4 headers with {@code traceparent}). */
  public long headers() {
    return headers;
  }
}
