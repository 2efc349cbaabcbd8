"""Content-addressed cache of LLM completions (SQLite, one row per completion).

A completion is written the moment it returns, so a crashed or killed run loses only the
calls that were in flight. The key fingerprints everything that determines the answer:
model, messages, sampling parameters and the per-sample seed (n samples of one prompt are
n entries). API keys are never part of a key or a record.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path


def default_cache_dir() -> Path:
    return Path(os.environ.get("CLINGEN_CACHE", Path.home() / ".cache" / "clingen_hf"))


def completion_key(model: str, messages: list[dict], params: dict, sample_seed: int) -> str:
    payload = {"model": model, "messages": messages, "params": params, "sample_seed": sample_seed}
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

    def get(self, key: str) -> dict | None:
        row = self._db.execute("SELECT record FROM completions WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def __contains__(self, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM completions WHERE key = ?", (key,)).fetchone() is not None

    def put(self, key: str, record: dict) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO completions (key, record) VALUES (?, ?)",
            (key, json.dumps(record, ensure_ascii=False)),
        )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM completions").fetchone()[0]

    def close(self) -> None:
        self._db.close()
