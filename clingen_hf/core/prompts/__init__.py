"""Prompt templates (Jinja files shipped in the package) and their rendering.

A template's id is its name plus a short hash of its text, so every generated row records
exactly which wording produced it.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources

import jinja2

TEMPLATE_DIR = resources.files("clingen_hf.core.prompts") / "templates"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
        auto_reload=False,  # templates ship in the package: no file-time check on every render
    )


def render(template_name: str, **slots) -> str:
    """Fill a template's slots; a missing slot is an error, not an empty string."""
    text = _environment().get_template(f"{template_name}.jinja").render(**slots)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@lru_cache(maxsize=None)
def template_id(template_name: str) -> str:
    names = [f"{template_name}.jinja", *_included_templates(template_name)]
    digest = hashlib.sha256()
    for name in names:
        digest.update((TEMPLATE_DIR / name).read_bytes())
    return f"{template_name}@{digest.hexdigest()[:8]}"


def _included_templates(template_name: str) -> list[str]:
    source = (TEMPLATE_DIR / f"{template_name}.jinja").read_text(encoding="utf-8")
    return re.findall(r'{%-?\s*include\s+"([^"]+)"', source)
