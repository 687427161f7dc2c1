package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.flowcost.collector.Collector;
import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.examples.fakeprovider.FakeProvider;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * One end-to-end run, the set-up the end-to-end classes share: an embedded collector on a fresh
 * lake, an example app in a child JVM under the shaded agent — and, when asked, the same app
 * without the agent, at the same time against a fake provider of its own, so that the two outputs
 * can be compared — the fake provider's exchange log, and DuckDB with the lake's views installed.
 *
 * <pre>{@code
 * AgentRun r = AgentRun.builder("sdk3")
 *     .jar(sdk3AppJar())
 *     .fakeProvider(base -> List.of("--provider-url", base))
 *     .service("sdk3-app")
 *     .withoutAgentToo()
 *     .run();
 * }</pre>
 *
 * <p>Close it (in {@code @AfterAll}) to close the DuckDB connection and delete the run's files.
 */
final class AgentRun implements AutoCloseable {

  /**
   * JVM flags for child JVMs whose start-up speed is not what is tested: C1 only (these short
   * runs finish before C2 would pay off) and the serial collector (no GC threads to start). They
   * change neither the bytecode the agent weaves nor what the app does.
   */
  static final List<String> FAST_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /** {@link #FAST_START} followed by {@code jvmArgs}: the flags of a child JVM launched by hand. */
  static List<String> fastStart(List<String> jvmArgs) {
    List<String> all = new ArrayList<>(FAST_START);
    all.addAll(jvmArgs);
    return List.copyOf(all);
  }

  private static final String EXCHANGES_FILE = "exchanges.json";

  private final Path work;
  private final Path lake;
  private final List<ChildJvm.Result> runs;
  private final List<ChildJvm.Result> plains;
  private final List<FakeExchanges.Expected> exchanges;
  private final List<RecordingProxy.Seen> seen;
  private final List<RecordingProxy.Seen> plainSeen;
  private final Connection duck;

  private AgentRun(Path work, Path lake, List<ChildJvm.Result> runs, List<ChildJvm.Result> plains,
      List<FakeExchanges.Expected> exchanges, List<RecordingProxy.Seen> seen,
      List<RecordingProxy.Seen> plainSeen, Connection duck) {
    this.seen = seen;
    this.plainSeen = plainSeen;
    this.work = work;
    this.lake = lake;
    this.runs = List.copyOf(runs);
    this.plains = plains; // may hold nulls: an app whose run without the agent never came
    this.exchanges = exchanges;
    this.duck = duck;
  }

  /**
   * The collector of an end-to-end test: on 127.0.0.1 and an ephemeral port, the lake in {@code
   * work/lake}, its data dir {@code work/data}, flushing every 2 s (rows reach the lake while the
   * app runs, as in production, not only at close) and rolling up only when closed.
   */
  static Collector.Config.Builder collectorConfig(Path work, String instanceId) {
    return Collector.Config.builder()
        .port(0)
        .localLake(work.resolve("lake"))
        .dataDir(work.resolve("data"))
        .flushInterval(Duration.ofSeconds(2))
        .rollupDelay(Duration.ofHours(1))
        .maxBufferedRows(1_000_000)
        // The tests read what a stop flushed and rolled up; the grace's cut-short path has its own
        // tests (CollectorStopTest), so a loaded CI box must not cut it here.
        .shutdownGrace(Duration.ofMinutes(5))
        .instanceId(instanceId);
  }

  /**
   * The scheme, host and port of the fake provider's {@code baseUrl} (which ends in {@code /v1}):
   * the base of an SDK that adds its own version path (Gemini, Bedrock).
   */
  static String origin(String baseUrl) {
    if (!baseUrl.endsWith("/v1")) {
      throw new IllegalArgumentException("not a fake provider base URL: " + baseUrl);
    }
    return baseUrl.substring(0, baseUrl.length() - "/v1".length());
  }

  /** A run whose temporary directory is {@code flowcost-e2e-<name>…} and collector {@code e2e-<name>}. */
  static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Runs {@code builders} at the same time, each with its own collector, lake and fake provider
   * (for runs that share nothing: half the wall time on two cores), and returns them in the same
   * order. When one fails, those that finished are closed and the first failure is thrown with
   * the others suppressed.
   */
  static List<AgentRun> atOnce(Builder... builders) throws Exception {
    List<CompletableFuture<AgentRun>> started = new ArrayList<>();
    for (Builder b : builders) {
      started.add(ChildJvm.async(b::run));
    }
    List<AgentRun> done = new ArrayList<>();
    Throwable failed = null;
    for (int i = 0; i < builders.length; i++) {
      try {
        // ChildJvm bounds each child itself; this only guards against a lost future
        done.add(ChildJvm.await(started.get(i), builders[i].bound()));
      } catch (Exception | Error e) {
        if (failed == null) {
          failed = e;
        } else {
          failed.addSuppressed(e);
        }
      }
    }
    if (failed != null) {
      for (AgentRun r : done) {
        try {
          r.close();
        } catch (Exception e) {
          failed.addSuppressed(e);
        }
      }
      if (failed instanceof Exception e) {
        throw e;
      }
      throw (Error) failed;
    }
    return List.copyOf(done);
  }

  /** The run's temporary directory (lake, data dir, spool, exchange log, child output). */
  Path work() {
    return work;
  }

  /** The lake the collector wrote. */
  Path lake() {
    return lake;
  }

  /** The (first) app under the agent (its exit code was checked to be 0). */
  ChildJvm.Result run() {
    return runs.get(0);
  }

  /** The {@code i}-th app under the agent, in the order {@link Builder#thenApp()} added them. */
  ChildJvm.Result run(int i) {
    return runs.get(i);
  }

  /** The (first) app without the agent ({@link Builder#withoutAgentToo()}), or {@code null}. */
  ChildJvm.Result plain() {
    return plain(0);
  }

  /** The {@code i}-th app without the agent, or {@code null} without {@link Builder#withoutAgentToo()}. */
  ChildJvm.Result plain(int i) {
    return plains == null ? null : plains.get(i);
  }

  /** The exchanges of the run under the agent, as the fake provider logged them. */
  List<FakeExchanges.Expected> exchanges() {
    return exchanges;
  }

  /**
   * The propagation headers of every request of the runs under the agent, as the {@link
   * RecordingProxy} in front of their fake provider saw them ({@link Builder#proxied()}), or
   * {@code null}.
   */
  List<RecordingProxy.Seen> seen() {
    return seen;
  }

  /** As {@link #seen()}, for the runs without the agent, or {@code null}. */
  List<RecordingProxy.Seen> plainSeen() {
    return plainSeen;
  }

  /** The file holding {@link #exchanges()} as the fake provider wrote them (JSON). */
  Path exchangesFile() {
    return work.resolve(EXCHANGES_FILE);
  }

  /** An in-memory DuckDB with {@link LakeViews} over {@link #lake()} (horizon 7 days). */
  Connection duck() {
    return duck;
  }

  /** The first column of the first row of {@code sql}, as a long. */
  long scalar(String sql) throws SQLException {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The first column of the first row of {@code sql}, as a decimal (null stays null). */
  BigDecimal decimal(String sql) throws SQLException {
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }

  /** Closes DuckDB and deletes the run's directory. */
  @Override
  public void close() throws SQLException, IOException {
    duck.close();
    try (Stream<Path> files = Files.walk(work)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * What to run and how. Defaults: Java 17 (this JVM's), {@link #FAST_START}, a 120 s bound per
   * child JVM, one app, no run without the agent, a collector on 127.0.0.1 and an ephemeral port
   * that flushes every 2 s and rolls up only at close.
   */
  static final class Builder {
    private final String name;
    private Path java = ChildJvm.java17();
    /** The apps {@link #thenApp()} closed; the one being described is in the fields below. */
    private final List<App> apps = new ArrayList<>();
    private Path jar;
    private Class<?> mainClass;
    private Function<String, List<String>> appArgs = base -> List.of();
    private Function<String, List<String>> agentFlags = base -> List.of();
    private String service;
    private boolean fakeProvider;
    private boolean appWritesExchanges;
    private final List<String> jvmArgs = new ArrayList<>(FAST_START);
    private boolean withoutAgentToo;
    private boolean plainOutcomeSink;
    private boolean proxied;
    private long timeoutSeconds = 120;
    private UnaryOperator<Collector.Config.Builder> collector = UnaryOperator.identity();
    private Launcher launcher;
    private Collector.Live live = Collector.Live.NONE;

    /** One app of the run: what to launch, its arguments, its service and agent flags. */
    private record App(Path jar, Class<?> mainClass, Function<String, List<String>> args,
        String service, Function<String, List<String>> agentFlags) {}

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** The app: an executable jar. */
    Builder jar(Path jar) {
      this.jar = jar;
      this.mainClass = null;
      return this;
    }

    /** The app: a main class of this module's test class path. */
    Builder mainClass(Class<?> mainClass) {
      this.mainClass = mainClass;
      this.jar = null;
      return this;
    }

    /**
     * The apps talk to a {@link FakeProvider} started in this JVM, whose exchanges are the run's;
     * {@code args} are this app's arguments given the provider's base URL.
     */
    Builder fakeProvider(Function<String, List<String>> args) {
      this.fakeProvider = true;
      this.appWritesExchanges = false;
      this.appArgs = args;
      return this;
    }

    /**
     * The app starts a fake provider of its own and writes its exchanges where {@code
     * --exchanges FILE} (appended to {@code args}) says. Only for a run of one app.
     */
    Builder appWritesExchanges(List<String> args) {
      this.appWritesExchanges = true;
      this.fakeProvider = false;
      this.appArgs = base -> args;
      return this;
    }

    /** {@code -Dflowcost.service} of this app; unset: the agent's default. */
    Builder service(String service) {
      this.service = service;
      return this;
    }

    /** JVM flags of every run of every app, after {@link #FAST_START}. */
    Builder jvmArgs(String... args) {
      jvmArgs.addAll(List.of(args));
      return this;
    }

    /** Keeps JIT and GC as the JVM chooses them (for a test about them, or about start-up). */
    Builder normalStart() {
      jvmArgs.removeAll(FAST_START);
      return this;
    }

    /** More JVM flags of this app's run under the agent only, given the fake provider's base URL. */
    Builder agentFlags(Function<String, List<String>> flags) {
      this.agentFlags = flags;
      return this;
    }

    /**
     * Closes the description of the app so far and starts the next: {@link #jar}/{@link
     * #mainClass}, its {@link #fakeProvider} arguments, {@link #service} and {@link #agentFlags}
     * now describe another app, run under the agent after the previous one exited, against the
     * same fake provider and collector, with a spool of its own. JVM flags, the java launcher and
     * the collector stay the run's.
     */
    Builder thenApp() {
      apps.add(currentApp());
      jar = null;
      mainClass = null;
      appArgs = base -> List.of();
      agentFlags = base -> List.of();
      service = null;
      return this;
    }

    /**
     * Also runs the apps without the agent, at the same time as the runs under it, one after the
     * other as under it, against a fake provider of their own (so that neither side sees the
     * other's exchanges).
     */
    Builder withoutAgentToo() {
      this.withoutAgentToo = true;
      return this;
    }

    /**
     * The apps without the agent send what outcome-api reports (it does so itself when no agent
     * is there) to an HTTP sink of this JVM that accepts and drops it, so that their flush at exit
     * does not wait for a collector that is not there; their spool is in the run's directory.
     */
    Builder plainOutcomeSink() {
      this.plainOutcomeSink = true;
      return this;
    }

    /**
     * The apps talk to each fake provider through a {@link RecordingProxy} of its own, which
     * records the propagation headers of every request ({@link AgentRun#seen()}); the base URL
     * the apps' arguments and agent flags are given is the proxy's.
     */
    Builder proxied() {
      this.proxied = true;
      return this;
    }

    /**
     * How each child JVM is run to its end, for an app that must be driven while it runs (a
     * server the test sends requests to); default: {@link ChildJvm#run} or {@link
     * ChildJvm#runMain}, waiting for the app to exit within {@link #timeoutSeconds}.
     */
    Builder launcher(Launcher launcher) {
      this.launcher = launcher;
      return this;
    }

    /** The java launcher of both runs (default: this JVM's). */
    Builder java(Path java) {
      this.java = java;
      return this;
    }

    /** The bound on each child JVM (default 120 s). */
    Builder timeoutSeconds(long seconds) {
      this.timeoutSeconds = seconds;
      return this;
    }

    /** Changes to the collector's configuration (after the lake, data dir and defaults). */
    Builder collector(UnaryOperator<Collector.Config.Builder> change) {
      this.collector = change;
      return this;
    }

    /** Budgets and alerts of the collector (default {@link Collector.Live#NONE}). */
    Builder live(Collector.Live live) {
      this.live = live;
      return this;
    }

    /** How long all of this run's child JVMs may take, one after the other, and some. */
    private long bound() {
      return (apps.size() + 1) * timeoutSeconds + 60;
    }

    private App currentApp() {
      if (jar == null && mainClass == null) {
        throw new IllegalStateException("no app: call jar(..) or mainClass(..)");
      }
      return new App(jar, mainClass, appArgs, service, agentFlags);
    }

    /**
     * Runs it: returns once every app exited 0 under the agent, the collector closed (the SIGTERM
     * path: everything accepted flushed, then rolled up) and the views are installed.
     */
    AgentRun run() throws Exception {
      List<App> all = new ArrayList<>(apps);
      all.add(currentApp());
      if (appWritesExchanges && all.size() > 1) {
        throw new IllegalStateException("appWritesExchanges(..) is for a run of one app");
      }
      Path work = Files.createTempDirectory("flowcost-e2e-" + name);
      Path lake = work.resolve("lake");
      Path exchangesFile = work.resolve(EXCHANGES_FILE);
      List<ChildJvm.Result> runs = new ArrayList<>();
      List<ChildJvm.Result> plains = null;
      List<RecordingProxy.Seen> seen = null;
      List<RecordingProxy.Seen> plainSeen = null;
      if (proxied && !fakeProvider) {
        throw new IllegalStateException("proxied() goes with fakeProvider(..)");
      }
      try (FakeProvider fake = fakeProvider ? FakeProvider.start() : null;
          FakeProvider plainFake = fakeProvider && withoutAgentToo ? FakeProvider.start() : null;
          RecordingProxy proxy = proxied ? proxy(fake) : null;
          RecordingProxy plainProxy = proxied && plainFake != null ? proxy(plainFake) : null;
          OutcomeSink sink = withoutAgentToo && plainOutcomeSink ? OutcomeSink.start() : null) {
        String base = proxy != null ? proxy.root() + "/v1" : fake == null ? null : fake.baseUrl();
        String plainBase = plainProxy != null ? plainProxy.root() + "/v1"
            : plainFake == null ? null : plainFake.baseUrl();
        CompletableFuture<List<ChildJvm.Result>> plainRun = null;
        if (withoutAgentToo) {
          List<String> jvm = new ArrayList<>(jvmArgs);
          if (sink != null) {
            jvm.add("-Dflowcost.endpoint=http://127.0.0.1:" + sink.port());
            jvm.add("-Dflowcost.spool.dir=" + work.resolve("plain-spool"));
          }
          plainRun = ChildJvm.async(() -> {
            List<ChildJvm.Result> done = new ArrayList<>();
            for (App app : all) {
              done.add(launch(app, jvm,
                  args(app, plainBase, work.resolve("exchanges-without-agent.json")), work));
            }
            return done;
          });
        }
        Throwable failed = null;
        try {
          Collector c = Collector.start(
              collector.apply(collectorConfig(work, "e2e-" + name)).build(), live);
          try {
            for (int i = 0; i < all.size(); i++) {
              App app = all.get(i);
              List<String> jvm = new ArrayList<>(jvmArgs);
              jvm.add("-javaagent:" + ChildJvm.agentJar());
              jvm.add("-Dflowcost.endpoint=http://127.0.0.1:" + c.port());
              if (app.service() != null) {
                jvm.add("-Dflowcost.service=" + app.service());
              }
              // a spool of its own: spans another run left behind never reach this collector
              Path spool = work.resolve(i == 0 ? "spool" : "spool-" + i);
              jvm.add("-Dflowcost.spool.dir=" + spool);
              // the collector is up for the whole run: give the exit flush time to reach it on a
              // loaded machine (the 3 s default once left a whole run's spans in the spool in CI,
              // and the lake empty); an app's own flags, added after, still win
              jvm.add("-Dflowcost.shutdown.timeout.ms=30000");
              jvm.addAll(app.agentFlags().apply(base));
              ChildJvm.Result run = launch(app, jvm, args(app, base, exchangesFile), work);
              runs.add(run);
              reportSpooled(spool);
              // as before the next app starts: a failed app fails the run with its own output
              assertThat(run.exitCode()).as(run.stderr()).isZero();
            }
          } finally {
            c.close(); // SIGTERM path: flush everything accepted, then roll up
          }
        } catch (Exception | Error e) {
          failed = e;
          throw e;
        } finally {
          if (plainRun != null) {
            try {
              // ChildJvm bounds each child itself; this only guards against a lost future
              plains = ChildJvm.await(plainRun, all.size() * timeoutSeconds + 30);
            } catch (Exception e) {
              if (failed == null) {
                throw e;
              }
              failed.addSuppressed(e); // the run under the agent failing says more
            }
          }
        }
        if (fake != null) {
          fake.writeExchanges(exchangesFile);
        }
        if (proxy != null) {
          seen = List.copyOf(proxy.seen());
        }
        if (plainProxy != null) {
          plainSeen = List.copyOf(plainProxy.seen());
        }
      }
      System.out.printf("%s: %s ms without the agent, %s ms with it%n", name,
          plains == null ? "-" : plains.stream().map(p -> Long.toString(p.millis())).toList(),
          runs.stream().map(p -> Long.toString(p.millis())).toList());
      List<FakeExchanges.Expected> exchanges = Files.isRegularFile(exchangesFile)
          ? FakeExchanges.read(exchangesFile) : List.of();
      Connection duck = DriverManager.getConnection("jdbc:duckdb:");
      try {
        LakeViews.install(duck, lake, 7);
      } catch (SQLException | RuntimeException e) {
        duck.close();
        throw e;
      }
      return new AgentRun(work, lake, runs, plains, exchanges, seen, plainSeen, duck);
    }

    /**
     * Says so when spans were left in a run's spool at exit: they never reached the collector, so
     * a lake assertion that fails next has its cause printed beside it.
     */
    private static void reportSpooled(Path spool) throws IOException {
      if (!Files.isDirectory(spool)) {
        return;
      }
      try (Stream<Path> files = Files.walk(spool)) {
        // spooled requests are <stamp>-<spans>.otlp files in a folder per process
        List<String> left = files.map(f -> spool.relativize(f).toString())
            .filter(f -> f.endsWith(".otlp")).sorted().toList();
        if (!left.isEmpty()) {
          System.out.println("spans left in the spool at exit (not delivered to the collector): "
              + spool + " " + left);
        }
      }
    }

    private static RecordingProxy proxy(FakeProvider fake) throws IOException {
      return new RecordingProxy(origin(fake.baseUrl()));
    }

    private List<String> args(App app, String base, Path exchangesFile) {
      List<String> args = new ArrayList<>(app.args().apply(base));
      if (appWritesExchanges) {
        args.add("--exchanges");
        args.add(exchangesFile.toString());
      }
      return args;
    }

    private ChildJvm.Result launch(App app, List<String> jvm, List<String> args, Path work)
        throws Exception {
      if (launcher != null) {
        return launcher.launch(java, jvm, app.jar(), args, work,
            jvm.stream().anyMatch(a -> a.startsWith("-javaagent:")));
      }
      return app.jar() != null
          ? ChildJvm.run(java, jvm, app.jar(), args, work, timeoutSeconds)
          : ChildJvm.runMain(java, jvm, app.mainClass(), args, work, timeoutSeconds);
    }
  }

  /** How {@link Builder#launcher} runs one child JVM of the run to its end. */
  @FunctionalInterface
  interface Launcher {
    /**
     * Runs the app ({@code jar}) with {@code java}, JVM flags {@code jvm} and arguments {@code
     * args} in {@code work}, bounded in time, and returns how it ended; {@code underAgent} tells
     * the run under the agent from the one without.
     */
    ChildJvm.Result launch(Path java, List<String> jvm, Path jar, List<String> args, Path work,
        boolean underAgent) throws Exception;
  }

  /**
   * An HTTP server on 127.0.0.1 and an ephemeral port that reads every request and answers 200
   * with no body: where an app without the agent sends its outcome-api reports.
   */
  static final class OutcomeSink implements AutoCloseable {
    private final HttpServer server;

    private OutcomeSink(HttpServer server) {
      this.server = server;
    }

    static OutcomeSink start() throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", exchange -> {
        try (exchange) {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, -1);
        }
      });
      server.start();
      return new OutcomeSink(server);
    }

    int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
