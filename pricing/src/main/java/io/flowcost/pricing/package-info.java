/**
 * The cost model: a versioned price catalog, model-name resolution and exact per-call pricing.
 *
 * <p>{@link io.flowcost.pricing.PriceCatalog} holds the prices (bundled, loaded from a
 * {@code --prices} file in Flowcost's or LiteLLM's format, or merged);
 * {@link io.flowcost.pricing.ModelResolver} maps reported model names onto catalog
 * keys; {@link io.flowcost.pricing.CallPricer} turns a
 * {@link io.flowcost.pricing.TokenUsage} into a
 * {@link io.flowcost.pricing.PriceResult}, exactly, rounding once per call;
 * {@link io.flowcost.pricing.PriceCatalogWatcher} reloads a user file on change.
 * The formula and file format are documented in {@code docs/pricing.md}.
 */
package io.flowcost.pricing;
