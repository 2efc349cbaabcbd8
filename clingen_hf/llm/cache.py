"""Content-addressed cache of LLM completions (SQLite, one row per completion).

A completion is written the moment it returns, so a crashed or killed run loses only the
calls that were in flight. The key fingerprints everything that determines the answer:
model name, the identity of the model that answered (e.g. its GGUF's sha256 or the id its
server reports), messages, sampling parameters and the per-sample seed (n samples of one
prompt are n entries). Each record also stores that identity, and a record stored under
another identity is a miss. API keys are never part of a key or a record.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path


def default_cache_dir() -> Path:
    """`$CLINGEN_CACHE`, else (unset or empty) `~/.cache/clingen_hf`: the one place that decides."""
    return Path(os.environ.get("CLINGEN_CACHE") or Path.home() / ".cache" / "clingen_hf")


def completion_key(model: str, model_fingerprint: str, messages: list[dict], params: dict, sample_seed: int) -> str:
    payload = {"model": model, "model_fingerprint": model_fingerprint, "messages": messages, "params": params,
               "sample_seed": sample_seed}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class CompletionCache:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS completions (key TEXT PRIMARY KEY, record TEXT NOT NULL)")

    @classmethod
    def in_dir(cls, cache_dir: str | Path | None) -> "CompletionCache":
        return cls(Path(cache_dir or default_cache_dir()) / "llm_cache.sqlite")

    def get(self, key: str, model_fingerprint: str) -> dict | None:
        """The record under `key` if the model that wrote it has this identity, else None."""
        row = self._db.execute("SELECT record FROM completions WHERE key = ?", (key,)).fetchone()
        record = json.loads(row[0]) if row else None
        return record if record is not None and record.get("model_fingerprint") == model_fingerprint else None

    def put(self, key: str, record: dict) -> None:
        """`record` carries the `model_fingerprint` of the model that answered."""
        self._db.execute(
            "INSERT OR REPLACE INTO completions (key, record) VALUES (?, ?)",
            (key, json.dumps(record, ensure_ascii=False)),
        )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM completions").fetchone()[0]

    def close(self) -> None:
        self._db.close()
