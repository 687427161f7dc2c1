package io.flowcost.agent.langchain4j;

import static io.flowcost.agent.instrumentation.TypeMatchers.hasSuperTypeNamed;
import static io.flowcost.agent.instrumentation.TypeMatchers.notInterface;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;
import io.flowcost.agent.instrumentation.TypeMatchers;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * LangChain4j ({@code langchain4j}): AI-service invocations, chat and streaming chat models, its
 * HTTP client layer, embeddings, retrievals, tools and output guardrails. Advice lives in the
 * sub-packages of this package.
 */
public final class LangChain4jInstrumentation extends InstrumentationModule {

  private static final String CHAT_REQUEST = "dev.langchain4j.model.chat.request.ChatRequest";
  private static final String CHAT_MODEL = "dev.langchain4j.model.chat.ChatModel";
  private static final String STREAMING_CHAT_MODEL = "dev.langchain4j.model.chat.StreamingChatModel";
  private static final String CHAT_OPTIONS = "dev.langchain4j.model.chat.ChatRequestOptions";
  private static final String STREAMING_HANDLER =
      "dev.langchain4j.model.chat.response.StreamingChatResponseHandler";
  private static final String HTTP_CLIENT = "dev.langchain4j.http.client.HttpClient";
  private static final String EMBEDDING_MODEL = "dev.langchain4j.model.embedding.EmbeddingModel";
  private static final String CONTENT_RETRIEVER = "dev.langchain4j.rag.content.retriever.ContentRetriever";
  private static final String EMBEDDING_STORE = "dev.langchain4j.store.embedding.EmbeddingStore";
  private static final String TOOL_EXECUTOR = "dev.langchain4j.service.tool.ToolExecutor";

  /** Creates the unit; it applies where {@code langchain4j-core}'s {@code ChatModel} is visible. */
  public LangChain4jInstrumentation() {
    // langchain4j-core: every hook below sits in it or in a module that depends on it
    super("langchain4j", CHAT_REQUEST);

    // 1. AI-service invocations: workflows and steps
    transform(
        nameStartsWith("dev.langchain4j.service.DefaultAiServices$")
            .and(hasSuperTypeNamed("java.lang.reflect.InvocationHandler")),
        named("invoke")
            .and(takesArguments(3))
            .and(takesArgument(0, Object.class))
            .and(takesArgument(1, java.lang.reflect.Method.class))
            .and(takesArgument(2, Object[].class)),
        advice("aiservice.AiServiceInvokeAdvice"));
    transform(
        named("dev.langchain4j.service.AiServiceTokenStream"),
        named("start").and(takesArguments(0)),
        advice("aiservice.TokenStreamStartAdvice"));
    // output-guardrail verdicts: a rejected answer's call is marked discarded
    transform(
        named("dev.langchain4j.guardrail.AbstractGuardrailExecutor"),
        named("executeGuardrails").and(takesArguments(1)),
        advice("guardrail.OutputGuardrailAdvice"));

    // 2. logical model calls
    ElementMatcher.Junction<MethodDescription> chat =
        named("chat").and(takesArguments(1)).and(takesArgument(0, named(CHAT_REQUEST)));
    ElementMatcher.Junction<MethodDescription> chatWithOptions =
        named("chat")
            .and(takesArguments(2))
            .and(takesArgument(0, named(CHAT_REQUEST)))
            .and(takesArgument(1, named(CHAT_OPTIONS)));
    transform(named(CHAT_MODEL), chat.or(chatWithOptions), advice("chat.ChatAdvice"));
    transform(implementors(CHAT_MODEL), chat, advice("chat.ChatAdvice"));
    ElementMatcher.Junction<MethodDescription> streamingChat =
        named("chat")
            .and(takesArguments(2))
            .and(takesArgument(0, named(CHAT_REQUEST)))
            .and(takesArgument(1, named(STREAMING_HANDLER)));
    transform(named(STREAMING_CHAT_MODEL), streamingChat, advice("chat.StreamingChatAdvice"));
    transform(
        named(STREAMING_CHAT_MODEL),
        named("chat")
            .and(takesArguments(3))
            .and(takesArgument(0, named(CHAT_REQUEST)))
            .and(takesArgument(1, named(CHAT_OPTIONS)))
            .and(takesArgument(2, named(STREAMING_HANDLER))),
        advice("chat.StreamingChatOptionsAdvice"));
    transform(implementors(STREAMING_CHAT_MODEL), streamingChat, advice("chat.StreamingChatAdvice"));

    // 3. attempts: LangChain4j's HTTP client layer
    transform(
        implementors(HTTP_CLIENT),
        named("execute").and(takesArguments(1)),
        advice("http.HttpExecuteAdvice"));
    transform(
        implementors(HTTP_CLIENT),
        named("execute").and(takesArguments(3)),
        advice("http.HttpSseAdvice"));

    // 4. embeddings
    ElementMatcher.Junction<MethodDescription> embedAll =
        named("embedAll").and(takesArguments(1)).and(takesArgument(0, named("java.util.List")));
    transform(named(EMBEDDING_MODEL), embedAll, advice("embedding.EmbedAllAdvice"));
    transform(implementors(EMBEDDING_MODEL), embedAll, advice("embedding.EmbedAllAdvice"));
    // 1.19+: embed(String/TextSegment/EmbeddingRequest) reach the provider through doEmbed, not
    // embedAll; nested hooks of one call count once (EmbeddingTracing's call depth)
    ElementMatcher.Junction<MethodDescription> doEmbed =
        named("doEmbed")
            .and(takesArguments(1))
            .and(takesArgument(0, named("dev.langchain4j.model.embedding.request.EmbeddingRequest")));
    transform(implementors(EMBEDDING_MODEL), doEmbed, advice("embedding.EmbedAllAdvice"));

    // 4b. retrievals (their query embedding nests beneath)
    transform(
        implementors(CONTENT_RETRIEVER).or(implementors(EMBEDDING_STORE)),
        named("retrieve")
            .and(takesArguments(1))
            .and(takesArgument(0, named("dev.langchain4j.rag.query.Query")))
            .or(
                named("search")
                    .and(takesArguments(1))
                    .and(takesArgument(0, named("dev.langchain4j.store.embedding.EmbeddingSearchRequest")))),
        advice("retrieval.RetrieveAdvice"));

    // 5. tools
    transform(
        named("dev.langchain4j.service.tool.ToolService"),
        named("executeWithErrorHandling").and(isStatic()),
        advice("tool.ToolServiceAdvice"));
    transform(
        implementors(TOOL_EXECUTOR),
        named("executeWithContext").or(named("execute")).and(takesArguments(2)),
        advice("tool.ToolExecutorAdvice"));
  }

  /**
   * Concrete LangChain4j classes implementing an interface. Restricting to {@code dev.langchain4j.}
   * keeps start-up cheap: every provider, HTTP client and tool executor lives there; the other
   * classes there are rejected from their class file's header ({@link TypeMatchers}).
   */
  private static ElementMatcher.Junction<TypeDescription> implementors(String interfaceName) {
    return nameStartsWith("dev.langchain4j.")
        .and(notInterface())
        .and(hasSuperTypeNamed(interfaceName));
  }
}
