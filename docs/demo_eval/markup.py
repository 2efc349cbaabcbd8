"""What the demo-set build scripts share: inline markup -> IOB2 rows, the second pass applied
over the first, the format checks of tests/data/test_demo_eval_sets.py, JSONL files and the
inter-pass agreement.

Markup marks a mention as ``[[text]]``, or ``[[K:text]]`` where one sentence carries mentions
of several types (K is a one-letter key, e.g. D for Disease and C for Chemical). Tokens come
from the regex tokenizer the tests use; a mention edge must fall on a token edge.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
MENTION_PATTERN = re.compile(r"\[\[(?:([A-Z]):)?(.+?)\]\]")


def plain_text(markup: str) -> str:
    return MENTION_PATTERN.sub(lambda match: match.group(2), markup)


def parse(markup: str, types: dict[str | None, str]) -> tuple[list[str], dict[str | None, list[str]]]:
    """Markup -> (tokens, {key: IOB2 tags}); `types` maps each key (None for untyped
    ``[[text]]``) to its entity type, and every key gets its own tag sequence."""
    tokens: list[str] = []
    tags: dict[str | None, list[str]] = {key: [] for key in types}
    position = 0
    for match in list(MENTION_PATTERN.finditer(markup)) + [None]:
        outside = TOKEN_PATTERN.findall(markup[position:match.start() if match else len(markup)])
        tokens += outside
        for key in tags:
            tags[key] += ["O"] * len(outside)
        if match is None:
            break
        key, mention = match.group(1), TOKEN_PATTERN.findall(match.group(2))
        assert key in types and mention, f"bad mention {match.group(0)!r} in: {markup}"
        tokens += mention
        for other in tags:
            tags[other] += ([f"B-{types[key]}"] + [f"I-{types[key]}"] * (len(mention) - 1)
                            if other == key else ["O"] * len(mention))
        position = match.end()
    assert tokens == TOKEN_PATTERN.findall(plain_text(markup)), f"mention edge inside a token: {markup}"
    return tokens, tags


def rows(markups: list[str], types: dict[str | None, str]) -> dict[str | None, list[dict]]:
    """One {"tokens", "ner_tags"} row per sentence, for each key of `types`."""
    by_key: dict[str | None, list[dict]] = {key: [] for key in types}
    for markup in markups:
        tokens, tags = parse(markup, types)
        for key in types:
            by_key[key].append({"tokens": tokens, "ner_tags": tags[key]})
    return by_key


def apply_corrections(first_pass: list[str], corrections: dict[int, tuple[str, str]], first_number: int = 0) -> list[str]:
    """The final markup: each correction (row number -> (markup, reason)) replaces its row;
    rows are numbered from `first_number`. A correction may change tags, never the text."""
    final = list(first_pass)
    for number, (markup, _reason) in corrections.items():
        original = first_pass[number - first_number]
        assert TOKEN_PATTERN.findall(plain_text(markup)) == TOKEN_PATTERN.findall(plain_text(original)), number
        assert markup != original, f"correction {number} changes nothing"
        final[number - first_number] = markup
    return final


def write_jsonl(path: Path, file_rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in file_rows), encoding="utf-8")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def mention_count(tags: list[str]) -> int:
    return sum(tag.startswith("B-") for tag in tags)


def format_problems(name: str, file_rows: list[dict], entity: str, seed_path: Path) -> list[str]:
    """What tests/data/test_demo_eval_sets.py would reject, plus overlap with the seed file."""
    problems = []
    allowed = {"O", f"B-{entity}", f"I-{entity}"}
    for number, row in enumerate(file_rows, 1):
        tokens, tags = row["tokens"], row["ner_tags"]
        if TOKEN_PATTERN.findall(" ".join(tokens)) != tokens:
            problems.append(f"{name} row {number}: tokens differ from the regex tokenizer")
        if len(tokens) != len(tags) or not set(tags) <= allowed:
            problems.append(f"{name} row {number}: bad tags")
        if any(tag.startswith("I-") and previous == "O" for previous, tag in zip(["O"] + tags, tags)):
            problems.append(f"{name} row {number}: I- after O")
        if mention_count(tags) > 3:
            problems.append(f"{name} row {number}: {mention_count(tags)} mentions")
    if len(file_rows) < 200:
        problems.append(f"{name}: {len(file_rows)} rows, fewer than 200")
    free = sum(mention_count(row["ner_tags"]) == 0 for row in file_rows) / len(file_rows)
    if not 0.20 <= free <= 0.30:
        problems.append(f"{name}: entity-free share {free:.3f}, outside 0.20-0.30")
    sentences = [" ".join(row["tokens"]) for row in file_rows]
    if len(set(sentences)) != len(sentences):
        problems.append(f"{name}: duplicate sentences")
    if set(sentences) & {" ".join(row["tokens"]) for row in read_jsonl(seed_path)}:
        problems.append(f"{name}: shares sentences with the seed file {seed_path.name}")
    return problems


def agreement(first: list[dict], final: list[dict]) -> dict:
    """Pass 1 scored against the final pass: exact-span P/R/F1 (seqeval, strict IOB2), token
    kappa and agreement, and counts of what changed."""
    from seqeval.metrics import f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2
    from sklearn.metrics import cohen_kappa_score

    gold = [row["ner_tags"] for row in final]
    predicted = [row["ner_tags"] for row in first]
    flat_gold = [tag for tags in gold for tag in tags]
    flat_predicted = [tag for tags in predicted for tag in tags]
    options = {"mode": "strict", "scheme": IOB2}
    return {
        "precision": precision_score(gold, predicted, **options),
        "recall": recall_score(gold, predicted, **options),
        "f1": f1_score(gold, predicted, **options),
        "kappa": cohen_kappa_score(flat_predicted, flat_gold),
        "token_agreement": sum(a == b for a, b in zip(flat_gold, flat_predicted)) / len(flat_gold),
        "tokens": len(flat_gold),
        "token_disagreements": sum(a != b for a, b in zip(flat_gold, flat_predicted)),
        "changed_rows": sum(a != b for a, b in zip(gold, predicted)),
        "first_mentions": sum(mention_count(tags) for tags in predicted),
        "final_mentions": sum(mention_count(tags) for tags in gold),
    }
