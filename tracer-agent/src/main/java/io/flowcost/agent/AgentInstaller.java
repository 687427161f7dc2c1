package io.flowcost.agent;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.concurrent.ContextTasks;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.caps.BudgetPoller;
import io.flowcost.agent.export.Telemetry;
import io.flowcost.agent.http.HttpSettings;
import java.io.File;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Sets up the agent's telemetry and installs every instrumentation. Loaded from the bootstrap class
 * path by {@link FlowcostAgent}.
 *
 * <p>Advice classes are never loaded as classes here (they reference LangChain4j types that the
 * bootstrap loader cannot see): ByteBuddy reads their bytes from the agent jar and inlines them.
 */
public final class AgentInstaller {

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
  private static final String ADVICE = "io.flowcost.agent.";

  private AgentInstaller() {}

  /**
   * Installs the agent.
   *
   * @param jarPath path of the agent jar (advice bytes are read from it)
   * @param version agent version for the resource, may be {@code null}
   * @param instrumentation the JVM's instrumentation
   */
  public static void install(String jarPath, String version, Instrumentation instrumentation) {
    AgentConfig config = AgentConfig.fromEnvironment();
    AgentLog.setDebug(config.debug());
    breakInstrumentations(config);
    Telemetry telemetry = Telemetry.create(config, version);
    AgentContext.install(telemetry.tracer(), config);
    HttpSettings.install(HttpSettings.fromEnvironment(config.endpoint()));
    telemetry.installShutdownHook();
    // budgets: fetched on a daemon thread of their own, never on the application's threads
    BudgetPoller.start(config.budgetsEndpoint(), config.apiKey(), config.budgets());
    ClassFileLocator adviceLocator = adviceLocator(jarPath);
    instrumentations(adviceLocator, instrumentation).installOn(instrumentation);
    AgentLog.info(startLine(version, config, HttpSettings.current()));
    if (config.serviceUnset()) {
      AgentLog.once("service-unset", "no service name is set, so spans carry service "
          + AgentConfig.DEFAULT_SERVICE + " and reports cannot tell this app from others: set"
          + " -Dflowcost.service=NAME (or FLOWCOST_SERVICE, or OTEL_SERVICE_NAME)");
    }
    if (config.endpoint().endsWith("/v1/traces")) {
      AgentLog.once("endpoint-path", "flowcost.endpoint (FLOWCOST_ENDPOINT) is "
          + config.endpoint() + ", so spans go to " + config.tracesEndpoint()
          + ": set it to the collector's base URL, without /v1/traces");
    }
    AgentLog.debug("agent " + version + " installed: " + config);
  }

  /**
   * The one line the agent prints when it attaches: version, service, where spans go, and which
   * hooks are installed (each takes effect when its library is loaded).
   */
  static String startLine(String version, AgentConfig config, HttpSettings http) {
    return "agent " + (version == null ? "(dev)" : version) + " attached: service "
        + config.serviceName() + ", spans to " + config.tracesEndpoint()
        + "; hooks: " + String.join(", ", HOOKS)
        + (http.captureAll() ? "; all HTTP in workflows recorded (http.capture=all)" : "")
        + (http.propagationHosts().isEmpty() ? ""
            : "; workflow propagated to " + String.join(",", http.propagationHosts()))
        + (config.debug() ? "" : " (FLOWCOST_DEBUG=true for details)");
  }

  /** The hook groups {@link #instrumentations} installs, as the start line names them. */
  static final List<String> HOOKS = List.of("LangChain4j", "OpenAI/Anthropic SDKs",
      "HTTP clients (JDK, OkHttp, Apache 5, Vert.x)", "outcome-api", "incoming HTTP");

  /** Test-only switch: breaks the configured helpers and reports the swallowed failures at exit. */
  private static void breakInstrumentations(AgentConfig config) {
    if (config.brokenInstrumentations().isEmpty()) {
      return;
    }
    BrokenInstrumentation.install(config.brokenInstrumentations());
    AgentLog.info(
        "testing: instrumentations deliberately broken: "
            + new java.util.TreeSet<>(config.brokenInstrumentations()));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    AgentLog.info(
                        "testing: "
                            + BrokenInstrumentation.injected()
                            + " injected failures, "
                            + AgentLog.failures()
                            + " internal errors counted"),
                "flowcost-testing-report"));
  }

  private static ClassFileLocator adviceLocator(String jarPath) {
    try {
      return ClassFileLocator.ForJarFile.of(new File(jarPath));
    } catch (IOException | RuntimeException e) {
      return ClassFileLocator.ForClassLoader.ofSystemLoader();
    }
  }

  private static AgentBuilder instrumentations(
      ClassFileLocator advice, Instrumentation instrumentation) {
    Instrumentations i = new Instrumentations(advice);
    // The Nexus (for LoadedTypeInitializers) is not needed by inlined advice, and setting it up
    // touches sun.misc.Unsafe, which JDK 24+ warns about. The property name is the relocated one.
    String nexusDisabled = net.bytebuddy.ByteBuddy.class.getPackage().getName() + ".nexus.disabled";
    if (System.getProperty(nexusDisabled) == null) {
      System.setProperty(nexusDisabled, "true");
    }
    AgentBuilder builder =
        new AgentBuilder.Default()
            .disableClassFormatChanges()
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(AgentBuilder.TypeStrategy.Default.DECORATE)
            // inlined advice needs no auxiliary classes; this also keeps ByteBuddy off Unsafe
            .with(AgentBuilder.InjectionStrategy.Disabled.INSTANCE)
            .with(new FailureListener())
            .ignore(nameStartsWith("io.flowcost.agent.").or(isSynthetic()))
            // named modules (java.base, for the executors) must read the agent's unnamed module
            .assureReadEdgeTo(instrumentation, ContextTasks.class);

    // 1. AI-service invocations: workflows and steps
    builder =
        i.add(
            builder,
            nameStartsWith("dev.langchain4j.service.DefaultAiServices$")
                .and(hasSuperType(named("java.lang.reflect.InvocationHandler"))),
            named("invoke")
                .and(takesArguments(3))
                .and(takesArgument(0, Object.class))
                .and(takesArgument(1, java.lang.reflect.Method.class))
                .and(takesArgument(2, Object[].class)),
            "langchain4j.aiservice.AiServiceInvokeAdvice");
    builder =
        i.add(
            builder,
            named("dev.langchain4j.service.AiServiceTokenStream"),
            named("start").and(takesArguments(0)),
            "langchain4j.aiservice.TokenStreamStartAdvice");
    // output-guardrail verdicts: a rejected answer's call is marked discarded
    builder =
        i.add(
            builder,
            named("dev.langchain4j.guardrail.AbstractGuardrailExecutor"),
            named("executeGuardrails").and(takesArguments(1)),
            "langchain4j.guardrail.OutputGuardrailAdvice");

    // 2. logical model calls
    ElementMatcher.Junction<MethodDescription> chat =
        named("chat").and(takesArguments(1)).and(takesArgument(0, named(CHAT_REQUEST)));
    ElementMatcher.Junction<MethodDescription> chatWithOptions =
        named("chat")
            .and(takesArguments(2))
            .and(takesArgument(0, named(CHAT_REQUEST)))
            .and(takesArgument(1, named(CHAT_OPTIONS)));
    builder = i.add(builder, named(CHAT_MODEL), chat.or(chatWithOptions), "langchain4j.chat.ChatAdvice");
    builder = i.add(builder, implementors(CHAT_MODEL), chat, "langchain4j.chat.ChatAdvice");
    ElementMatcher.Junction<MethodDescription> streamingChat =
        named("chat")
            .and(takesArguments(2))
            .and(takesArgument(0, named(CHAT_REQUEST)))
            .and(takesArgument(1, named(STREAMING_HANDLER)));
    builder =
        i.add(builder, named(STREAMING_CHAT_MODEL), streamingChat, "langchain4j.chat.StreamingChatAdvice");
    builder =
        i.add(
            builder,
            named(STREAMING_CHAT_MODEL),
            named("chat")
                .and(takesArguments(3))
                .and(takesArgument(0, named(CHAT_REQUEST)))
                .and(takesArgument(1, named(CHAT_OPTIONS)))
                .and(takesArgument(2, named(STREAMING_HANDLER))),
            "langchain4j.chat.StreamingChatOptionsAdvice");
    builder =
        i.add(builder, implementors(STREAMING_CHAT_MODEL), streamingChat, "langchain4j.chat.StreamingChatAdvice");

    // 3. attempts: LangChain4j's HTTP client layer
    builder =
        i.add(
            builder,
            implementors(HTTP_CLIENT),
            named("execute").and(takesArguments(1)),
            "langchain4j.http.HttpExecuteAdvice");
    builder =
        i.add(
            builder,
            implementors(HTTP_CLIENT),
            named("execute").and(takesArguments(3)),
            "langchain4j.http.HttpSseAdvice");

    // 4. embeddings
    ElementMatcher.Junction<MethodDescription> embedAll =
        named("embedAll").and(takesArguments(1)).and(takesArgument(0, named("java.util.List")));
    builder = i.add(builder, named(EMBEDDING_MODEL), embedAll, "langchain4j.embedding.EmbedAllAdvice");
    builder = i.add(builder, implementors(EMBEDDING_MODEL), embedAll, "langchain4j.embedding.EmbedAllAdvice");
    // 1.19+: embed(String/TextSegment/EmbeddingRequest) reach the provider through doEmbed, not
    // embedAll; nested hooks of one call count once (EmbeddingTracing's call depth)
    ElementMatcher.Junction<MethodDescription> doEmbed =
        named("doEmbed")
            .and(takesArguments(1))
            .and(takesArgument(0, named("dev.langchain4j.model.embedding.request.EmbeddingRequest")));
    builder = i.add(builder, implementors(EMBEDDING_MODEL), doEmbed, "langchain4j.embedding.EmbedAllAdvice");

    // 4b. retrievals (their query embedding nests beneath)
    builder =
        i.add(
            builder,
            implementors(CONTENT_RETRIEVER).or(implementors(EMBEDDING_STORE)),
            named("retrieve")
                .and(takesArguments(1))
                .and(takesArgument(0, named("dev.langchain4j.rag.query.Query")))
                .or(
                    named("search")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("dev.langchain4j.store.embedding.EmbeddingSearchRequest")))),
            "langchain4j.retrieval.RetrieveAdvice");

    // 5. tools
    builder =
        i.add(
            builder,
            named("dev.langchain4j.service.tool.ToolService"),
            named("executeWithErrorHandling").and(isStatic()),
            "langchain4j.tool.ToolServiceAdvice");
    builder =
        i.add(
            builder,
            implementors(TOOL_EXECUTOR),
            named("executeWithContext").or(named("execute")).and(takesArguments(2)),
            "langchain4j.tool.ToolExecutorAdvice");

    // 6. context across threads
    builder =
        i.add(
            builder,
            named("java.util.concurrent.ThreadPoolExecutor"),
            named("execute").and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
            "concurrent.RunnableArgumentAdvice");
    builder =
        i.add(
            builder,
            named("java.util.concurrent.ForkJoinPool")
                .or(named("java.util.concurrent.ThreadPerTaskExecutor"))
                // CompletableFuture's fallback when the common pool has parallelism 1
                .or(named("java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor")),
            named("execute").or(named("submit")).and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
            "concurrent.RunnableArgumentAdvice");
    builder =
        i.add(
            builder,
            named("java.util.concurrent.ForkJoinPool")
                .or(named("java.util.concurrent.ThreadPerTaskExecutor")),
            named("submit").and(takesArguments(1)).and(takesArgument(0, java.util.concurrent.Callable.class)),
            "concurrent.CallableArgumentAdvice");
    builder =
        i.add(
            builder,
            named("java.util.concurrent.ScheduledThreadPoolExecutor"),
            named("schedule")
                .or(named("scheduleAtFixedRate"))
                .or(named("scheduleWithFixedDelay"))
                .and(takesArgument(0, Runnable.class)),
            "concurrent.RunnableArgumentAdvice");
    builder =
        i.add(
            builder,
            named("java.util.concurrent.ScheduledThreadPoolExecutor"),
            named("schedule").and(takesArgument(0, java.util.concurrent.Callable.class)),
            "concurrent.CallableArgumentAdvice");

    builder =
        i.add(
            builder,
            named("java.lang.ThreadBuilders$VirtualThreadBuilder"),
            named("unstarted").and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
            "concurrent.RunnableArgumentAdvice");

    // 7. outcome-api bridge
    String bridge = "io.flowcost.outcome.spi.AgentBridge";
    builder = i.add(builder, named(bridge), named("attached").and(takesArguments(0)), "outcomeapi.AttachedAdvice");
    builder = i.add(builder, named(bridge), named("openWorkflow").and(takesArguments(3)), "outcomeapi.OpenWorkflowAdvice");
    builder = i.add(builder, named(bridge), named("openWorkflow").and(takesArguments(4)), "outcomeapi.OpenCappedWorkflowAdvice");
    builder = i.add(builder, named(bridge), named("workflowId").and(takesArguments(1)), "outcomeapi.WorkflowIdAdvice");
    builder = i.add(builder, named(bridge), named("closeWorkflow").and(takesArguments(2)), "outcomeapi.CloseWorkflowAdvice");
    builder =
        i.add(builder, named(bridge), named("currentWorkflowId").and(takesArguments(0)), "outcomeapi.CurrentWorkflowIdAdvice");
    return httpInstrumentations(builder, i);
  }

  /**
   * Model calls outside LangChain4j — plain HTTP clients ({@code io.flowcost.agent.http}) and SDKs
   * ({@code io.flowcost.agent.openai}) — and W3C propagation ({@code io.flowcost.agent.propagation}).
   */
  private static AgentBuilder httpInstrumentations(AgentBuilder builder, Instrumentations i) {
    // send and both public sendAsync overloads go through this private one
    builder =
        i.add(
            builder,
            named("jdk.internal.net.http.HttpClientImpl"),
            named("sendAsync").and(takesArguments(4)),
            "http.jdk.JdkSendAdvice");
    builder =
        i.add(
            builder,
            named("okhttp3.OkHttpClient$Builder"),
            named("build").and(takesArguments(0)),
            "http.okhttp.OkHttpBuilderAdvice");
    // the official OpenAI and Anthropic SDKs share one generated RetryingHttpClient
    ElementMatcher.Junction<TypeDescription> retryingClient =
        named("com.openai.core.http.RetryingHttpClient")
            .or(named("com.anthropic.core.http.RetryingHttpClient"));
    builder =
        i.add(builder, retryingClient, named("execute").and(takesArguments(2)), "openai.RetryingExecuteAdvice");
    builder =
        i.add(
            builder,
            retryingClient,
            named("executeAsync").and(takesArguments(2)),
            "openai.RetryingExecuteAsyncAdvice");
    builder =
        i.add(
            builder,
            retryingClient,
            named("executeAsync$executeWithRetries").and(takesArguments(5)),
            "openai.AsyncRetryAdvice");
    builder =
        i.add(
            builder,
            named("org.apache.hc.client5.http.impl.classic.InternalHttpClient")
                .or(named("org.apache.hc.client5.http.impl.classic.MinimalHttpClient")),
            named("doExecute").and(takesArguments(3)),
            "http.apache5.DoExecuteAdvice");
    builder =
        i.add(
            builder,
            named("io.vertx.ext.web.client.impl.WebClientBase"),
            isConstructor().and(takesArguments(2)),
            "http.vertx.WebClientConstructorAdvice");
    // an incoming request carrying flowcost.workflow.id joins that workflow
    builder =
        i.add(
            builder,
            named("com.sun.net.httpserver.Filter$Chain"),
            named("doFilter").and(takesArguments(1)),
            "propagation.jdkserver.DoFilterAdvice");
    builder =
        i.add(
            builder,
            named("io.vertx.core.http.impl.Http1xServerRequestHandler"),
            named("handle")
                .and(takesArguments(1))
                .and(takesArgument(0, named("io.vertx.core.http.HttpServerRequest"))),
            "propagation.vertxserver.RequestHandlerAdvice");
    builder =
        i.add(
            builder,
            named("jakarta.servlet.http.HttpServlet"),
            named("service")
                .and(takesArguments(2))
                .and(takesArgument(0, named("jakarta.servlet.ServletRequest"))),
            "propagation.servlet.ServiceAdvice");
    return builder;
  }

  /**
   * Concrete LangChain4j classes implementing an interface. Restricting to {@code dev.langchain4j.}
   * keeps start-up cheap: every provider, HTTP client and tool executor lives there.
   */
  private static ElementMatcher.Junction<TypeDescription> implementors(String interfaceName) {
    return nameStartsWith("dev.langchain4j.")
        .and(not(isInterface()))
        .and(hasSuperType(named(interfaceName)));
  }

  /** Builds advice transformers whose advice bytes come from the agent jar. */
  private static final class Instrumentations {
    private final ClassFileLocator advice;

    Instrumentations(ClassFileLocator advice) {
      this.advice = advice;
    }

    AgentBuilder add(
        AgentBuilder builder,
        ElementMatcher<? super TypeDescription> types,
        ElementMatcher<? super MethodDescription> methods,
        String adviceClass) {
      return builder
          .type(types)
          .transform(
              new AgentBuilder.Transformer.ForAdvice()
                  .include(advice)
                  .advice(methods, ADVICE + adviceClass));
    }
  }

  /** Logs one clear line per type whose instrumentation failed to apply; never throws. */
  private static final class FailureListener extends AgentBuilder.Listener.Adapter {
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    @Override
    public void onError(
        String typeName, ClassLoader classLoader, JavaModule module, boolean loaded, Throwable throwable) {
      if (AgentLog.isDebug()) {
        // ByteBuddy's message names our advice and the target type, never application data
        AgentLog.info("instrumentation error on " + typeName + ": " + throwable);
      }
      if (reported.add(typeName)) {
        AgentLog.info(
            "could not instrument "
                + typeName
                + " ("
                + throwable.getClass().getName()
                + "); continuing without it");
      }
    }

    @Override
    public void onTransformation(
        TypeDescription typeDescription,
        ClassLoader classLoader,
        JavaModule module,
        boolean loaded,
        DynamicType dynamicType) {
      AgentLog.debug("instrumented " + typeDescription.getName());
    }
  }

}
