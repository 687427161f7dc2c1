#!/usr/bin/env python3
"""Generate Flowcost's bundled catalog bulk from LiteLLM's model-cost map.

One command (needs PyPI; a maintainer runs it, CI never does):

    python3 scripts/generate-catalog.py                  # pinned LiteLLM version below
    python3 scripts/generate-catalog.py --litellm 1.111.0 --as-of 2027-01-15
    python3 scripts/generate-catalog.py --map /path/to/model_prices_and_context_window.json \
        --litellm 1.111.0                                # an already downloaded map

It downloads the `litellm` wheel with pip (no dependencies, nothing installed), reads
`litellm/model_prices_and_context_window_backup.json` from it, and writes:

  pricing/src/main/resources/io/flowcost/pricing/prices-generated.json
      Flowcost's catalog format (docs/pricing.md), one model per line. Every entry records
      `"source": "litellm==<version>"` and the LiteLLM key it came from (`source_key`).
  pricing/src/test/resources/litellm/model_prices_selected.json
      The LiteLLM entries of the selected providers, copied unchanged (numbers keep their literal
      text), so that LiteLlmGeneratedCatalogTest cross-checks every generated entry offline.

Selection: providers OpenAI, Anthropic, Google (Gemini API, Vertex AI), AWS Bedrock (model ids
and cross-region profiles; per-region and commitment keys are skipped), Azure OpenAI (global
deployments; data-zone keys are skipped), Azure AI Foundry, Mistral, DeepSeek, xAI, Cohere and
Groq; modes chat, completion, responses and embedding; not past `deprecation_date` on --as-of.
Entries whose name a curated entry of prices.json already carries (same provider) are left out:
the curated entry wins. Price fields that Flowcost cannot represent are skipped and counted.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from decimal import Decimal

PINNED_LITELLM = "1.110.2"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRICING = os.path.join(REPO, "pricing/src/main/resources/io/flowcost/pricing")
CURATED = os.path.join(PRICING, "prices.json")
OUT = os.path.join(PRICING, "prices-generated.json")
TEST_MAP = os.path.join(REPO, "pricing/src/test/resources/litellm/model_prices_selected.json")
MAP_IN_WHEEL = "litellm/model_prices_and_context_window_backup.json"

MODES = {"chat", "completion", "responses", "embedding"}
# LiteLLM provider -> Flowcost provider. Keep in step with ModelResolver's provider families.
PROVIDERS = {
    "openai": "openai", "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "bedrock": "bedrock", "bedrock_converse": "bedrock",
    "azure": "azure", "azure_text": "azure",
    "azure_ai": "azure_ai",
    "mistral": "mistral",
    "deepseek": "deepseek",
    "xai": "xai",
    "cohere": "cohere", "cohere_chat": "cohere",
    "groq": "groq",
}
# Key prefixes (first path segment) that name the provider and are dropped from the model name.
KEY_PREFIXES = {"openai", "anthropic", "gemini", "bedrock", "azure", "azure_ai", "mistral",
                "deepseek", "xai", "cohere", "cohere_chat", "groq", "vertex_ai",
                "text-completion-openai"}

# field stem in LiteLLM -> Flowcost price field
STEMS = [
    ("input_cost_per_token", "input"),
    ("cache_read_input_token_cost", "cache_read"),
    ("cache_creation_input_token_cost_above_1hr", "cache_write_1h"),
    ("cache_creation_input_token_cost", "cache_write_5m"),
    ("output_cost_per_token", "output"),
]
SERVICE_TIERS = {"batches": "batch", "flex": "flex", "priority": "priority"}
PRICE_FIELD = re.compile(
    r"^(input_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost_above_1hr"
    r"|cache_creation_input_token_cost|output_cost_per_token)"
    r"(?:_above_(\d+)k_tokens)?(?:_(batches|flex|priority))?$")
# Fields that carry no price, or a price that is not Flowcost's business (limits, flags).
NOT_PRICES = re.compile(r"^(supports_|max_|litellm_provider$|mode$|source$|deprecation_|metadata$"
                        r"|comment$|successor_model$|supported_|tpm$|rpm$|output_vector_size$"
                        r"|token_count_|reasoning_|default_reasoning|thinking_|tool_use_"
                        r"|bedrock_|uses_|use_openai|provider_specific_entry$|prompt_cache_min"
                        r"|search_free_requests$|web_search_billing_unit$|tiered_pricing$"
                        r"|supports$|input_cost_per_request$)")


def vertex_provider(p):
    return "vertex_ai" if p == "vertex_ai" or p.startswith("vertex_ai-") else None


def per_million(text):
    """Exact USD/token literal -> USD/million tokens as a plain decimal string."""
    d = Decimal(text) * 1000000
    s = format(d.normalize(), "f")
    return s


def download_map(version):
    tmp = tempfile.mkdtemp(prefix="flowcost-litellm-")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                    "-q", "-d", tmp, "litellm==" + version], check=True)
    wheel = [f for f in os.listdir(tmp) if f.endswith(".whl")][0]
    with zipfile.ZipFile(os.path.join(tmp, wheel)) as z:
        return z.read(MAP_IN_WHEEL), wheel


def load_literal(raw):
    """JSON with every float kept as its literal text ("@@2.5e-06")."""
    return json.loads(raw, parse_float=lambda s: "@@" + s, parse_int=lambda s: "@@" + s)


def lit(v):
    return v[2:] if isinstance(v, str) and v.startswith("@@") else None


def dump_literal(obj, indent=None):
    return re.sub(r'"@@([^"]+)"', r"\1", json.dumps(obj, indent=indent, ensure_ascii=False))


def curated_names():
    cat = json.load(open(CURATED))
    names = {}
    for e in cat["models"]:
        for n in [e["model"]] + e.get("aliases", []):
            names.setdefault((e["provider"].lower(), n.lower()), e)
    return cat, names


# A provider whose calls fall back to another's curated list prices (ModelResolver's families):
# Azure OpenAI global deployments bill OpenAI's list prices, Vertex AI bills Gemini's.
CURATED_FALLBACK = {"azure": ["openai"], "vertex_ai": ["gemini"]}
# Bedrock's global. profile bills the in-region price (the curated rule); the geographic
# profiles (us., eu., apac., us-gov. …) carry their own premiums, so only an exact curated name
# (the curated entry lists the profiles it prices) shadows them.
GLOBAL_PROFILE = re.compile(r"^global\.(?=[a-z0-9-]+\.)")


def curated_match(curated, provider, name):
    """The curated entry that wins over a generated name, or None. Must match
    PriceCatalog.curatedOver: same provider or its fallback, and for Bedrock the name without
    its global. prefix (global. bills the in-region price)."""
    names = [name]
    if provider == "bedrock":
        names.append(GLOBAL_PROFILE.sub("", name))
    for p in [provider] + CURATED_FALLBACK.get(provider, []):
        for n in names:
            if (p, n) in curated:
                return curated[(p, n)]
    return None


def model_name(key, provider):
    parts = key.split("/")
    if len(parts) > 1 and parts[0] in KEY_PREFIXES:
        parts = parts[1:]
    return "/".join(parts)


def prices_of(v, tier, svc, counts):
    """Prices for context tier `tier` (None or N k) and service tier `svc` (None or suffix)."""
    out = {}
    for stem, field in STEMS:
        name = stem + ("_above_%sk_tokens" % tier if tier else "") + ("_" + svc if svc else "")
        val = lit(v.get(name))
        if val is not None:
            out[field] = per_million(val)
    return out


def drop_cheap_writes(prices, input_price, counts, key):
    """A cache write is never cheaper than an uncached input token at any provider: where
    LiteLLM lists one below the input price (0 for DeepSeek, Gemini 3 on Vertex), the field means
    something else there, so the tokens are billed as input (Flowcost's rule for no price)."""
    for f in ("cache_write_5m", "cache_write_1h"):
        if f in prices and Decimal(prices[f]) < Decimal(input_price):
            del prices[f]
            counts["cheap_cache_writes"].append("%s %s" % (key, f))
    return prices


def convert(key, v, provider, counts):
    model = model_name(key, provider)
    mode = v.get("mode")
    e = {"provider": provider, "model": model, "kind": "embedding" if mode == "embedding" else "chat",
         "source_key": key}
    base = prices_of(v, None, None, counts)
    if "input" not in base:
        return None
    drop_cheap_writes(base, base["input"], counts, key)
    e.update(base)
    req = lit(v.get("input_cost_per_request"))
    if req is not None and Decimal(req) != 0:
        e["per_call"] = format(Decimal(req).normalize(), "f")
    tiers, svc, unmapped = {}, {}, []
    for f, val in v.items():
        m = PRICE_FIELD.match(f)
        if m:
            if m.group(2):
                tiers.setdefault(int(m.group(2)), set()).add(m.group(3))
            elif m.group(3):
                svc[SERVICE_TIERS[m.group(3)]] = m.group(3)
            continue
        if NOT_PRICES.match(f):
            continue
        if lit(val) is not None and Decimal(lit(val)) == 0:
            continue  # a zero price for something we do not bill adds nothing
        unmapped.append(f)
    tier_list = []
    for k in sorted(tiers):
        tp = prices_of(v, k, None, counts)
        if "input" not in tp:
            # e.g. only a cache-read price above N tokens: LiteLLM keeps the base input price.
            tp["input"] = base["input"]
        # Each listed write is judged against the input price of its own level; a price the
        # tier leaves out is the standard one (as LiteLLM's cost calculator falls back).
        drop_cheap_writes(tp, tp["input"], counts, key)
        filled = dict(base)  # the per-call fee applies in every tier
        filled.update(tp)
        t = {"above_input_tokens": k * 1000}
        t.update(filled)
        tsvc = {}
        for s in sorted(x for x in tiers[k] if x):
            sp = prices_of(v, k, s, counts)
            if "input" not in sp:
                sp["input"] = filled["input"]
            drop_cheap_writes(sp, sp["input"], counts, key)
            tsvc[SERVICE_TIERS[s]] = sp
        if tsvc:
            t["service_tiers"] = tsvc
        tier_list.append(t)
    if tier_list:
        e["tiers"] = tier_list
    if svc:
        st = {}
        for name, suffix in sorted(svc.items()):
            sp = prices_of(v, None, suffix, counts)
            if "input" not in sp:
                sp["input"] = base["input"]
            drop_cheap_writes(sp, sp["input"], counts, key)
            st[name] = sp
        e["service_tiers"] = st
    for f in unmapped:
        counts["skipped_fields"][f] = counts["skipped_fields"].get(f, 0) + 1
    return e


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--litellm", default=PINNED_LITELLM, help="litellm version (default %(default)s)")
    ap.add_argument("--map", help="use this model_prices JSON instead of downloading the wheel")
    ap.add_argument("--as-of", default=datetime.date.today().isoformat(),
                    help="drop models whose deprecation_date is before this day (default today)")
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--test-map", default=TEST_MAP)
    a = ap.parse_args()

    if a.map:
        raw = open(a.map, "rb").read()
        origin = a.map
    else:
        raw, origin = download_map(a.litellm)
    sha = hashlib.sha256(raw).hexdigest()
    lite = load_literal(raw)
    _, curated = curated_names()
    source = "litellm==" + a.litellm

    counts = {"skipped_fields": {}, "deprecated": 0, "regional_or_commitment": 0,
              "curated_wins": [], "duplicates": 0, "no_token_price": 0,
              "cheap_cache_writes": []}
    models, selected, seen = [], {}, {}
    for key, v in lite.items():
        if not isinstance(v, dict) or v.get("mode") not in MODES:
            continue
        lp = v.get("litellm_provider", "")
        provider = PROVIDERS.get(lp) or vertex_provider(lp)
        if provider is None:
            continue
        selected[key] = v
        dep = v.get("deprecation_date")
        if dep and dep < a.as_of:
            counts["deprecated"] += 1
            continue
        name = model_name(key, provider)
        if "/" in name and provider in ("bedrock", "azure"):
            counts["regional_or_commitment"] += 1  # bedrock/us-east-1/…, azure/eu/…: not a name a call reports
            continue
        e = convert(key, v, provider, counts)
        if e is None:
            counts["no_token_price"] += 1
            continue
        c = curated_match(curated, provider, name.lower())
        if c is not None:
            counts["curated_wins"].append((key, c["provider"] + "/" + c["model"]))
            continue
        k = (provider, name.lower())
        if k in seen:
            counts["duplicates"] += 1  # first key wins (LiteLLM lists the plain name first)
            continue
        seen[k] = key
        models.append(e)

    doc = {
        "version": "litellm-" + a.litellm,
        "currency": "USD",
        "unit": "per_million_tokens",
        "description": "GENERATED by scripts/generate-catalog.py from " + source
                       + " (" + MAP_IN_WHEEL + ", sha256 " + sha + "), deprecation cut-off "
                       + a.as_of + ". Do not edit: curated prices go to prices.json, which wins.",
        "models": models,
    }
    with open(a.out, "w") as f:
        f.write("{\n")
        for k in ("version", "currency", "unit", "description"):
            f.write("  %s: %s,\n" % (json.dumps(k), json.dumps(doc[k])))
        f.write('  "models": [\n')
        for i, m in enumerate(models):
            m = dict(m)
            m["source"] = source
            f.write("    " + json.dumps(m, ensure_ascii=False) + ("," if i + 1 < len(models) else "") + "\n")
        f.write("  ]\n}\n")
    note = {"_flowcost_note": "Entries of the providers Flowcost generates from, copied unchanged from "
            + source + " " + MAP_IN_WHEEL + " (sha256 " + sha + ") by scripts/generate-catalog.py; as_of "
            + a.as_of}
    os.makedirs(os.path.dirname(a.test_map), exist_ok=True)
    with open(a.test_map, "w") as f:
        f.write(dump_literal(dict(note, **selected), indent=1) + "\n")

    per_provider = {}
    for m in models:
        per_provider[m["provider"]] = per_provider.get(m["provider"], 0) + 1
    print("source            %s (%s, sha256 %s)" % (source, origin, sha[:16]))
    print("generated         %d entries -> %s" % (len(models), os.path.relpath(a.out, REPO)))
    for p in sorted(per_provider):
        print("  %-15s %d" % (p, per_provider[p]))
    print("selected keys     %d (copied to %s)" % (len(selected), os.path.relpath(a.test_map, REPO)))
    print("deprecated        %d (deprecation_date before %s)" % (counts["deprecated"], a.as_of))
    print("regional/commit   %d (bedrock/<region>/…, azure/<zone>/… keys)" % counts["regional_or_commitment"])
    print("no token price    %d" % counts["no_token_price"])
    print("duplicates        %d (same provider/name; first key kept)" % counts["duplicates"])
    print("cheap cache write %d (listed below the input price; billed as input)" % len(counts["cheap_cache_writes"]))
    for x in counts["cheap_cache_writes"]:
        print("  " + x)
    print("curated wins      %d" % len(counts["curated_wins"]))
    for k, c in counts["curated_wins"]:
        print("  %-55s -> %s" % (k, c))
    total = sum(counts["skipped_fields"].values())
    print("skipped fields    %d values in %d fields Flowcost cannot map:" % (total, len(counts["skipped_fields"])))
    for f, n in sorted(counts["skipped_fields"].items(), key=lambda x: (-x[1], x[0])):
        print("  %-60s %d" % (f, n))


if __name__ == "__main__":
    main()
