package io.flowcost.agent;


import io.flowcost.agent.caps.Cap;
import io.flowcost.agent.concurrent.ContextTasks;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.caps.BudgetPoller;
import io.flowcost.agent.export.Telemetry;
import io.flowcost.agent.http.HttpSettings;
import io.flowcost.agent.instrumentation.InstrumentationModule;
import io.flowcost.agent.instrumentation.Instrumentations;
import io.flowcost.agent.instrumentation.LibraryCheck;
import io.flowcost.agent.instrumentation.TypeInstrumentation;
import io.flowcost.agent.instrumentation.TypeNames;
import io.flowcost.agent.instrumentation.TypePoolCache;
import io.flowcost.agent.prices.AgentPrices;
import java.io.File;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.FlowcostModuleTransformer;
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
    AgentPrices.configure(config.endpoint(), config.apiKey(),
        AgentConfig.lookup(AgentPrices.REFRESH_KEY));
    HttpSettings.install(HttpSettings.fromEnvironment(config.endpoint()));
    telemetry.installShutdownHook();
    ClassFileLocator adviceLocator = adviceLocator(jarPath);
    // built once: each unit's matchers are a few hundred objects, and the start line needs them too
    List<InstrumentationModule> units = Instrumentations.all();
    instrumentations(adviceLocator, instrumentation, config, units).installOn(instrumentation);
    // The export, price and budget threads start once the transformer is in place: the JDK
    // classes they load (HttpURLConnection, for one) are then transformed as they load, on those
    // threads, instead of being loaded first and retransformed here, on the main thread.
    telemetry.startExport();
    if (config.caps().defaults().limit(Cap.MAX_COST_USD) != null) {
      AgentPrices.start(); // cost caps on every workflow: have the catalog before the first opens
    }
    // budgets: fetched on a daemon thread of their own, never on the application's threads
    BudgetPoller.start(config.budgetsEndpoint(), config.apiKey(), config.budgets());
    AgentLog.info(startLine(version, config, HttpSettings.current(),
        detected(ClassLoader.getSystemClassLoader(), config, units), units));
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
   * The one line the agent prints when it attaches: version, service, where spans go, which hooks
   * are installed (each takes effect when its library is loaded), and which frameworks and SDKs
   * were {@linkplain #detected detected} on the class path.
   */
  static String startLine(String version, AgentConfig config, HttpSettings http) {
    return startLine(version, config, http, List.of());
  }

  /** As {@link #startLine(String, AgentConfig, HttpSettings)}, naming {@code detected}. */
  static String startLine(
      String version, AgentConfig config, HttpSettings http, List<String> detected) {
    return startLine(version, config, http, detected, Instrumentations.all());
  }

  /** As {@link #startLine(String, AgentConfig, HttpSettings, List)}, for {@code units}. */
  private static String startLine(String version, AgentConfig config, HttpSettings http,
      List<String> detected, List<InstrumentationModule> units) {
    List<String> disabled = disabledModules(config, units);
    return "agent " + (version == null ? "(dev)" : version) + " attached: service "
        + config.serviceName() + ", spans to " + config.tracesEndpoint()
        + "; hooks: " + String.join(", ", HOOKS)
        + (detected.isEmpty() ? "" : "; found: " + String.join(", ", detected))
        + (disabled.isEmpty() ? "" : "; disabled: " + String.join(", ", disabled))
        + (http.captureAll() ? "; all HTTP in workflows recorded (http.capture=all)" : "")
        + (http.propagationHosts().isEmpty() ? ""
            : "; workflow propagated to " + String.join(",", http.propagationHosts()))
        + (config.debug() ? "" : " (FLOWCOST_DEBUG=true for details)");
  }

  /**
   * The hook groups of {@link Instrumentations#all()}, as the start line names them (short: the
   * line stays under 256 characters; {@code tracer-agent/README.md} lists each unit).
   */
  static final List<String> HOOKS = List.of("LangChain4j", "Spring AI",
      "OpenAI/Anthropic/Bedrock/Gemini SDKs", "8 HTTP clients", "outcome-api", "incoming HTTP");

  /**
   * The units the start line names when their library is found, by unit name, with the name
   * shown: the frameworks and model SDKs (HTTP clients and servers are everywhere, so naming them
   * would tell the user nothing). {@code StartLineTest} checks each is a unit of {@link
   * Instrumentations#all()}.
   */
  static final Map<String, String> NAMED_WHEN_FOUND = namedWhenFound();

  private static Map<String, String> namedWhenFound() {
    Map<String, String> named = new LinkedHashMap<>();
    named.put("langchain4j", "LangChain4j");
    named.put("spring-ai", "Spring AI");
    named.put("openai-java", "OpenAI SDK");
    named.put("anthropic-java", "Anthropic SDK");
    named.put("aws-bedrock-runtime", "Bedrock SDK");
    named.put("google-genai", "Google Gen AI SDK");
    return Collections.unmodifiableMap(named);
  }

  /**
   * The frameworks and SDKs of {@link #NAMED_WHEN_FOUND} whose enabled unit's library {@code
   * loader} sees at attach, by their shown names in that order: what an application started with
   * {@code -jar} or {@code -cp} carries. A library only a later class loader has (a Spring Boot
   * fat jar's nested jars, an application server's) is not found here, yet hooked when it loads.
   */
  static List<String> detected(ClassLoader loader, AgentConfig config) {
    return detected(loader, config, Instrumentations.all());
  }

  private static List<String> detected(
      ClassLoader loader, AgentConfig config, List<InstrumentationModule> all) {
    List<String> found = new ArrayList<>();
    try {
      Map<String, InstrumentationModule> units = new HashMap<>();
      for (InstrumentationModule module : all) {
        units.put(module.name(), module);
      }
      for (Map.Entry<String, String> named : NAMED_WHEN_FOUND.entrySet()) {
        InstrumentationModule module = units.get(named.getKey());
        if (module != null && config.instrumentationEnabled(module.name())
            && module.libraryCheck().namesLibrary() && module.libraryCheck().matches(loader)) {
          found.add(named.getValue());
        }
      }
    } catch (RuntimeException e) {
      AgentLog.failure("start line", e); // the line without its list, never a failed attach
    }
    return found;
  }

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

  private static AgentBuilder instrumentations(ClassFileLocator advice,
      Instrumentation instrumentation, AgentConfig config, List<InstrumentationModule> units) {
    // The Nexus (for LoadedTypeInitializers) is not needed by inlined advice, and setting it up
    // touches sun.misc.Unsafe, which JDK 24+ warns about. The property name is the relocated one.
    String nexusDisabled = net.bytebuddy.ByteBuddy.class.getPackage().getName() + ".nexus.disabled";
    if (System.getProperty(nexusDisabled) == null) {
      System.setProperty(nexusDisabled, "true");
    }
    AgentBuilder builder =
        baseBuilder()
            // named modules (java.base, for the executors) must read the agent's unnamed module
            .assureReadEdgeTo(instrumentation, ContextTasks.class);
    List<InstrumentationModule> prepared = new java.util.ArrayList<>();
    for (InstrumentationModule module : enabledModules(config, units)) {
      try {
        module.prepare(instrumentation);
        prepared.add(module);
      } catch (RuntimeException e) {
        AgentLog.info("instrumentation " + module.name() + " could not be prepared ("
            + e.getClass().getName() + "); continuing without it");
      }
    }
    return install(builder, advice, prepared);
  }

  /**
   * The type descriptions the agent's matchers and advice share between transformations, per
   * class loader (see {@link TypePoolCache}).
   */
  private static final TypePoolCache TYPE_POOL = new TypePoolCache();

  /** The agent's ByteBuddy settings, before any instrumentation is added. */
  static AgentBuilder baseBuilder() {
    return new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.TypeStrategy.Default.DECORATE)
        // super types described once per class loader, not once per class that has them; loaders
        // held weakly, so that the cache's descriptions do not keep them
        .with(TYPE_POOL)
        .with(AgentBuilder.LocationStrategy.ForClassLoader.WEAK)
        // inlined advice needs no auxiliary classes; this also keeps ByteBuddy off Unsafe
        .with(AgentBuilder.InjectionStrategy.Disabled.INSTANCE)
        .with(new FailureListener())
        .ignore(ignored(TypeNames.unbounded())); // install narrows it to the units' names
  }

  /**
   * The types ByteBuddy skips before any unit's matcher: the agent's own, and, when every unit
   * names its types ({@link TypeNames}), every type none names. By name only: a matcher that needs
   * more than the name (isSynthetic, the modifiers) makes ByteBuddy parse the class file of every
   * class the application loads; {@link NameFirst} checks synthetic for the types a unit names.
   */
  static IgnoredByName ignored(TypeNames named) {
    return new IgnoredByName(named);
  }

  /**
   * The {@linkplain #ignored ignore matcher}, also asked by the agent's class-file transformer
   * ({@code FlowcostModuleTransformer}, in the shaded jar) with the class's name alone, before
   * ByteBuddy sets anything up for the class: of the thousands of classes an application loads,
   * almost all are rejected there, with one name lookup, instead of after ByteBuddy's per-class
   * set-up (a privileged action, a class-file locator, a type pool and a description, listener
   * calls), which was most of what an ignored class cost.
   */
  static final class IgnoredByName implements FlowcostModuleTransformer.NameFilter {
    private final TypeNames named;

    IgnoredByName(TypeNames named) {
      this.named = named;
    }

    @Override
    public boolean matches(TypeDescription type, ClassLoader loader, JavaModule module,
        Class<?> classBeingRedefined, ProtectionDomain protectionDomain) {
      return ignoredName(named, type.getName());
    }

    @Override
    public boolean ignores(String internalName) {
      return ignoredName(named, internalName.replace('/', '.'));
    }
  }

  /** Whether the class named {@code name} is {@linkplain #ignored ignored}. */
  static boolean ignoredName(TypeNames named, String name) {
    return name.startsWith("io.flowcost.agent.") || !named.mayMatch(name);
  }

  /**
   * The classes already loaded that installOn considers for retransformation: those not {@link
   * #ignored} by name. ByteBuddy's own discovery offers every loaded class (about 1,800 before
   * {@code main}), each described, its module looked up and every matcher asked, on the main
   * thread, only for the ignore matcher to reject almost all of them.
   */
  static final class LoadedByName implements AgentBuilder.RedefinitionStrategy.DiscoveryStrategy {
    private final TypeNames named;

    LoadedByName(TypeNames named) {
      this.named = named;
    }

    @Override
    public Iterable<Iterable<Class<?>>> resolve(Instrumentation instrumentation) {
      List<Class<?>> candidates = new ArrayList<>();
      for (Class<?> type : instrumentation.getAllLoadedClasses()) {
        if (!ignoredName(named, type.getName())) {
          candidates.add(type);
        }
      }
      return List.of(candidates);
    }
  }

  /**
   * The units of {@link Instrumentations#all()} that {@code flowcost.instrumentation.<name>.enabled}
   * leaves on, in registration order.
   */
  static List<InstrumentationModule> enabledModules(AgentConfig config) {
    return enabledModules(config, Instrumentations.all());
  }

  private static List<InstrumentationModule> enabledModules(
      AgentConfig config, List<InstrumentationModule> units) {
    List<InstrumentationModule> enabled = new ArrayList<>();
    for (InstrumentationModule module : units) {
      if (config.instrumentationEnabled(module.name())) {
        enabled.add(module);
      }
    }
    return enabled;
  }

  /** The units of {@code units} switched off, by name, for the start line; empty normally. */
  private static List<String> disabledModules(
      AgentConfig config, List<InstrumentationModule> units) {
    List<String> disabled = new ArrayList<>();
    for (InstrumentationModule module : units) {
      if (!config.instrumentationEnabled(module.name())) {
        disabled.add(module.name());
      }
    }
    return disabled;
  }

  /**
   * Adds each unit's advice to {@code builder}. A unit's types match only in class loaders that pass
   * its {@link InstrumentationModule#libraryCheck() library check}, checked after its type matcher
   * ({@link NameFirst}); when every unit names its types, the types none names are {@linkplain
   * #ignored ignored} by name before any matcher runs.
   */
  static AgentBuilder install(
      AgentBuilder builder, ClassFileLocator advice, List<InstrumentationModule> modules) {
    List<TypeNames> names = new ArrayList<>();
    for (InstrumentationModule module : modules) {
      for (TypeInstrumentation type : module.typeInstrumentations()) {
        names.add(TypeNames.of(type.types()));
      }
    }
    TypeNames named = TypeNames.union(names);
    // one advice transformer, extended per unit: its set-up is done once, and the advice classes'
    // descriptions are kept between transformations like the matched types' (TypePoolCache)
    AgentBuilder.Transformer.ForAdvice adviceBase = new AgentBuilder.Transformer.ForAdvice()
        .with(TYPE_POOL)
        .with(AgentBuilder.LocationStrategy.ForClassLoader.WEAK)
        .include(advice);
    AgentBuilder result = builder
        // the strategy baseBuilder sets, again, to add the discovery only the names tell
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(new LoadedByName(named))
        .ignore(ignored(named));
    for (InstrumentationModule module : modules) {
      for (TypeInstrumentation type : module.typeInstrumentations()) {
        result =
            result
                .type(new NameFirst(type.types(), module.libraryCheck()))
                .transform(adviceBase.advice(type.methods(), type.advice()));
      }
    }
    return result;
  }

  /**
   * A unit's type matcher, checked before its library check, then "not synthetic" (ByteBuddy's
   * default ignore, kept for the types a unit names). Each unit's type matcher rejects by name
   * first, so a class no unit names costs a few string comparisons per unit: no parsed class file,
   * no class-loader lookup. ByteBuddy's own {@code type(types, loaders)} checks the loader first.
   */
  static final class NameFirst implements AgentBuilder.RawMatcher {
    private final ElementMatcher<? super TypeDescription> types;
    private final LibraryCheck library;

    NameFirst(ElementMatcher<? super TypeDescription> types, LibraryCheck library) {
      this.types = types;
      this.library = library;
    }

    @Override
    public boolean matches(TypeDescription type, ClassLoader loader, JavaModule module,
        Class<?> classBeingRedefined, ProtectionDomain protectionDomain) {
      return types.matches(type) && library.matches(loader) && !type.isSynthetic();
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
