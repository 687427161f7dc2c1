-- Flowcost lake views for DuckDB (docs/lake.md documents every column).
--
-- Loaders (the collector's `report`/`rollup`, notebooks/flowcost_lake.py) replace each
-- `{{table}}` placeholder with
--   read_parquet('<lake>/<table>/date=*/*.parquet', hive_partitioning = true, union_by_name = true)
-- or, when the table has no file yet, with `(SELECT * FROM flowcost_empty_<table>)`, and
-- `{{horizon_days}}` with the outcome horizon (default 7). Run it with TimeZone = 'UTC'.
-- For `calls` and `workflow_spans` they also replace `{{table:compacted}}` with the files of the
-- days that hold exactly one file and that file is `compact`'s output (Parquet key-value
-- metadata `flowcost.compacted_files`), and `{{table:rest}}` with every other file (each the
-- typed empty table when there is none): see "De-duplication" in docs/lake.md.
-- For `calls` the compacted days are split once more: `{{calls:aggregated}}` the compacted files
-- of days that also hold `compact`'s per-workflow pre-aggregate of exactly that file and no
-- re-pricing (`call_prices`) file, `{{call_totals_daily:aggregated}}` those pre-aggregates, and
-- `{{calls:compacted}}` the other compacted days: see "Per-day call totals" in docs/lake.md.
-- `{{calls:aggregated_foreign}}` is the subset of `{{calls:aggregated}}` whose row groups'
-- statistics of `foreign_span` allow a true (not every value NULL, a maximum not false).
-- Everything below is plain SQL over the fact tables, so the same definitions answer on Spark or
-- Trino with at most dialect changes (QUALIFY, arg_min/arg_max, struct_pack, map access).

SET TimeZone = 'UTC';
-- Every view over the fact tables is bound when it is created and again in each query, and each
-- bind reads the footer of every Parquet file it names: caching the footers (the lake's files are
-- never rewritten in place; a new file has a new name) took about a third of the CPU off
-- installing these views on a 28-day lake. DuckDB-only, like the statement above.
SET parquet_metadata_cache = true;

-- Typed empty stand-ins for tables that have no file yet.
CREATE OR REPLACE TEMP TABLE flowcost_empty_calls (
  workflow_id VARCHAR, call_id VARCHAR, span_id VARCHAR, parent_span_id VARCHAR, kind VARCHAR,
  operation VARCHAR, service VARCHAR, provider VARCHAR, request_model VARCHAR,
  response_model VARCHAR, attempt INTEGER, status VARCHAR, error_type VARCHAR,
  http_status INTEGER, finish_reason VARCHAR, service_tier VARCHAR, streaming BOOLEAN,
  input_tokens BIGINT, cache_read_tokens BIGINT, cache_write_tokens BIGINT,
  cache_write_1h_tokens BIGINT, output_tokens BIGINT, reasoning_tokens BIGINT,
  tokens_estimated BOOLEAN, cost_usd DECIMAL(18,9), cache_savings_gross_usd DECIMAL(18,9),
  cache_savings_net_usd DECIMAL(18,9), unpriced BOOLEAN, wasted BOOLEAN, waste_cause VARCHAR,
  tool_name VARCHAR, http_host VARCHAR, http_path VARCHAR, start_time TIMESTAMPTZ,
  end_time TIMESTAMPTZ, duration_ms DOUBLE, catalog_version VARCHAR, price_key VARCHAR,
  received_at TIMESTAMPTZ, provider_cost_usd DECIMAL(18,9), response_id VARCHAR,
  foreign_span BOOLEAN, date DATE);
-- The per-workflow, per-day pre-aggregate of a compacted calls day (call_totals_partial below).
CREATE OR REPLACE TEMP TABLE flowcost_empty_call_totals_daily (
  workflow_id VARCHAR, first_call_time TIMESTAMPTZ, last_call_time TIMESTAMPTZ,
  first_service VARCHAR, first_service_time TIMESTAMPTZ, calls BIGINT, attempts BIGINT,
  failed_attempts BIGINT, model_calls BIGINT, tool_calls BIGINT, input_tokens BIGINT,
  cache_read_tokens BIGINT, cache_write_tokens BIGINT, output_tokens BIGINT,
  reasoning_tokens BIGINT, cost_usd DECIMAL(38,9), call_waste_usd DECIMAL(38,9),
  cache_savings_gross_usd DECIMAL(38,9), cache_savings_net_usd DECIMAL(38,9),
  unpriced_calls BIGINT, estimated_calls BIGINT,
  call_kinds STRUCT(call_id VARCHAR, kind VARCHAR)[], date DATE);
CREATE OR REPLACE TEMP TABLE flowcost_empty_call_prices (
  span_id VARCHAR, workflow_id VARCHAR, price_version BIGINT, cost_usd DECIMAL(18,9),
  cache_savings_gross_usd DECIMAL(18,9), cache_savings_net_usd DECIMAL(18,9), unpriced BOOLEAN,
  catalog_version VARCHAR, price_key VARCHAR, start_time TIMESTAMPTZ, repriced_at TIMESTAMPTZ,
  date DATE);
CREATE OR REPLACE TEMP TABLE flowcost_empty_workflow_spans (
  workflow_id VARCHAR, span_id VARCHAR, workflow_name VARCHAR, service VARCHAR, source VARCHAR,
  start_time TIMESTAMPTZ, end_time TIMESTAMPTZ, duration_ms DOUBLE, error BOOLEAN,
  error_type VARCHAR, tags MAP(VARCHAR, VARCHAR), external_key VARCHAR,
  conversation_id VARCHAR, user_id VARCHAR, received_at TIMESTAMPTZ, date DATE);
CREATE OR REPLACE TEMP TABLE flowcost_empty_outcomes (
  outcome_id VARCHAR, workflow_id VARCHAR, external_key VARCHAR, status VARCHAR,
  reason VARCHAR, value DECIMAL(18,9), unit VARCHAR, reported_at TIMESTAMPTZ,
  received_at TIMESTAMPTZ, date DATE);
CREATE OR REPLACE TEMP TABLE flowcost_empty_workflows (
  day DATE, version BIGINT, workflow_id VARCHAR, workflow_name VARCHAR, service VARCHAR,
  start_time TIMESTAMPTZ, end_time TIMESTAMPTZ, tags MAP(VARCHAR, VARCHAR), team VARCHAR,
  feature VARCHAR, env VARCHAR, external_key VARCHAR, conversation_id VARCHAR,
  error BOOLEAN, outcome VARCHAR, outcome_reason VARCHAR, outcome_reported_at TIMESTAMPTZ,
  calls BIGINT, attempts BIGINT, failed_attempts BIGINT, model_calls BIGINT,
  tool_calls BIGINT, input_tokens BIGINT, cache_read_tokens BIGINT,
  cache_write_tokens BIGINT, output_tokens BIGINT, reasoning_tokens BIGINT,
  cost_usd DECIMAL(18,9), call_waste_usd DECIMAL(18,9), failure_waste_usd DECIMAL(18,9),
  cache_savings_gross_usd DECIMAL(18,9), cache_savings_net_usd DECIMAL(18,9),
  unpriced_calls BIGINT, estimated_calls BIGINT, cost_complete BOOLEAN, date DATE);
CREATE OR REPLACE TEMP TABLE flowcost_empty_cost_per_outcome (
  day DATE, version BIGINT, workflow_name VARCHAR, service VARCHAR, team VARCHAR,
  feature VARCHAR, env VARCHAR, workflows BIGINT, successes BIGINT, failures BIGINT,
  unknown BIGINT, total_cost_usd DECIMAL(18,9), failure_waste_usd DECIMAL(18,9),
  cache_savings_gross_usd DECIMAL(18,9), cache_savings_net_usd DECIMAL(18,9),
  cost_per_success_usd DECIMAL(18,9), unpriced_calls BIGINT, date DATE);
CREATE OR REPLACE TEMP TABLE flowcost_empty_rollups (
  day DATE, version BIGINT, workflows BIGINT, collector_id VARCHAR, rolled_up_at TIMESTAMPTZ,
  date DATE);
CREATE OR REPLACE TEMP TABLE flowcost_empty_cap_breaches (
  workflow_id VARCHAR, span_id VARCHAR, workflow_name VARCHAR, service VARCHAR,
  cap_kind VARCHAR, cap_limit DECIMAL(18,9), spent DECIMAL(18,9), unit VARCHAR, mode VARCHAR,
  enforced BOOLEAN, model_calls BIGINT, tool_calls BIGINT, breached_at TIMESTAMPTZ,
  received_at TIMESTAMPTZ, date DATE);
CREATE OR REPLACE TEMP TABLE flowcost_empty_coverage (
  day DATE, service VARCHAR, collector_id VARCHAR, spans_received BIGINT,
  spans_rejected BIGINT, calls_written BIGINT, outcomes_received BIGINT,
  outcomes_rejected BIGINT, agent_dropped_spans BIGINT, rows_quarantined BIGINT,
  recorded_at TIMESTAMPTZ, date DATE);

-- Fact tables, each row once: a raw glob reader may see a row twice while compaction or a
-- write-ahead-log replay runs; these views never do.
-- De-duplication is paid once, by `compact`, not by every query: a compacted day (one file,
-- written by `compact`, which keeps the earliest received row of each key) is read as it is, and
-- only the other files (today, days not compacted yet, a day that got a late file or is being
-- compacted) go through the window. Exact because every row of one span_id lies in the same
-- `date` partition: the UTC day of its start_time, which every report of the span (agent spool
-- re-send, write-ahead-log replay, another collector) carries unchanged; so a row of a compacted
-- day has no duplicate in any other file (docs/lake.md, "De-duplication").
-- calls: unioned by name with its typed empty table, so a column added later
-- (provider_cost_usd, calls schema 2) exists, NULL, while every file is older.
-- calls_original: each call with the cost it was written with (kept for audit).
-- calls_original_unaggregated: every row except the non-foreign rows of aggregated days (days
-- whose per-workflow totals `compact` wrote: call_totals_daily), which call_totals reads from
-- those pre-aggregates instead. Foreign rows stay here wherever they are, because whether one
-- counts (calls_repeated_reports) is decided over the whole lake, not per day.
-- (Unioned by name with the typed empty table first, so a file older than a column reads it NULL.)
CREATE OR REPLACE VIEW calls_aggregated_days AS
  SELECT * FROM flowcost_empty_calls
  UNION ALL BY NAME SELECT * FROM {{calls:aggregated}};

-- The foreign rows of aggregated days, read only from the files that may hold one: another
-- producer's rows are rare, and a file without any was otherwise read through (DuckDB does not
-- skip a row group whose foreign_span is all NULL) by every view over calls: at 10^7 calls with
-- none, 0.7-1 s of call_totals' CPU (docs/benchmarks.md, twelfth round). A file left out holds
-- no row with foreign_span true, so the rows below are the same.
CREATE OR REPLACE VIEW calls_aggregated_foreign AS
  SELECT * FROM (SELECT * FROM flowcost_empty_calls
                 UNION ALL BY NAME SELECT * FROM {{calls:aggregated_foreign}})
  WHERE foreign_span;

CREATE OR REPLACE VIEW calls_original_unaggregated AS
  SELECT * FROM flowcost_empty_calls
  UNION ALL BY NAME SELECT * FROM {{calls:compacted}}
  UNION ALL BY NAME SELECT * FROM calls_aggregated_foreign
  UNION ALL BY NAME
  SELECT * FROM (SELECT * FROM {{calls:rest}}
                 QUALIFY row_number() OVER (PARTITION BY span_id ORDER BY received_at, date) = 1);

CREATE OR REPLACE VIEW calls_original AS
  SELECT * FROM calls_original_unaggregated
  UNION ALL BY NAME SELECT * FROM calls_aggregated_days WHERE foreign_span IS NOT TRUE;

-- call_prices: re-pricings written by `reprice`; per call, the highest price_version wins.
CREATE OR REPLACE VIEW call_prices_latest AS
  SELECT * FROM {{call_prices}}
  QUALIFY row_number() OVER (PARTITION BY span_id ORDER BY price_version DESC, date) = 1;

-- One provider response reported by two producers (docs/spans.md, "One provider request
-- reported twice"): the agent's attempt and the app's own GenAI span (Spring AI's observations),
-- in different traces, possibly through different collectors. Per response id, Flowcost's rows
-- count and another producer's row of the same response is a repeated report; when only other
-- producers reported it, the first row received counts. Decided here, over every row ever
-- written, so it holds across collector restarts and collectors.
CREATE OR REPLACE VIEW calls_repeated_reports AS
  SELECT span_id, workflow_id, shadows_flowcost
  FROM (
    SELECT span_id, workflow_id, coalesce(foreign_span, false) AS foreign_span,
           row_number() OVER w AS report,
           NOT first_value(coalesce(foreign_span, false)) OVER w
             AND first_value(workflow_id) OVER w <> workflow_id AS shadows_flowcost
    FROM calls_original
    WHERE response_id IS NOT NULL AND kind <> 'tool'
    WINDOW w AS (PARTITION BY response_id
                 ORDER BY coalesce(foreign_span, false), received_at, span_id))
  WHERE report > 1 AND foreign_span;

-- Traces of another producer that shadow a Flowcost workflow: one of their model requests is a
-- Flowcost row of another trace, and no row of theirs is Flowcost's. The agent recorded that
-- work itself (its tool executions included), so none of the trace's rows and not the trace as
-- a workflow count.
CREATE OR REPLACE VIEW shadow_workflows AS
  SELECT DISTINCT r.workflow_id
  FROM calls_repeated_reports r
  WHERE r.shadows_flowcost
    AND NOT EXISTS (SELECT 1 FROM calls_original c
                    WHERE c.workflow_id = r.workflow_id AND NOT coalesce(c.foreign_span, false));

-- calls: each call once, priced by its latest re-pricing if any, else as written; repeated
-- reports and the rows of shadow workflows left out. Tokens, wasted and waste_cause are the
-- call's own; only the pricing columns are replaced.
-- calls_unaggregated: the same for the rows of calls_original_unaggregated; calls adds the
-- non-foreign rows of aggregated days as they are: a non-foreign row is never a repeated report
-- nor a shadow workflow's, and an aggregated day has no re-pricing (a call_prices row lies in
-- its call's start day, and a day with a call_prices file is not aggregated).
CREATE OR REPLACE VIEW calls_unaggregated AS
  SELECT o.* REPLACE (
           CASE WHEN p.span_id IS NULL THEN o.cost_usd ELSE p.cost_usd END AS cost_usd,
           CASE WHEN p.span_id IS NULL THEN o.cache_savings_gross_usd
                ELSE p.cache_savings_gross_usd END AS cache_savings_gross_usd,
           CASE WHEN p.span_id IS NULL THEN o.cache_savings_net_usd
                ELSE p.cache_savings_net_usd END AS cache_savings_net_usd,
           CASE WHEN p.span_id IS NULL THEN o.unpriced ELSE p.unpriced END AS unpriced,
           CASE WHEN p.span_id IS NULL THEN o.catalog_version ELSE p.catalog_version END
             AS catalog_version,
           CASE WHEN p.span_id IS NULL THEN o.price_key ELSE p.price_key END AS price_key)
  FROM calls_original_unaggregated o
  LEFT JOIN call_prices_latest p ON p.span_id = o.span_id
  WHERE o.span_id NOT IN (SELECT span_id FROM calls_repeated_reports)
    AND NOT (coalesce(o.foreign_span, false)
             AND o.workflow_id IN (SELECT workflow_id FROM shadow_workflows));

CREATE OR REPLACE VIEW calls AS
  SELECT * FROM calls_unaggregated
  UNION ALL BY NAME SELECT * FROM calls_aggregated_days WHERE foreign_span IS NOT TRUE;

-- Every pricing of every call, for audit: the original (price_version 0, priced when received)
-- and each re-pricing, newest first.
CREATE OR REPLACE VIEW call_prices_history AS
  SELECT span_id, workflow_id, price_version, priced_at, cost_usd, cache_savings_gross_usd,
         cache_savings_net_usd, unpriced, catalog_version, price_key, start_time
  FROM (
    SELECT span_id, workflow_id, CAST(0 AS BIGINT) AS price_version, received_at AS priced_at,
           cost_usd, cache_savings_gross_usd, cache_savings_net_usd, unpriced, catalog_version,
           price_key, start_time
    FROM calls_original
    UNION ALL
    SELECT span_id, workflow_id, price_version, repriced_at, cost_usd, cache_savings_gross_usd,
           cache_savings_net_usd, unpriced, catalog_version, price_key, start_time
    FROM {{call_prices}}
    QUALIFY row_number() OVER (PARTITION BY span_id, price_version ORDER BY date) = 1)
  ORDER BY span_id, price_version DESC;

-- As calls_original: compacted days as they are, the other files de-duplicated.
CREATE OR REPLACE VIEW workflow_spans AS
  SELECT * FROM flowcost_empty_workflow_spans
  UNION ALL BY NAME SELECT * FROM {{workflow_spans:compacted}}
  UNION ALL BY NAME
  SELECT * FROM (SELECT * FROM {{workflow_spans:rest}}
                 QUALIFY row_number() OVER (PARTITION BY span_id ORDER BY received_at, date) = 1);

-- Almost every outcome is reported once: only outcome ids found more than once (candidates by a
-- 64-bit hash of the id, a narrow grouping, then the exact ids among them) go through the window,
-- which sorted every outcome of the lake. A NULL id (never written: the key is required) would
-- go through the window too, as before.
CREATE OR REPLACE VIEW outcomes AS
  WITH o AS (SELECT * FROM {{outcomes}}),
  repeated AS (
    SELECT outcome_id FROM o
    WHERE outcome_id IS NOT NULL
      AND hash(outcome_id) IN (SELECT hash(outcome_id) FROM o GROUP BY 1 HAVING count(*) > 1)
    GROUP BY outcome_id HAVING count(*) > 1
  )
  SELECT * FROM o
  WHERE outcome_id IS NOT NULL AND outcome_id NOT IN (SELECT outcome_id FROM repeated)
  UNION ALL
  SELECT * FROM (
    SELECT * FROM o
    WHERE outcome_id IS NULL OR outcome_id IN (SELECT outcome_id FROM repeated)
    QUALIFY row_number() OVER (PARTITION BY outcome_id ORDER BY received_at, date) = 1);

-- Caps a workflow reached in the agent (warned or enforced), each breach once.
CREATE OR REPLACE VIEW cap_breaches AS
  SELECT * FROM {{cap_breaches}}
  QUALIFY row_number() OVER (PARTITION BY span_id ORDER BY received_at, date) = 1;

-- One row per workflow from its root span(s); the earliest root names the workflow.
-- Almost every workflow has one root, which is then its row as it is (the aggregates of one row
-- are its values); only workflows with several roots are aggregated, which spares the arg_min of
-- every workflow's tags.
CREATE OR REPLACE VIEW workflow_roots AS
  WITH roots AS (
    SELECT workflow_id, workflow_name, service, start_time, end_time, tags, external_key,
           conversation_id, error
    FROM workflow_spans
    WHERE workflow_id NOT IN (SELECT workflow_id FROM shadow_workflows)
  ),
  several AS (
    -- candidates by a 64-bit hash of the id (a narrow grouping), then the exact ids among them
    -- (a collision only makes that second grouping larger)
    SELECT workflow_id FROM roots
    WHERE hash(workflow_id) IN (SELECT hash(workflow_id) FROM roots GROUP BY 1 HAVING count(*) > 1)
    GROUP BY workflow_id HAVING count(*) > 1
  )
  SELECT * FROM roots WHERE workflow_id NOT IN (SELECT workflow_id FROM several)
  UNION ALL
  SELECT workflow_id,
         arg_min(workflow_name, start_time) AS workflow_name,
         arg_min(service, start_time) AS service,
         min(start_time) AS start_time,
         max(end_time) AS end_time,
         arg_min(tags, start_time) AS tags,
         max(external_key) AS external_key,
         max(conversation_id) AS conversation_id,
         bool_or(error) AS error
  FROM roots
  WHERE workflow_id IN (SELECT workflow_id FROM several)
  GROUP BY workflow_id;

-- Outcomes resolved to workflows: by id, or by external key. A key can be reused (a ticket
-- reopened, an order retried): its outcome goes to the most recent workflow with that key that
-- started at or before the outcome was reported; when none had (clocks of two hosts disagree),
-- to the earliest one with the key. Ties on start time go to the smaller workflow id.
CREATE OR REPLACE VIEW outcomes_resolved AS
  WITH o AS (
    -- the outcomes view once: named twice below (the keyed ones, every one), it would otherwise
    -- be derived twice, each time reading every outcome and grouping their ids (DuckDB keeps a
    -- CTE named twice; a view named twice is expanded twice)
    SELECT * FROM outcomes
  ),
  keyed AS (
    SELECT * FROM o WHERE workflow_id IS NULL
  ),
  keyed_roots AS (
    -- workflow_roots' workflow_id, start_time and external_key (the min and the max over a
    -- workflow's roots; a single root's own values), only for the workflows one of whose roots
    -- carries a key an outcome names (none when every outcome names its workflow). Read from
    -- workflow_spans' three narrow columns instead of from workflow_roots: that view's every
    -- column and its grouping of every workflow cost about a tenth of workflows_derived at 10^7
    -- calls, to find no row when no outcome is reported by key. A workflow whose max key is a
    -- named key has a root with that key, so it is among the candidates.
    SELECT workflow_id, min(start_time) AS start_time, max(external_key) AS external_key
    FROM workflow_spans
    WHERE workflow_id IN (SELECT workflow_id FROM workflow_spans
                          WHERE external_key IN (SELECT external_key FROM keyed))
      AND workflow_id NOT IN (SELECT workflow_id FROM shadow_workflows)
    GROUP BY workflow_id
  ),
  by_key AS (
    SELECT o.outcome_id, r.workflow_id
    FROM keyed o
    JOIN keyed_roots r ON r.external_key = o.external_key
    QUALIFY row_number() OVER (
      PARTITION BY o.outcome_id
      ORDER BY CASE WHEN r.start_time <= o.reported_at THEN 0 ELSE 1 END,
               CASE WHEN r.start_time <= o.reported_at THEN r.start_time END DESC,
               r.start_time, r.workflow_id) = 1
  )
  SELECT o.*,
         coalesce(o.workflow_id, k.workflow_id) AS resolved_workflow_id
  FROM o
  LEFT JOIN by_key k ON k.outcome_id = o.outcome_id;

-- A workflow's call totals in one day: what `compact` writes per closed day into call_totals_daily
-- (run over that day's non-foreign rows, as calls_unaggregated there), and what call_totals
-- computes over the rows not pre-aggregated. Every column merges across days by a sum, a min, a
-- max or an arg_min over first_service_time (the start of the earliest call that names a
-- service), except the distinct call counts: a call's attempts can start on two days, so a
-- workflow with totals in more than one part is counted again from its calls (call_totals).
-- One definition for both: Compactor and lake_benchmark.py run this statement over a day.
CREATE OR REPLACE VIEW call_totals_partial AS
  SELECT workflow_id,
         min(start_time) AS first_call_time,
         max(coalesce(end_time, start_time)) AS last_call_time,
         arg_min(service, start_time) AS first_service,
         min(start_time) FILTER (WHERE service IS NOT NULL) AS first_service_time,
         count(DISTINCT call_id) AS calls,
         count(*) AS attempts,
         count(*) FILTER (WHERE status = 'error') AS failed_attempts,
         count(DISTINCT call_id) FILTER (WHERE kind = 'model') AS model_calls,
         count(DISTINCT call_id) FILTER (WHERE kind = 'tool') AS tool_calls,
         CAST(sum(input_tokens) AS BIGINT) AS input_tokens,
         CAST(sum(cache_read_tokens) AS BIGINT) AS cache_read_tokens,
         CAST(sum(cache_write_tokens) AS BIGINT) AS cache_write_tokens,
         CAST(sum(output_tokens) AS BIGINT) AS output_tokens,
         CAST(sum(reasoning_tokens) AS BIGINT) AS reasoning_tokens,
         CAST(sum(cost_usd) AS DECIMAL(38,9)) AS cost_usd,
         CAST(sum(cost_usd) FILTER (WHERE wasted) AS DECIMAL(38,9)) AS call_waste_usd,
         CAST(sum(cache_savings_gross_usd) AS DECIMAL(38,9)) AS cache_savings_gross_usd,
         CAST(sum(cache_savings_net_usd) AS DECIMAL(38,9)) AS cache_savings_net_usd,
         count(*) FILTER (WHERE unpriced) AS unpriced_calls,
         count(*) FILTER (WHERE tokens_estimated) AS estimated_calls,
         date
  FROM calls_unaggregated
  GROUP BY workflow_id, date;

-- What `compact` writes into a closed day's call_totals_daily file (over that day's non-foreign
-- rows, as calls_unaggregated there): call_totals_partial, and for a workflow whose calls that
-- day come within an hour of either midnight, the distinct (call_id, kind) pairs of its rows
-- (call_kinds; NULL for every other workflow, and in files written before it). A workflow whose
-- calls cross midnight lies in two parts, and call_totals counts its distinct calls again from
-- its rows: these pairs let it do so without reading the day's calls (workflow_id, call_id and
-- kind of every row: about 1 s CPU at 10^7 calls, twelfth round). Which workflows get pairs
-- changes no figure, only which days' calls are read: a part without them is counted from its
-- calls.
CREATE OR REPLACE VIEW call_totals_daily_written AS
  WITH t AS (SELECT * FROM call_totals_partial),
  edge AS (
    SELECT workflow_id, date FROM t
    WHERE first_call_time < CAST(date AS TIMESTAMPTZ) + INTERVAL 1 HOUR
       OR last_call_time >= CAST(date AS TIMESTAMPTZ) + INTERVAL 23 HOUR
  ),
  k AS (
    SELECT c.workflow_id, c.date,
           list(DISTINCT {'call_id': c.call_id, 'kind': c.kind}) AS call_kinds
    FROM calls_unaggregated c
    JOIN edge e ON e.workflow_id = c.workflow_id AND e.date = c.date
    GROUP BY c.workflow_id, c.date
  )
  SELECT t.*, k.call_kinds
  FROM t LEFT JOIN k ON k.workflow_id = t.workflow_id AND k.date = t.date;

-- Each workflow's call totals over every day: the pre-aggregates of aggregated days and the
-- partial totals of the other rows, merged. Almost every workflow lies in one part, which is its
-- totals as they are; only workflows found in more than one part (a day boundary crossed, a day
-- read raw beside pre-aggregated ones) are merged, and their distinct call counts counted again
-- from their calls (a call's attempts can start on two days). Sorting the parts apart by a
-- count of parts per workflow costs far less than merging every workflow's ~20 columns.
CREATE OR REPLACE VIEW call_totals AS
  WITH parts AS (
    -- pre: a pre-aggregated part (its calls are rows of calls_aggregated_days); listed: one
    -- whose (call_id, kind) pairs compact wrote beside its totals (call_totals_daily_written)
    SELECT * EXCLUDE (call_kinds), call_kinds IS NOT NULL AS listed, true AS pre
    FROM (SELECT * FROM flowcost_empty_call_totals_daily
          UNION ALL BY NAME SELECT * FROM {{call_totals_daily:aggregated}})
    UNION ALL BY NAME SELECT *, false AS listed, false AS pre FROM call_totals_partial
  ),
  multi AS (
    -- as workflow_roots' several: candidates by hash, then the exact ids
    SELECT workflow_id FROM parts
    WHERE hash(workflow_id) IN (SELECT hash(workflow_id) FROM parts GROUP BY 1 HAVING count(*) > 1)
    GROUP BY workflow_id HAVING count(*) > 1
  ),
  merged AS (
    SELECT workflow_id,
           min(first_call_time) AS first_call_time,
           max(last_call_time) AS last_call_time,
           arg_min(first_service, first_service_time) AS first_service,
           CAST(sum(attempts) AS BIGINT) AS attempts,
           CAST(sum(failed_attempts) AS BIGINT) AS failed_attempts,
           CAST(sum(input_tokens) AS BIGINT) AS input_tokens,
           CAST(sum(cache_read_tokens) AS BIGINT) AS cache_read_tokens,
           CAST(sum(cache_write_tokens) AS BIGINT) AS cache_write_tokens,
           CAST(sum(output_tokens) AS BIGINT) AS output_tokens,
           CAST(sum(reasoning_tokens) AS BIGINT) AS reasoning_tokens,
           CAST(sum(cost_usd) AS DECIMAL(38,9)) AS cost_usd,
           CAST(sum(call_waste_usd) AS DECIMAL(38,9)) AS call_waste_usd,
           CAST(sum(cache_savings_gross_usd) AS DECIMAL(38,9)) AS cache_savings_gross_usd,
           CAST(sum(cache_savings_net_usd) AS DECIMAL(38,9)) AS cache_savings_net_usd,
           CAST(sum(unpriced_calls) AS BIGINT) AS unpriced_calls,
           CAST(sum(estimated_calls) AS BIGINT) AS estimated_calls
    FROM parts
    WHERE workflow_id IN (SELECT workflow_id FROM multi)
    GROUP BY workflow_id
  ),
  recounted AS (
    -- the (workflow_id, call_id, kind) of every row of calls of these workflows: the rows not
    -- pre-aggregated, the pairs written beside a pre-aggregated part, and the calls of the
    -- pre-aggregated parts written without them (no row read when there is none)
    SELECT workflow_id,
           count(DISTINCT call_id) AS calls,
           count(DISTINCT call_id) FILTER (WHERE kind = 'model') AS model_calls,
           count(DISTINCT call_id) FILTER (WHERE kind = 'tool') AS tool_calls
    FROM (
      SELECT workflow_id, call_id, kind FROM calls_unaggregated
      WHERE workflow_id IN (SELECT workflow_id FROM multi)
      UNION ALL
      SELECT workflow_id, k.call_id, k.kind
      FROM (SELECT workflow_id, unnest(call_kinds) AS k
            FROM (SELECT * FROM flowcost_empty_call_totals_daily
                  UNION ALL BY NAME SELECT * FROM {{call_totals_daily:aggregated}})
            WHERE call_kinds IS NOT NULL AND workflow_id IN (SELECT workflow_id FROM multi))
      UNION ALL
      SELECT c.workflow_id, c.call_id, c.kind
      FROM calls_aggregated_days c
      JOIN parts p ON p.workflow_id = c.workflow_id AND p.date = c.date
      WHERE c.foreign_span IS NOT TRUE AND p.pre AND NOT p.listed
        AND p.workflow_id IN (SELECT workflow_id FROM multi))
    GROUP BY workflow_id
  ),
  totals AS (
    SELECT workflow_id, first_call_time, last_call_time, first_service, calls, attempts,
           failed_attempts, model_calls, tool_calls, input_tokens, cache_read_tokens,
           cache_write_tokens, output_tokens, reasoning_tokens, cost_usd, call_waste_usd,
           cache_savings_gross_usd, cache_savings_net_usd, unpriced_calls, estimated_calls
    FROM parts
    WHERE workflow_id NOT IN (SELECT workflow_id FROM multi)
    UNION ALL
    SELECT m.workflow_id, m.first_call_time, m.last_call_time, m.first_service, r.calls,
           m.attempts, m.failed_attempts, r.model_calls, r.tool_calls, m.input_tokens,
           m.cache_read_tokens, m.cache_write_tokens, m.output_tokens, m.reasoning_tokens,
           m.cost_usd, m.call_waste_usd, m.cache_savings_gross_usd, m.cache_savings_net_usd,
           m.unpriced_calls, m.estimated_calls
    FROM merged m
    JOIN recounted r ON r.workflow_id = m.workflow_id
  )
  SELECT workflow_id, first_call_time, last_call_time, first_service, calls, attempts,
         failed_attempts, model_calls, tool_calls,
         coalesce(input_tokens, 0) AS input_tokens,
         coalesce(cache_read_tokens, 0) AS cache_read_tokens,
         coalesce(cache_write_tokens, 0) AS cache_write_tokens,
         coalesce(output_tokens, 0) AS output_tokens,
         coalesce(reasoning_tokens, 0) AS reasoning_tokens,
         CAST(coalesce(cost_usd, 0) AS DECIMAL(38,9)) AS cost_usd,
         CAST(coalesce(call_waste_usd, 0) AS DECIMAL(38,9)) AS call_waste_usd,
         CAST(coalesce(cache_savings_gross_usd, 0) AS DECIMAL(38,9)) AS cache_savings_gross_usd,
         CAST(coalesce(cache_savings_net_usd, 0) AS DECIMAL(38,9)) AS cache_savings_net_usd,
         unpriced_calls, estimated_calls
  FROM totals;

-- The UTC day of a TIMESTAMPTZ by floor division of its microseconds since the epoch: equal to
-- CAST(t AS DATE) in UTC for every instant (before 1970 and on boundaries too), without the
-- time-zone calendar CAST goes through for every row (0.7 s CPU for the 2.5 million workflows
-- of a 10^7-call lake, against 0.25 s). The notebooks group calls by it too.
CREATE OR REPLACE MACRO flowcost_utc_date(t) AS
  CAST(DATE '1970-01-01'
       + CAST((epoch_us(t) - ((epoch_us(t) % 86400000000) + 86400000000) % 86400000000)
              // 86400000000 AS INTEGER) AS DATE);

-- What a rollup writes now: one row per workflow, derived from the facts: the calls' totals
-- (call_totals) joined to the roots, then each workflow's latest outcome within the horizon:
-- the outcome reported last within it, in (reported_at, outcome_id) order, found by one join
-- (latest below) without sorting every outcome.
-- A rollup derives this once and pins it (LakeViews.pinDerived, flowcost_lake.pin_derived), so
-- cost_per_outcome_derived and every day's snapshot read the derived rows instead of the facts.
CREATE OR REPLACE VIEW workflows_derived AS
  WITH wf AS (
    SELECT coalesce(r.workflow_id, c.workflow_id) AS workflow_id,
           r.workflow_name,
           coalesce(r.service, c.first_service) AS service,
           coalesce(r.start_time, c.first_call_time) AS start_time,
           greatest(r.end_time, c.last_call_time) AS end_time,
           coalesce(r.tags, MAP {}::MAP(VARCHAR, VARCHAR)) AS tags,
           r.external_key,
           r.conversation_id,
           coalesce(r.error, false) AS error,
           c.calls, c.attempts, c.failed_attempts, c.model_calls, c.tool_calls,
           c.input_tokens, c.cache_read_tokens, c.cache_write_tokens, c.output_tokens,
           c.reasoning_tokens, c.cost_usd, c.call_waste_usd, c.cache_savings_gross_usd,
           c.cache_savings_net_usd, c.unpriced_calls, c.estimated_calls
    FROM workflow_roots r
    FULL OUTER JOIN call_totals c ON c.workflow_id = r.workflow_id
  ),
  resolved AS (
    SELECT resolved_workflow_id, status, reason, reported_at, outcome_id
    FROM outcomes_resolved
    WHERE resolved_workflow_id IS NOT NULL
  ),
  several AS (
    -- workflows with more than one outcome: candidates by a 64-bit hash of the id (a narrow
    -- grouping), then the exact ids among them (a collision only makes that grouping larger)
    SELECT resolved_workflow_id FROM resolved
    WHERE hash(resolved_workflow_id) IN (
      SELECT hash(resolved_workflow_id) FROM resolved GROUP BY 1 HAVING count(*) > 1)
    GROUP BY resolved_workflow_id HAVING count(*) > 1
  ),
  latest AS (
    -- Each outcome with the report time of its workflow's next outcome in (reported_at,
    -- outcome_id) order, 'infinity' for the last one. The latest outcome within the horizon is
    -- the one reported within it whose next is not: at most one per workflow, which the final
    -- join finds by two comparisons, so wf is read once (a second join of the workflows with
    -- several outcomes to wf, as before, made DuckDB keep every row of wf for it). A workflow's
    -- only outcome is its own last; only workflows with several go through the window. An
    -- outcome without reported_at is never within the horizon, so it is nobody's next either.
    -- ('infinity': DuckDB's timestamp after every other; another engine's largest timestamp.)
    SELECT resolved_workflow_id, status, reason, reported_at,
           CAST('infinity' AS TIMESTAMPTZ) AS next_reported_at
    FROM resolved
    WHERE resolved_workflow_id NOT IN (SELECT resolved_workflow_id FROM several)
    UNION ALL
    SELECT resolved_workflow_id, status, reason, reported_at,
           coalesce(lead(reported_at) OVER (PARTITION BY resolved_workflow_id
                                            ORDER BY reported_at, outcome_id),
                    CAST('infinity' AS TIMESTAMPTZ)) AS next_reported_at
    FROM resolved
    WHERE resolved_workflow_id IN (SELECT resolved_workflow_id FROM several)
      AND reported_at IS NOT NULL
  )
  SELECT flowcost_utc_date(wf.start_time) AS day,
         wf.workflow_id, wf.workflow_name, wf.service, wf.start_time, wf.end_time, wf.tags,
         wf.tags['team'] AS team, wf.tags['feature'] AS feature, wf.tags['env'] AS env,
         wf.external_key, wf.conversation_id, wf.error,
         coalesce(l.status, 'unknown') AS outcome,
         l.reason AS outcome_reason,
         l.reported_at AS outcome_reported_at,
         coalesce(wf.calls, 0) AS calls,
         coalesce(wf.attempts, 0) AS attempts,
         coalesce(wf.failed_attempts, 0) AS failed_attempts,
         coalesce(wf.model_calls, 0) AS model_calls,
         coalesce(wf.tool_calls, 0) AS tool_calls,
         coalesce(wf.input_tokens, 0) AS input_tokens,
         coalesce(wf.cache_read_tokens, 0) AS cache_read_tokens,
         coalesce(wf.cache_write_tokens, 0) AS cache_write_tokens,
         coalesce(wf.output_tokens, 0) AS output_tokens,
         coalesce(wf.reasoning_tokens, 0) AS reasoning_tokens,
         CAST(coalesce(wf.cost_usd, 0) AS DECIMAL(18,9)) AS cost_usd,
         CAST(coalesce(wf.call_waste_usd, 0) AS DECIMAL(18,9)) AS call_waste_usd,
         CAST(CASE WHEN l.status = 'failure' THEN coalesce(wf.cost_usd, 0)
                   ELSE coalesce(wf.call_waste_usd, 0) END AS DECIMAL(18,9)) AS failure_waste_usd,
         CAST(coalesce(wf.cache_savings_gross_usd, 0) AS DECIMAL(18,9)) AS cache_savings_gross_usd,
         CAST(coalesce(wf.cache_savings_net_usd, 0) AS DECIMAL(18,9)) AS cache_savings_net_usd,
         coalesce(wf.unpriced_calls, 0) AS unpriced_calls,
         coalesce(wf.estimated_calls, 0) AS estimated_calls,
         coalesce(wf.unpriced_calls, 0) = 0 AS cost_complete
  FROM wf
  LEFT JOIN latest l ON l.resolved_workflow_id = wf.workflow_id
    AND l.reported_at <= wf.start_time + INTERVAL ({{horizon_days}}) DAY
    AND l.next_reported_at > wf.start_time + INTERVAL ({{horizon_days}}) DAY;

-- Σ nano-dollars ÷ successes, rounded HALF_EVEN to 9 decimals, in exact integer arithmetic
-- (DuckDB's DECIMAL division returns DOUBLE). NULL when there is no success.
CREATE OR REPLACE MACRO flowcost_cost_per_success(total_usd, successes) AS
  CASE WHEN successes > 0 THEN
    CAST((CAST(round(total_usd * 1000000000) AS HUGEINT) // successes
          + CASE WHEN 2 * (CAST(round(total_usd * 1000000000) AS HUGEINT) % successes) > successes
                   OR (2 * (CAST(round(total_usd * 1000000000) AS HUGEINT) % successes) = successes
                       AND (CAST(round(total_usd * 1000000000) AS HUGEINT) // successes) % 2 = 1)
                 THEN 1 ELSE 0 END)
         * CAST(0.000000001 AS DECIMAL(18,9)) AS DECIMAL(18,9))
  END;

-- Day-level groups. Months and totals are re-derived from sums (cost_per_outcome_monthly, …),
-- never averaged from daily ratios.
CREATE OR REPLACE VIEW cost_per_outcome_derived AS
  SELECT day, workflow_name, service, team, feature, env,
         count(*) AS workflows,
         count(*) FILTER (WHERE outcome = 'success') AS successes,
         count(*) FILTER (WHERE outcome = 'failure') AS failures,
         count(*) FILTER (WHERE outcome = 'unknown') AS unknown,
         CAST(sum(cost_usd) AS DECIMAL(18,9)) AS total_cost_usd,
         CAST(sum(failure_waste_usd) AS DECIMAL(18,9)) AS failure_waste_usd,
         CAST(sum(cache_savings_gross_usd) AS DECIMAL(18,9)) AS cache_savings_gross_usd,
         CAST(sum(cache_savings_net_usd) AS DECIMAL(18,9)) AS cache_savings_net_usd,
         flowcost_cost_per_success(sum(cost_usd),
             count(*) FILTER (WHERE outcome = 'success')) AS cost_per_success_usd,
         CAST(sum(unpriced_calls) AS BIGINT) AS unpriced_calls
  FROM workflows_derived
  GROUP BY ALL;

-- Snapshots written by `rollup`: the highest version of each day wins.
-- Each rollup of a day writes its snapshots first and then a `rollups` marker with the same
-- version, also for a day that became empty (its workflows moved to another day), so an empty
-- snapshot still supersedes the older one.
CREATE OR REPLACE VIEW rollups AS SELECT * FROM {{rollups}};
CREATE OR REPLACE VIEW workflows_snapshots AS SELECT * FROM {{workflows}};
CREATE OR REPLACE VIEW workflows_latest AS
  SELECT * EXCLUDE (date) FROM workflows_snapshots
  WHERE (day, version) IN (
    SELECT (day, max(version)) FROM (
      SELECT day, version FROM workflows_snapshots UNION ALL SELECT day, version FROM rollups)
    GROUP BY day);

CREATE OR REPLACE VIEW cost_per_outcome_snapshots AS SELECT * FROM {{cost_per_outcome}};
CREATE OR REPLACE VIEW cost_per_outcome_latest AS
  SELECT * EXCLUDE (date) FROM cost_per_outcome_snapshots
  WHERE (day, version) IN (
    SELECT (day, max(version)) FROM (
      SELECT day, version FROM cost_per_outcome_snapshots
      UNION ALL SELECT day, version FROM rollups)
    GROUP BY day);

-- Month and all-time levels: sums first, then the ratio.
CREATE OR REPLACE VIEW cost_per_outcome_monthly AS
  SELECT date_trunc('month', day) AS month, workflow_name, service, team, feature, env,
         sum(workflows) AS workflows, sum(successes) AS successes, sum(failures) AS failures,
         sum(unknown) AS unknown,
         CAST(sum(total_cost_usd) AS DECIMAL(18,9)) AS total_cost_usd,
         CAST(sum(failure_waste_usd) AS DECIMAL(18,9)) AS failure_waste_usd,
         CAST(sum(cache_savings_gross_usd) AS DECIMAL(18,9)) AS cache_savings_gross_usd,
         CAST(sum(cache_savings_net_usd) AS DECIMAL(18,9)) AS cache_savings_net_usd,
         flowcost_cost_per_success(sum(total_cost_usd), sum(successes)) AS cost_per_success_usd,
         sum(unpriced_calls) AS unpriced_calls
  FROM cost_per_outcome_latest
  GROUP BY ALL;

CREATE OR REPLACE VIEW cost_per_outcome_by_intent AS
  SELECT workflow_name,
         sum(workflows) AS workflows, sum(successes) AS successes, sum(failures) AS failures,
         sum(unknown) AS unknown,
         CAST(sum(total_cost_usd) AS DECIMAL(18,9)) AS total_cost_usd,
         CAST(sum(failure_waste_usd) AS DECIMAL(18,9)) AS failure_waste_usd,
         CAST(sum(cache_savings_gross_usd) AS DECIMAL(18,9)) AS cache_savings_gross_usd,
         CAST(sum(cache_savings_net_usd) AS DECIMAL(18,9)) AS cache_savings_net_usd,
         flowcost_cost_per_success(sum(total_cost_usd), sum(successes)) AS cost_per_success_usd,
         sum(unpriced_calls) AS unpriced_calls
  FROM cost_per_outcome_latest
  GROUP BY ALL;

-- Provider-reported cost (OpenRouter usage.cost, LiteLLM proxy response-cost header,
-- gen_ai.usage.cost.amount) beside the catalog cost, per UTC day and model, over the calls that
-- carry one. difference_usd = provider − catalog over the priced ones; unpriced calls have no
-- catalog cost and are counted apart. The catalog cost stays the number everywhere else.
CREATE OR REPLACE VIEW provider_cost_daily AS
  SELECT CAST(start_time AS DATE) AS day, provider,
         coalesce(response_model, request_model) AS model,
         count(*) AS calls,
         count(*) FILTER (WHERE unpriced) AS unpriced_calls,
         CAST(sum(cost_usd) AS DECIMAL(18,9)) AS catalog_cost_usd,
         CAST(sum(provider_cost_usd) AS DECIMAL(18,9)) AS provider_cost_usd,
         CAST(sum(provider_cost_usd - cost_usd) AS DECIMAL(18,9)) AS difference_usd
  FROM calls
  WHERE provider_cost_usd IS NOT NULL
  GROUP BY 1, 2, 3;

-- Coverage counters the collectors appended. Increments have no natural key; (collector, service, day, recorded_at) identifies one,
-- so a compaction's merged copy never counts twice.
-- Unioned by name with the typed empty table, so files written before a column existed
-- (rows_quarantined, coverage schema 2) read it as NULL instead of failing the view.
CREATE OR REPLACE VIEW coverage_counters AS
  SELECT * FROM (SELECT * FROM flowcost_empty_coverage UNION ALL BY NAME SELECT * FROM {{coverage}})
  QUALIFY row_number() OVER (PARTITION BY day, service, collector_id, recorded_at ORDER BY date) = 1;

-- Outcomes that joined no workflow (orphans) and outcomes reported after the horizon (late).
CREATE OR REPLACE VIEW outcomes_unmatched AS
  SELECT o.*,
         CASE WHEN r.workflow_id IS NULL AND c.workflow_id IS NULL THEN 'orphan' ELSE 'late' END AS problem
  FROM outcomes_resolved o
  LEFT JOIN workflow_roots r ON r.workflow_id = o.resolved_workflow_id
  LEFT JOIN call_totals c ON c.workflow_id = o.resolved_workflow_id
  WHERE (r.workflow_id IS NULL AND c.workflow_id IS NULL)
     OR o.reported_at > coalesce(r.start_time, c.first_call_time) + INTERVAL ({{horizon_days}}) DAY;

-- Coverage per day and service: what collectors counted, what the facts say (unpriced and
-- estimated calls), and outcomes that joined nothing (service 'outcome-api'): orphans, whose
-- workflow never arrived, and late ones, reported after the horizon.
CREATE OR REPLACE VIEW coverage_daily AS
  WITH counters AS (
    SELECT day, service, sum(spans_received) AS spans_received,
           sum(spans_rejected) AS spans_rejected,
           sum(agent_dropped_spans) AS agent_dropped_spans,
           sum(rows_quarantined) AS rows_quarantined,
           sum(outcomes_received) AS outcomes_received,
           sum(outcomes_rejected) AS outcomes_rejected
    FROM coverage_counters GROUP BY ALL
  ),
  facts AS (
    SELECT day, service, sum(unpriced_calls) AS unpriced_calls,
           sum(estimated_calls) AS estimated_calls, sum(late_outcomes) AS late_outcomes,
           sum(orphan_outcomes) AS orphan_outcomes
    FROM (
      SELECT CAST(start_time AS DATE) AS day, service,
             count(*) FILTER (WHERE unpriced) AS unpriced_calls,
             count(*) FILTER (WHERE tokens_estimated) AS estimated_calls,
             0 AS late_outcomes, 0 AS orphan_outcomes
      FROM calls GROUP BY ALL
      UNION ALL
      SELECT CAST(reported_at AS DATE), 'outcome-api', 0, 0,
             count(*) FILTER (WHERE problem = 'late'), count(*) FILTER (WHERE problem = 'orphan')
      FROM outcomes_unmatched GROUP BY ALL)
    GROUP BY ALL
  )
  SELECT coalesce(c.day, f.day) AS day, coalesce(c.service, f.service) AS service,
         coalesce(c.spans_received, 0) AS spans_received,
         coalesce(c.spans_rejected, 0) AS spans_rejected,
         coalesce(c.agent_dropped_spans, 0) AS agent_dropped_spans,
         coalesce(c.rows_quarantined, 0) AS rows_quarantined,
         coalesce(c.outcomes_received, 0) AS outcomes_received,
         coalesce(c.outcomes_rejected, 0) AS outcomes_rejected,
         CAST(coalesce(f.unpriced_calls, 0) AS BIGINT) AS unpriced_calls,
         CAST(coalesce(f.estimated_calls, 0) AS BIGINT) AS estimated_calls,
         CAST(coalesce(f.late_outcomes, 0) AS BIGINT) AS late_outcomes,
         CAST(coalesce(f.orphan_outcomes, 0) AS BIGINT) AS orphan_outcomes
  FROM counters c FULL OUTER JOIN facts f ON c.day = f.day AND c.service = f.service;


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
