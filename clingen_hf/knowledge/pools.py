"""Pools of knowledge that prompts sample from (topics, styles), with their provenance.

A pool is saved as JSON next to the data it produced, so a run can be repeated, audited
or published from its pools alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from clingen_hf.core.prompts import template_id
from clingen_hf.llm.client import Completion, LLMClient

_LIST_MARKER = re.compile(r"^\s*(?:[-*•]+|\d+[.)]|[a-zA-Z][.)])\s+")
_MARKDOWN = re.compile(r"[*_`#]+")


@dataclass
class Pool:
    kind: str  # "topics" or "styles"
    items: list[str]
    provenance: dict = field(default_factory=dict)

    def content_hash(self) -> str:
        return hashlib.sha256("\n".join(self.items).encode("utf-8")).hexdigest()[:16]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {**asdict(self), "count": len(self.items), "sha256_16": self.content_hash()}
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path, kind: str) -> Pool:
        try:
            payload = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PoolError(f"{path}: {kind} file not found") from None
        except json.JSONDecodeError as error:
            raise PoolError(f"{path}: not valid JSON ({error.msg} at line {error.lineno})") from None
        items = payload.get("items") if isinstance(payload, dict) else payload
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            raise PoolError(f"{path}: expected a non-empty list of strings under 'items'")
        provenance = payload.get("provenance", {}) if isinstance(payload, dict) else {}
        return cls(kind=kind, items=items, provenance={**provenance, "loaded_from": str(path)})


class PoolError(ValueError):
    pass


def normalise(item: str) -> str:
    """Key for de-duplication: case, punctuation and spacing do not make a new item."""
    return re.sub(r"[^\w]+", " ", item.lower()).strip()


def parse_list_items(text: str, max_words: int = 12) -> list[str]:
    """Items of a list the LLM wrote: one per line, with bullets, numbering, markdown and
    trailing explanations ("X - a disease of ...", "X: ...") removed."""
    items = []
    for line in text.splitlines():
        item = _LIST_MARKER.sub("", _MARKDOWN.sub("", _LIST_MARKER.sub("", line))).strip()
        item = re.split(r"\s+[-–—]\s+|:\s", item, maxsplit=1)[0].strip(" .,;\"'")
        if item and len(item.split()) <= max_words and not item.endswith(":"):
            items.append(item)
    return items


def add_unique(pool: list[str], seen: set[str], items: list[str]) -> int:
    added = 0
    for item in items:
        key = normalise(item)
        if key and key not in seen:
            seen.add(key)
            pool.append(item)
            added += 1
    return added


def llm_provenance(llm: LLMClient, template: str, completions: list[Completion], seed: int, **details) -> dict:
    """How an LLM-listed pool was made. A call that failed (an error the client gave up on, or
    the budget) answered nothing: `failed_calls` counts them, by reason."""
    failed = Counter(completion.error for completion in completions if completion.error)
    return {
        "source": "llm",
        "model": llm.settings.model,
        "template_id": template_id(template),
        **details,
        "calls": len(completions),
        "failed_calls": sum(failed.values()),
        "failed_by_reason": dict(failed),
        "seed": seed,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
