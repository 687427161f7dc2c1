package io.flowcost.collector.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowcost.collector.SafeText;
import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.OutcomeDecoder;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.budget.BudgetBoard;
import io.flowcost.collector.budget.LiveControl;
import io.flowcost.collector.ingest.SpanInterpreter;
import io.flowcost.collector.metrics.CollectorMetrics;
import io.flowcost.collector.otlp.BadInputException;
import io.flowcost.collector.otlp.OtlpTraceDecoder;
import io.flowcost.collector.pipeline.OutcomeConflictException;
import io.flowcost.collector.pipeline.Pipeline;
import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.CatalogWriter;
import io.flowcost.pricing.PriceCatalog;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The collector's HTTP surface: {@code POST /v1/traces} (OTLP/HTTP, protobuf and JSON),
 * {@code POST /v1/outcomes}, {@code GET /health}, {@code GET /metrics} (Prometheus text).
 *
 * <p>Handlers never block the event loop: decoding runs on worker threads and durability waits
 * on the write-ahead log's future. Bad input gets a 4xx with a message naming the problem.
 */
public final class CollectorServer {

  private static final Logger LOG = Logger.getLogger(CollectorServer.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API_KEY_HEADER = "X-Flowcost-Api-Key";

  /**
   * Server settings.
   *
   * @param requestTimeout a request whose body has not fully arrived this long after its headers
   *     is answered 408 and its connection closed (slow or stalled clients); also the idle timeout
   * @param tlsCert PEM certificate chain; with {@code tlsKey}, the server speaks HTTPS only
   * @param tlsKey PEM private key (PKCS#8 or PKCS#1)
   * @param maxInFlightBytes bytes of request bodies held at once (received and decompressed);
   *     a request beyond it gets 503 with Retry-After
   */
  public record Settings(String host, int port, long maxBodyBytes, int retryAfterSeconds,
      Duration requestTimeout, Path tlsCert, Path tlsKey, long maxInFlightBytes) {

    /** Plain HTTP with a 30 s request timeout, at most 4 largest bodies in flight. */
    public Settings(String host, int port, long maxBodyBytes, int retryAfterSeconds) {
      this(host, port, maxBodyBytes, retryAfterSeconds, Duration.ofSeconds(30), null, null,
          4 * maxBodyBytes);
    }

    public Settings {
      if ((tlsCert == null) != (tlsKey == null)) {
        throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key (PEM files)");
      }
      if (maxInFlightBytes < maxBodyBytes) {
        throw new IllegalArgumentException("the in-flight bound must hold at least one largest"
            + " body (--max-body)");
      }
    }
  }

  private final Vertx vertx;
  private final Settings settings;
  private final Pipeline pipeline;
  private final SpanInterpreter interpreter;
  private final OutcomeDecoder outcomes;
  private final ApiKeys apiKeys;
  private final RequestBodies bodies;
  private final CollectorMetrics metrics;
  private HttpServer server;
  private volatile LiveControl live;
  private volatile Supplier<CallPricer> pricer;
  private volatile RenderedCatalog renderedCatalog;

  /** Routes whose requests are counted under their own name; others count as {@code other}. */
  private static final java.util.Set<String> ROUTES =
      java.util.Set.of("/v1/traces", "/v1/outcomes", "/v1/budgets", "/v1/prices", "/health",
          "/metrics");
  /** Context key of the reason a request was refused, for the rejected-requests counter. */
  static final String REJECT_REASON = "flowcost.reject";

  public CollectorServer(Vertx vertx, Settings settings, Pipeline pipeline, ApiKeys apiKeys,
      CollectorMetrics metrics, Clock clock) {
    this.metrics = metrics;
    this.vertx = vertx;
    this.settings = settings;
    this.pipeline = pipeline;
    this.apiKeys = apiKeys;
    this.interpreter = new SpanInterpreter(clock);
    this.outcomes = new OutcomeDecoder(clock);
    this.bodies = new RequestBodies(settings.maxBodyBytes(), settings.maxInFlightBytes(),
        settings.retryAfterSeconds());
    metrics.registry().gauge("flowcost_inflight_body_bytes",
        "Bytes of request bodies held right now, received and decompressed",
        bodies::inFlight);
    metrics.registry().gauge("flowcost_inflight_body_bytes_limit",
        "Bytes of request bodies held at once beyond which requests get 503"
            + " (--max-inflight-bytes)", settings::maxInFlightBytes);
  }

  /** Starts listening; the future completes with the bound port. */
  public Future<Integer> start() {
    Router router = Router.router(vertx);
    router.route().order(-2).handler(this::observe);
    router.get("/health").handler(this::health);
    router.get("/v1/budgets").handler(this::authorize).handler(this::budgets);
    router.get("/v1/prices").handler(this::authorize).handler(this::prices);
    router.get("/metrics").handler(this::metrics);
    router.route().order(-1).handler(this::deadline);
    // authorised and admitted from the headers alone, before a byte of the body is read
    router.post("/v1/traces").handler(this::authorize).handler(this::admit).handler(bodies)
        .handler(this::traces);
    router.post("/v1/outcomes").handler(this::authorize).handler(this::admit).handler(bodies)
        .handler(this::outcomes);
    // the request's path is not echoed: nothing from a request goes back into a reply or a log
    router.route().last().handler(ctx -> error(ctx, 404,
        "no such endpoint (use POST /v1/traces, POST /v1/outcomes, GET /v1/budgets,"
            + " GET /v1/prices, GET /health, GET /metrics)"));
    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.host())
        .setPort(settings.port())
        .setIdleTimeout((int) Math.max(1, settings.requestTimeout().toSeconds()))
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        // HTTP/1.1 only (no h2c upgrade; no ALPN): a request answered before its body has
        // arrived is cut off by closing its connection, which HTTP/2 would share with others
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(false)
        // RequestBodies decompresses: a body that is not what its encoding says gets a 400
        .setDecompressionSupported(false);
    if (settings.tlsCert() != null) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(settings.tlsCert().toString())
          .setKeyPath(settings.tlsKey().toString()));
    }
    return vertx.createHttpServer(options).requestHandler(router).listen().map(s -> {
      server = s;
      return s.actualPort();
    });
  }

  /** Serves budget status from {@code live} ({@code GET /v1/budgets}); call before start. */
  public void budgets(LiveControl live) {
    this.live = live;
  }

  /**
   * {@code GET /v1/budgets}: every budget's status now, with an ETag; a poll whose
   * {@code If-None-Match} matches gets 304 and no body. Built from memory: nothing blocks.
   */
  private void budgets(RoutingContext ctx) {
    LiveControl l = live;
    String body = l == null ? "{\"budgets\":[]}" : l.board().json();
    String etag = BudgetBoard.etag(body);
    ctx.response().putHeader("ETag", etag).putHeader("Cache-Control", "no-cache");
    String match = ctx.request().getHeader("If-None-Match");
    if (match != null && match.strip().equals(etag)) {
      ctx.response().setStatusCode(304).end();
      return;
    }
    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(body);
  }

  /**
   * Serves the effective price catalog of {@code pricer} ({@code GET /v1/prices}); call before
   * start. Without it the bundled catalog is served.
   */
  public void prices(Supplier<CallPricer> pricer) {
    this.pricer = java.util.Objects.requireNonNull(pricer, "pricer");
  }

  /**
   * {@code GET /v1/prices}: the effective catalog (bundled plus {@code --prices}) in the catalog's
   * own format, with an ETag; a poll whose {@code If-None-Match} matches gets 304 and no body.
   * The body is rendered once per catalog (on a worker thread: a few hundred KB of JSON) and kept
   * until {@code --prices} reloads.
   */
  private void prices(RoutingContext ctx) {
    Supplier<CallPricer> p = pricer;
    PriceCatalog catalog = p == null ? PriceCatalog.bundled() : p.get().catalog();
    RenderedCatalog cached = renderedCatalog;
    if (cached != null && cached.catalog() == catalog) {
      serveCatalog(ctx, cached);
      return;
    }
    vertx.executeBlocking(() -> {
      String body = CatalogWriter.toJson(catalog);
      return new RenderedCatalog(catalog, body, BudgetBoard.etag(body));
    }, false).onSuccess(r -> {
      renderedCatalog = r;
      serveCatalog(ctx, r);
    }).onFailure(e -> {
      LOG.warning("could not render the price catalog (" + e.getClass().getSimpleName() + ")");
      error(ctx, 500, "the price catalog could not be rendered");
    });
  }

  private static void serveCatalog(RoutingContext ctx, RenderedCatalog r) {
    ctx.response().putHeader("ETag", r.etag()).putHeader("Cache-Control", "no-cache");
    String match = ctx.request().getHeader("If-None-Match");
    if (match != null && match.strip().equals(r.etag())) {
      ctx.response().setStatusCode(304).end();
      return;
    }
    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
        .end(r.body());
  }

  /** A catalog and its rendered {@code /v1/prices} body. */
  private record RenderedCatalog(PriceCatalog catalog, String body, String etag) {}

  /** Stops listening. */
  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /**
   * Gives every request a deadline for its body: a client that trickles bytes (slow loris) keeps
   * the connection from ever being idle, so the idle timeout alone would not free it.
   */
  private void deadline(RoutingContext ctx) {
    long timer = vertx.setTimer(settings.requestTimeout().toMillis(), id -> {
      if (!ctx.request().isEnded() && !ctx.response().ended()) {
        LOG.info("closed a connection whose request body did not arrive within "
            + settings.requestTimeout().toSeconds() + " s (408)");
        ctx.response().setStatusCode(408).putHeader("Connection", "close")
            .putHeader("Content-Type", "application/json")
            .end("{\"error\":\"request body not received in time\"}")
            .onComplete(v -> ctx.request().connection().close());
      }
    });
    ctx.addEndHandler(v -> vertx.cancelTimer(timer));
    ctx.next();
  }

  /**
   * Counts every answered request by route and status, and refused ones by reason. The route is
   * one of {@link #ROUTES} or {@code other}: a request's path never becomes a label value.
   */
  private void observe(RoutingContext ctx) {
    String path = ctx.request().path();
    String route = path != null && ROUTES.contains(path) ? path : "other";
    ctx.addEndHandler(v -> {
      int status = ctx.response().getStatusCode();
      metrics.request(route, status);
      if (status >= 400) {
        String reason = ctx.get(REJECT_REASON);
        metrics.rejected(route, reason != null ? reason : switch (status) {
          case 400 -> "bad_input";
          case 401 -> "unauthorized";
          case 404, 405 -> "not_found";
          case 408 -> "timeout";
          case 409 -> "conflict";
          case 413 -> "too_large";
          case 415 -> "unsupported_encoding";
          default -> "status_" + status;
        });
      }
    });
    ctx.next();
  }

  /**
   * {@code GET /metrics} in Prometheus text format 0.0.4. Rendered on a worker thread: the
   * health gauges read directory sizes from disk.
   *
   * <p>Who may scrape: with {@code --api-keys}, a valid API key or the scrape token (metrics
   * name intents, teams and their spend); without API keys, the scrape token when one is set,
   * else anyone who can reach the port (like {@code /health}).
   */
  private void metrics(RoutingContext ctx) {
    String token = metrics.settings().scrapeToken();
    if (apiKeys.enabled() || token != null) {
      String presented = presentedKey(ctx);
      boolean ok = presented != null && ((token != null && constantTimeEquals(presented, token))
          || (apiKeys.enabled() && apiKeys.owner(presented).isPresent()));
      if (!ok) {
        error(ctx, 401, "/metrics needs the scrape token (Authorization: Bearer, from"
            + " --metrics-token-file)" + (apiKeys.enabled() ? " or an API key" : ""));
        return;
      }
    }
    vertx.executeBlocking(() -> metrics.registry().render(), false)
        .onSuccess(text -> ctx.response().setStatusCode(200)
            .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text))
        .onFailure(e -> {
          LOG.warning("could not render /metrics (" + e.getClass().getSimpleName() + ")");
          error(ctx, 500, "metrics could not be rendered");
        });
  }

  private static boolean constantTimeEquals(String a, String b) {
    return java.security.MessageDigest.isEqual(
        a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The key a request presents: the API-key header, else a bearer token. */
  private static String presentedKey(RoutingContext ctx) {
    String key = ctx.request().getHeader(API_KEY_HEADER);
    if (key == null) {
      String auth = ctx.request().getHeader("Authorization");
      if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        key = auth.substring(7).trim();
      }
    }
    return key;
  }

  private void authorize(RoutingContext ctx) {
    if (!apiKeys.enabled()) {
      ctx.next();
      return;
    }
    String key = presentedKey(ctx);
    if (key == null || apiKeys.owner(key).isEmpty()) {
      error(ctx, 401, "missing or unknown API key: send it in the " + API_KEY_HEADER
          + " header (agent setting flowcost.api-key)");
      return;
    }
    ctx.put("flowcost.owner", apiKeys.owner(key).get());
    ctx.next();
  }

  private void admit(RoutingContext ctx) {
    if (pipeline.overloaded()) {
      ctx.put(REJECT_REASON, "overloaded");
      ctx.response().putHeader("Retry-After", Integer.toString(settings.retryAfterSeconds()));
      error(ctx, 503, "collector buffer is full (the lake is slow or unreachable); retry later");
      return;
    }
    ctx.next();
  }

  /**
   * What a worker handed to the write path, and the write path's promise: completes once the
   * rows are in the write-ahead log (the reply waits for it, on the event loop).
   */
  private record Submitted<T>(T value, java.util.concurrent.CompletableFuture<Integer> durable) {}

  private void traces(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    Map<String, String> ownerTags = ctx.get("flowcost.owner");
    vertx.<Submitted<IngestBatch>>executeBlocking(() -> {
      IngestBatch batch = decoding("spans", () -> {
        byte[] bytes = bodies.decoded(ctx);
        IngestBatch b = interpreter.interpret(OtlpTraceDecoder.decode(bytes, contentType));
        return ownerTags == null ? b : ApiKeys.applyOwnerTags(b, ownerTags);
      });
      // pricing and encoding the rows is CPU work: on this worker, never on the event loop
      return new Submitted<>(batch, pipeline.acceptSpans(batch));
    }, false).compose(s -> Future.fromCompletionStage(s.durable(), vertx.getOrCreateContext())
            .map(n -> s.value()))
        .onSuccess(batch -> {
          ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
          if (batch.rejected() > 0) {
            metrics.rejectedSpans(batch.rejectedByReason());
            response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                .setRejectedSpans(batch.rejected())
                .setErrorMessage(SafeText.of("rejected spans by reason: "
                    + new java.util.TreeMap<>(batch.rejectedByReason()), 1000)));
            LOG.warning("rejected " + batch.rejected() + " of " + batch.spansReceived()
                + " spans: " + SafeText.of(String.valueOf(batch.rejectedByReason()), 1000));
          }
          reply(ctx, contentType, response.build());
        })
        .onFailure(e -> failed(ctx, e, "spans"));
  }

  private void outcomes(RoutingContext ctx) {
    vertx.<Submitted<List<OutcomeRecord>>>executeBlocking(() -> {
      List<OutcomeRecord> list = decoding("outcomes", () -> outcomes.decode(bodies.decoded(ctx)));
      return new Submitted<>(list, pipeline.acceptOutcomes(list));
    }, false).compose(s -> Future.fromCompletionStage(s.durable(), vertx.getOrCreateContext())
            .map(n -> new int[] {s.value().size(), n}))
        .onSuccess(counts -> {
          ObjectNode body = JSON.createObjectNode();
          body.put("accepted", counts[0]);
          body.put("duplicates", counts[0] - counts[1]);
          ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
              .end(body.toString());
        })
        .onFailure(e -> {
          if (e instanceof OutcomeConflictException conflict) {
            // the message quotes the client's own id, escaped and cut (never other content)
            LOG.info("rejected a request with outcomes (409): " + conflict.getMessage());
            pipeline.outcomeRejected();
            error(ctx, 409, conflict.getMessage());
            return;
          }
          if (e instanceof BadInputException) {
            pipeline.outcomeRejected();
          }
          failed(ctx, e, "outcomes");
        });
  }

  /**
   * Runs a decoder. An exception other than {@link BadInputException} is a decoder bug the input
   * triggered: the same bytes would fail again, so it is answered 400 rather than a 503 that
   * makes the sender retry forever.
   */
  private static <T> T decoding(String what, java.util.concurrent.Callable<T> decode)
      throws Exception {
    try {
      return decode.call();
    } catch (BadInputException | RequestBodies.Refused e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warning("could not decode a request with " + what + " (" + e.getClass().getName()
          + "); answered 400");
      throw new BadInputException("request could not be decoded (" + e.getClass().getSimpleName()
          + ")");
    }
  }

  private void failed(RoutingContext ctx, Throwable e, String what) {
    if (e instanceof RequestBodies.Refused refused) {
      if (refused.status == 503) {
        ctx.response().putHeader("Retry-After", Integer.toString(settings.retryAfterSeconds()));
      }
      error(ctx, refused.status, refused.getMessage());
    } else if (e instanceof BadInputException bad) {
      if (what.equals("spans")) {
        pipeline.spansRequestRejected(1);
      }
      LOG.info("rejected a request with " + what + " (400): " + SafeText.of(bad.getMessage(), 1000));
      error(ctx, 400, bad.getMessage());
    } else if (e instanceof IllegalStateException) {
      ctx.put(REJECT_REASON, "shutting_down");
      ctx.response().putHeader("Retry-After", Integer.toString(settings.retryAfterSeconds()));
      error(ctx, 503, "collector is shutting down; retry against another instance or later");
    } else {
      LOG.warning("could not store " + what + " (" + e.getClass().getSimpleName()
          + "); answered 503 so the sender retries");
      ctx.put(REJECT_REASON, "storage_error");
      ctx.response().putHeader("Retry-After", Integer.toString(settings.retryAfterSeconds()));
      error(ctx, 503, "could not store the request durably; retry later");
    }
  }

  private static void reply(RoutingContext ctx, String contentType,
      ExportTraceServiceResponse response) {
    boolean json = contentType != null
        && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
    if (json) {
      ObjectNode body = JSON.createObjectNode();
      if (response.hasPartialSuccess()) {
        ObjectNode ps = body.putObject("partialSuccess");
        ps.put("rejectedSpans", response.getPartialSuccess().getRejectedSpans());
        ps.put("errorMessage", response.getPartialSuccess().getErrorMessage());
      }
      ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
          .end(body.toString());
    } else {
      ctx.response().setStatusCode(200).putHeader("Content-Type", "application/x-protobuf")
          .end(Buffer.buffer(response.toByteArray()));
    }
  }

  private void health(RoutingContext ctx) {
    ObjectNode body = JSON.createObjectNode();
    boolean overloaded = pipeline.overloaded();
    body.put("status", overloaded ? "overloaded" : "ok");
    body.put("buffered_rows", pipeline.bufferedRows());
    // bytes of request bodies held now, against --max-inflight-bytes (0 when idle)
    body.put("request_bytes_in_flight", bodies.inFlight());
    // Each model the catalog could not price, named from the first call on (docs/pricing.md).
    ObjectNode unpriced = body.putObject("unpriced_models");
    int shown = 0;
    for (java.util.Map.Entry<String, Long> e : pipeline.unpricedModels().entrySet()) {
      if (shown++ == 100) {
        body.put("unpriced_models_truncated", true);
        break;
      }
      unpriced.put(SafeText.of(e.getKey()), e.getValue());
    }
    LiveControl l = live;
    if (l != null && !l.board().budgets().isEmpty()) {
      ObjectNode b = body.putObject("budgets");
      b.put("count", l.board().budgets().size());
      b.put("store", l.storeState());
      b.put("store_up", l.storeUp());
      b.put("workflows_awaiting_root_span", l.ledger().pendingWorkflows());
      b.put("running_workflows", l.runaway().running());
      b.put("alerts_delivered", l.sender().delivered());
      b.put("alerts_queued", l.sender().queued());
      b.put("alerts_dropped", l.sender().dropped());
    }
    ctx.response().setStatusCode(overloaded ? 503 : 200)
        .putHeader("Content-Type", "application/json").end(body.toString());
  }

  /**
   * Answers with an error. A request answered before its body has fully arrived has its
   * connection closed after the reply, so the rest of a large body is never read: at most
   * {@link #LINGER_BYTES} more are read and discarded (never kept) for at most {@link
   * #LINGER_MILLIS}, so that a client still sending a small body reads the reply instead of a
   * connection reset. A client that wants to know before sending uses {@code Expect:
   * 100-continue}.
   */
  static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("error", SafeText.of(message, 1000));
    HttpServerRequest request = ctx.request();
    boolean unread = !request.isEnded();
    if (unread) {
      ctx.response().putHeader("Connection", "close");
    }
    Future<Void> written = ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json").end(body.toString());
    if (unread) {
      AtomicBoolean closing = new AtomicBoolean();
      long[] timer = {-1};
      Runnable close = () -> {
        if (closing.compareAndSet(false, true)) {
          ctx.vertx().cancelTimer(timer[0]);
          written.onComplete(v -> request.connection().close());
        }
      };
      timer[0] = ctx.vertx().setTimer(LINGER_MILLIS, id -> close.run());
      long[] discarded = {0};
      request.handler(chunk -> {
        discarded[0] += chunk.length();
        if (discarded[0] > LINGER_BYTES) {
          close.run();
        }
      });
      request.endHandler(v -> close.run());
      request.exceptionHandler(e -> close.run());
      request.resume();
    }
  }

  /** Bytes of an unread body discarded after an early reply before the connection is closed. */
  static final long LINGER_BYTES = 256 * 1024;
  /** Time an unread body is discarded after an early reply before the connection is closed. */
  static final long LINGER_MILLIS = 1000;
}
