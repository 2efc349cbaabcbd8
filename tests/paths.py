"""Folders the tests read from, wherever the test module sits."""

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
READER_FIXTURES = TESTS_DIR / "fixtures" / "readers"
IBKH_FIXTURE = TESTS_DIR / "knowledge" / "fixtures" / "ibkh"
