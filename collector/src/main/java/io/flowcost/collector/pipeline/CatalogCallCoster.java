package io.flowcost.collector.pipeline;

import io.flowcost.collector.SafeText;
import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.Usage;
import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.PriceResult;
import io.flowcost.pricing.TokenUsage;
import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Prices call rows with the price catalog in force (re-read on every call, so a reloaded
 * {@code --prices} file applies at once).
 *
 * <p>An attempt that failed before the provider reported usage costs exactly 0. A model the
 * catalog does not know is unpriced (cost NULL), never 0, and is named in the log once. An
 * answered model call without usage (and without the agent's estimate) cannot be priced either;
 * its log line says so — the missing usage, not a missing price, is the reason.
 */
public final class CatalogCallCoster implements CallCoster {

  private static final Logger LOG = Logger.getLogger(CatalogCallCoster.class.getName());

  private final Supplier<CallPricer> pricer;
  /** How many distinct unpriced models are named in the log. */
  static final int MAX_NAMED_MODELS = 1000;

  /** Insertion-ordered so that /health lists models in the order first seen. */
  private final Map<String, AtomicLong> unpricedByModel =
      java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
  private volatile boolean tooManyNamed;
  /** Models named in the log for answered calls without usage (bounded like the above). */
  private final java.util.Set<String> noUsageNamed =
      java.util.Collections.synchronizedSet(new java.util.HashSet<>());

  public CatalogCallCoster(Supplier<CallPricer> pricer) {
    this.pricer = pricer;
  }

  @Override
  public Map<String, Long> unpricedModels() {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    synchronized (unpricedByModel) {
      unpricedByModel.forEach((k, v) -> out.put(k, v.get()));
    }
    return out;
  }

  @Override
  public CallRecord price(CallRecord call) {
    CallPricer p = pricer.get();
    PriceResult result;
    switch (call.kind()) {
      case "tool":
      case "retrieval":
        result = p.priceToolCall(call.toolName() == null ? call.kind() : call.toolName(),
            call.startTime());
        break;
      case "http":
        result = p.priceHttpCall(call.httpHost(), call.httpPath(), call.startTime());
        break;
      default:
        result = priceTokens(p, call);
    }
    if (result.unpriced() && call.usage() == null) {
      // the model may well be in the catalog: what is missing is the usage (an OpenAI stream
      // without stream_options.include_usage sent by something other than the Flowcost agent,
      // which estimates such usage, or an agent that never saw the request body)
      String model = call.provider() + "/" + model(call);
      if (namedOnce(noUsageNamed, model)) {
        LOG.warning("answered call of '" + SafeText.of(model) + "' reported no usage and carries no"
            + " estimate: its cost is unknown (cost NULL, unpriced=true), whatever the catalog"
            + " says; have the client report usage (OpenAI streams:"
            + " stream_options.include_usage) or record it with the Flowcost agent");
      }
    } else if (result.unpriced()) {
      String model = call.provider() + "/" + model(call);
      // model names come from requests: a sender inventing names must not grow this map (or
      // the log) without bound, so past MAX_NAMED_MODELS new names are no longer named
      AtomicLong n = unpricedByModel.size() < MAX_NAMED_MODELS
          ? unpricedByModel.computeIfAbsent(model, k -> new AtomicLong())
          : unpricedByModel.get(model);
      if (n == null) {
        if (!tooManyNamed) {
          tooManyNamed = true;
          LOG.warning("more than " + MAX_NAMED_MODELS + " distinct unpriced models: further ones"
              + " are not named in the log (the calls table has them all)");
        }
      } else if (n.getAndIncrement() == 0) {
        LOG.warning("unpriced model '" + SafeText.of(model) + "': its calls get cost NULL and unpriced=true;"
            + " add it to a --prices file (Flowcost or LiteLLM format) to price them");
      }
    }
    return call.withCost(result.costUsd(), result.cacheSavingsGrossUsd(),
        result.cacheSavingsNetUsd(), result.unpriced(), result.catalogVersion(),
        result.priceKey());
  }

  /** Whether {@code model} is new to {@code named} (and named there), at most MAX_NAMED_MODELS. */
  private static boolean namedOnce(java.util.Set<String> named, String model) {
    synchronized (named) {
      return named.size() < MAX_NAMED_MODELS && named.add(model);
    }
  }

  private static PriceResult priceTokens(CallPricer p, CallRecord call) {
    Usage u = call.usage();
    String version = p.catalog().version();
    if (u == null) {
      if ("error".equals(call.status())) {
        // failed before the provider produced usage (HTTP 4xx/5xx, I/O error): billed nothing
        return new PriceResult(BigDecimal.ZERO.setScale(CallPricer.SCALE), false,
            BigDecimal.ZERO.setScale(CallPricer.SCALE), BigDecimal.ZERO.setScale(CallPricer.SCALE),
            version, null, java.util.List.of());
      }
      return PriceResult.unpriced(version); // answered, but no usage reported: cannot price
    }
    TokenUsage usage = TokenUsage.builder()
        .input(u.input()).cacheRead(u.cacheRead()).cacheWrite(u.cacheWrite())
        .cacheWrite1h(u.cacheWrite1h()).output(u.output()).reasoning(u.reasoning())
        .serviceTier(u.serviceTier()).build();
    // embeddings use the same formula (CallPricer.priceEmbeddingCall); a row needs the totals
    // only, computed in exact nano-dollar integers
    return p.priceModelCallTotals(call.provider(), call.responseModel(), call.requestModel(),
        call.startTime(), usage);
  }

  private static String model(CallRecord call) {
    return call.responseModel() != null ? call.responseModel() : call.requestModel();
  }
}
