/**
 * The cost model: a versioned price catalog, model-name resolution and exact per-call pricing.
 *
 * <p>{@link io.flowcost.collector.pricing.PriceCatalog} holds the prices (bundled, loaded from a
 * {@code --prices} file in Flowcost's or LiteLLM's format, or merged);
 * {@link io.flowcost.collector.pricing.ModelResolver} maps reported model names onto catalog
 * keys; {@link io.flowcost.collector.pricing.CallPricer} turns a
 * {@link io.flowcost.collector.pricing.TokenUsage} into a
 * {@link io.flowcost.collector.pricing.PriceResult}, exactly, rounding once per call;
 * {@link io.flowcost.collector.pricing.PriceCatalogWatcher} reloads a user file on change.
 * The formula and file format are documented in {@code docs/pricing.md}.
 */
package io.flowcost.collector.pricing;
