"""The summary a finished generation prints: one place, for `clingen generate` and the pipelines."""

from __future__ import annotations

from pathlib import Path

from clingen_hf.llm.client import Ledger


def summary_lines(report: dict, ledger: Ledger, location: Path, config_name: str, max_cost_usd: float | None) -> list[str]:
    """What a finished generation says about itself: counts, drops by reason, pools, checks,
    calls, tokens, cost, time, and how to load the result."""
    counts, usage = report["counts"], report["usage"]
    dropped = sum(counts["dropped"].values())
    lines = [
        f"\nclingen generate: {report['task']} / {report['method']} -> {location}",
        f"  requested {counts['requested']}   kept {counts['kept']}   dropped {dropped}",
        *(f"    {reason:32} {count}" for reason, count in counts["dropped"].items()),
        *_entity_lines(counts),
        *([f"  kept per class: {_label_counts(counts['label_counts'])}"] if counts.get("label_counts") else []),
        *(_pool_line(kind, pool) for kind, pool in report["pools"].items()),
        *_label_check_lines(report.get("label_checks")),
        *_span_check_lines(counts),
        *_entity_frequency_lines(counts.get("entity_frequency")),
        f"  LLM calls: {ledger.calls_made} made, {ledger.cache_hits} answered from cache"
        + (f", errors {ledger.errors}" if ledger.errors else ""),
        *_engine_lines(usage.get("engine_steps")),
        f"  tokens this run: {ledger.prompt_tokens:,} prompt + {ledger.completion_tokens:,} completion",
        f"  cost this run: {'$%.4f' % ledger.cost_usd if usage['cost_usd'] is not None else 'unknown (set --price-input/--price-output)'}"
        + (f" (cache saved ${ledger.cost_saved_usd:.4f})" if ledger.cost_saved_usd else ""),
        f"  wall time {report['wall_s']:.1f} s",
    ]
    if ledger.skipped_for_budget:
        lines.append(
            f"  budget of ${max_cost_usd} reached: {ledger.skipped_for_budget} samples not requested; "
            "rerun with a higher --max-cost-usd to finish (done calls are cached)"
        )
    lines.append(f"  load it: datasets.load_dataset({str(location.parent)!r}, {config_name!r})")
    return lines


def _engine_lines(steps: list[dict] | None) -> list[str]:
    """--batch-api or --engine ray: what each step's batches or Ray blocks answered."""
    names = {"batch-api": "Batch API", "ray": "Ray"}
    return [f"  {names[step['engine']]} ({step['step']} step): {step['answered']} answered, {step['failed']} failed, "
            f"{step['cached_before']} already cached" + (f", {step['resubmitted']} resubmitted after lost workers"
                                                         if step.get("resubmitted") else "")
            for step in steps or []]


def _entity_lines(counts: dict) -> list[str]:
    if not counts["entity_mentions"] and not counts["entities_not_in_sentence"]:
        return []
    line = (f"  entity mentions tagged {counts['entity_mentions']}; listed entities not in their sentence (removed) "
            f"{counts['entities_not_in_sentence']}")
    return [line]


def _label_check_lines(checks: dict | None) -> list[str]:
    if not checks:
        return []
    fuzzy = f" (fuzzy >= {checks['link_fuzzy']})" if checks["link_fuzzy"] else ""
    yes = {True: "yes", False: "no"}
    return [f"  label checks: guidelines {yes[checks['guidelines']]}, KG verification {checks['verify_spans']}{fuzzy}, "
            f"KG mentions added {yes[checks['add_kg_mentions']]}, self-check {yes[checks['self_check']]}"]


def _span_check_lines(counts: dict) -> list[str]:
    checks = counts.get("span_checks") or {}
    return ["  labelled spans:", *(f"    {name:40} {count}" for name, count in checks.items())] if checks else []


def _entity_frequency_lines(frequency: dict | None) -> list[str]:
    if not frequency:
        return []
    generated, seeds = frequency["generated"], frequency["seeds"]
    return [f"  entity mentions vs the seed source: unique {generated['unique_entities']} vs {seeds['unique_entities']}, "
            f"top-10 share {generated['top10_share']:.2f} vs {seeds['top10_share']:.2f}, "
            f"{100 * generated['share_of_mentions_in_seeds']:.0f}% of mentions are seed-source entities"]


def _label_counts(label_counts: dict) -> str:
    return ", ".join(f"{label} {count}" for label, count in sorted(label_counts.items(), key=lambda item: -item[1]))


def _pool_line(kind: str, pool: dict) -> str:
    origin = pool.get("kg_source") or pool.get("loaded_from") or f"LLM, {pool.get('calls', 0)} calls"
    if pool.get("failed_calls"):
        origin += f", {pool['failed_calls']} failed: {_label_counts(pool.get('failed_by_reason') or {})}"
    line = f"  {kind}: {pool['count']} ({origin})"
    if pool.get("kg_gap"):
        line += f"\n    KG gap: {pool['kg_gap']}"
    target = pool.get("target_per_type")
    if target and pool["count"] < target:
        line += f" - fewer than the {target} asked for: the LLM kept repeating itself"
    return line
