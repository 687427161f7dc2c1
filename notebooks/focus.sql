-- FOCUS-shaped view of Flowcost's costs (FinOps Open Cost and Usage Specification, 1.2 column
-- names), so FinOps tools can ingest Flowcost's data next to the providers' own FOCUS exports.
-- Run after lake.sql (it reads the `calls` and `workflows_latest` views), with TimeZone = 'UTC'.
--
-- One row per call attempt (the grain at which a provider bills). Flowcost prices every call at
-- the catalog's list price for the tier the provider reported, so BilledCost, EffectiveCost and
-- ListCost are the same figure; a negotiated discount would lower Billed/Effective only.
-- An unpriced call (model absent from the catalog) carries cost 0 here, because FOCUS costs are
-- never NULL, and x_Unpriced = true so nobody mistakes it for free.
-- Columns that Flowcost cannot know (invoice ids, commitment discounts, regions) are left out
-- rather than filled with NULLs; x_ columns are Flowcost's own (FOCUS's custom-column prefix).

CREATE OR REPLACE VIEW focus_costs AS
  SELECT
    CAST(coalesce(c.cost_usd, 0) AS DECIMAL(18,9)) AS BilledCost,
    CAST(coalesce(c.cost_usd, 0) AS DECIMAL(18,9)) AS EffectiveCost,
    CAST(coalesce(c.cost_usd, 0) AS DECIMAL(18,9)) AS ListCost,
    CAST(coalesce(c.cost_usd, 0) AS DECIMAL(18,9)) AS ContractedCost,
    'USD' AS BillingCurrency,
    date_trunc('month', c.start_time) AS BillingPeriodStart,
    date_trunc('month', c.start_time) + INTERVAL 1 MONTH AS BillingPeriodEnd,
    c.start_time AS ChargePeriodStart,
    coalesce(c.end_time, c.start_time) AS ChargePeriodEnd,
    'Usage' AS ChargeCategory,
    'Usage-Based' AS ChargeFrequency,
    concat_ws(' ', c.kind, coalesce(c.response_model, c.request_model, c.tool_name, c.http_host),
              CASE WHEN c.wasted THEN '(discarded)' END) AS ChargeDescription,
    'Standard' AS PricingCategory,
    coalesce(c.provider, c.http_host, 'internal') AS ProviderName,
    coalesce(c.provider, c.http_host, 'internal') AS PublisherName,
    coalesce(c.provider, c.http_host, 'internal') AS InvoiceIssuerName,
    CASE WHEN c.kind IN ('model', 'embedding')
         THEN coalesce(c.provider, 'unknown') || ' ' || c.kind || ' API'
         ELSE c.kind END AS ServiceName,
    'AI and Machine Learning' AS ServiceCategory,
    coalesce(c.price_key, c.response_model, c.request_model, c.tool_name, c.http_host)
      AS ResourceId,
    coalesce(c.response_model, c.request_model, c.tool_name, c.http_host) AS ResourceName,
    CASE c.kind WHEN 'model' THEN 'Model' WHEN 'embedding' THEN 'Embedding model'
                WHEN 'tool' THEN 'Tool' ELSE 'Endpoint' END AS ResourceType,
    c.price_key AS SkuId,
    CASE WHEN c.kind IN ('model', 'embedding')
         THEN CAST(coalesce(c.input_tokens, 0) + coalesce(c.output_tokens, 0) AS BIGINT)
         ELSE 1 END AS ConsumedQuantity,
    CASE WHEN c.kind IN ('model', 'embedding') THEN 'Tokens' ELSE 'Requests' END AS ConsumedUnit,
    CASE WHEN c.kind IN ('model', 'embedding')
         THEN CAST((coalesce(c.input_tokens, 0) + coalesce(c.output_tokens, 0)) / 1e6
                   AS DECIMAL(18,9))
         ELSE 1 END AS PricingQuantity,
    CASE WHEN c.kind IN ('model', 'embedding') THEN '1M Tokens' ELSE 'Requests' END
      AS PricingUnit,
    w.team AS SubAccountId,
    w.team AS SubAccountName,
    coalesce(w.tags, MAP {}::MAP(VARCHAR, VARCHAR)) AS Tags,
    w.team AS x_Team,
    w.feature AS x_Feature,
    w.env AS x_Env,
    coalesce(w.workflow_name, '(unnamed)') AS x_Intent,
    c.service AS x_Service,
    c.workflow_id AS x_WorkflowId,
    c.call_id AS x_CallId,
    c.span_id AS x_SpanId,
    c.attempt AS x_Attempt,
    c.kind AS x_CallKind,
    c.service_tier AS x_ServiceTier,
    c.input_tokens AS x_InputTokens,
    c.cache_read_tokens AS x_CacheReadTokens,
    c.cache_write_tokens AS x_CacheWriteTokens,
    c.output_tokens AS x_OutputTokens,
    c.wasted AS x_Wasted,
    c.waste_cause AS x_WasteCause,
    w.outcome AS x_Outcome,
    c.unpriced AS x_Unpriced,
    c.tokens_estimated AS x_TokensEstimated,
    c.catalog_version AS x_CatalogVersion
  FROM calls c
  LEFT JOIN workflows_latest w ON w.workflow_id = c.workflow_id;
