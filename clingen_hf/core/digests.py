"""Content digests of files: what versions, revisions and caches compare."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def files_sha256(root: Path, paths: Iterable[Path]) -> str:
    """sha256 (hex) over each file's path relative to `root` and its bytes, in path order."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def parquet_sha256(directory: Path) -> str:
    """The digest of a dataset directory's data: its parquet files (cards and reports carry
    timestamps, so they are left out)."""
    return files_sha256(directory, directory.glob("**/*.parquet"))
