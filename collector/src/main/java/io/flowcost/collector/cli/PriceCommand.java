package io.flowcost.collector.cli;

import io.flowcost.pricing.CallPricer;
import io.flowcost.pricing.CostTerm;
import io.flowcost.pricing.PriceCatalog;
import io.flowcost.pricing.PriceResult;
import io.flowcost.pricing.TokenUsage;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code price}: price one usage by hand and show every term, to check any row of the lake. */
@Command(name = "price", mixinStandardHelpOptions = true,
    description = {"Price one usage by hand and show each term, to check any row of the lake.",
        "Example: price --model claude-sonnet-4-5 --input 2000 --cache-read 800 --output 300",
        "--input counts ALL prompt tokens, cache reads and writes included (OTel GenAI meaning)."})
final class PriceCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "MODEL",
      description = "Model id as the provider reports it (snapshots, prefixes and aliases resolve).")
  String model;

  @Option(names = "--provider", paramLabel = "NAME",
      description = "gen_ai.provider.name (openai, anthropic, gcp.gemini, aws.bedrock, …); optional.")
  String provider;

  @Option(names = "--input", defaultValue = "0", description = "All prompt tokens.")
  long input;

  @Option(names = "--cache-read", defaultValue = "0", description = "Cache-read tokens (part of input).")
  long cacheRead;

  @Option(names = "--cache-write", defaultValue = "0",
      description = "All cache-write tokens (part of input).")
  long cacheWrite;

  @Option(names = "--cache-write-1h", defaultValue = "0",
      description = "Anthropic 1-hour cache writes (part of --cache-write).")
  long cacheWrite1h;

  @Option(names = "--output", defaultValue = "0", description = "All output tokens, reasoning included.")
  long output;

  @Option(names = "--reasoning", defaultValue = "0", description = "Reasoning tokens (part of output).")
  long reasoning;

  @Option(names = "--service-tier", paramLabel = "TIER",
      description = "Service tier the provider reported: standard, batch, flex, priority.")
  String serviceTier;

  @Option(names = "--embedding", description = "Price as an embedding call.")
  boolean embedding;

  @Option(names = "--at", paramLabel = "YYYY-MM-DD",
      description = "Price with the catalog entries in force on this UTC day (default: now).")
  LocalDate at;

  @Mixin
  PriceOverrides prices;

  @Override
  public Integer call() {
    PriceCatalog catalog = prices.catalog();
    CallPricer pricer = new CallPricer(catalog);
    TokenUsage usage = TokenUsage.builder().input(input).cacheRead(cacheRead)
        .cacheWrite(cacheWrite).cacheWrite1h(cacheWrite1h).output(output).reasoning(reasoning)
        .serviceTier(serviceTier).build();
    Instant when = at == null ? Instant.now() : at.atStartOfDay(ZoneOffset.UTC).toInstant();
    PriceResult r = embedding
        ? pricer.priceEmbeddingCall(provider, model, when, usage)
        : pricer.priceModelCall(provider, model, when, usage);
    System.out.println("catalog " + r.catalogVersion() + (r.priceKey() == null ? "" : ", entry " + r.priceKey()));
    if (r.unpriced()) {
      System.out.println("UNPRICED: '" + model + "' is not in the catalog; add it with --prices FILE");
      return 1;
    }
    for (CostTerm t : r.terms()) {
      System.out.printf("  %-28s %12d tokens × $%s / 1M = $%s%n", t.label(), t.tokens(),
          t.pricePerMillion().stripTrailingZeros().toPlainString(),
          t.amount().stripTrailingZeros().toPlainString());
    }
    System.out.println("  total (rounded HALF_EVEN to 9 decimals)          = $" + r.costUsd().toPlainString());
    System.out.println("  cache savings: gross $" + plain(r.cacheSavingsGrossUsd()) + ", net $"
        + plain(r.cacheSavingsNetUsd()));
    return 0;
  }

  private static String plain(BigDecimal v) {
    return v == null ? "-" : v.toPlainString();
  }
}
