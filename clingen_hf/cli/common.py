"""What the commands share: errors, LLM options, label-check options."""

from __future__ import annotations

import argparse
import os

from clingen_hf.generation.checks.verification import POLICIES as SPAN_POLICIES
from clingen_hf.generation.recipe import RECIPES

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


class ExamplesHelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, except that an epilog of examples keeps its lines."""

    def _fill_text(self, text, width, indent):
        if text.startswith("examples:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def _examples_section(doc: str) -> list[str]:
    lines = doc.split("Examples:", 1)[1].splitlines()[1:] if "Examples:" in doc else []
    section = []
    for line in lines:
        if not line.strip():
            break
        section.append(line)
    return section


def docstring_examples(doc: str) -> list[str]:
    """The commands under `Examples:` in a command module's docstring, one string each; a
    more deeply indented line continues the command above it."""
    examples: list[str] = []
    for line in _examples_section(doc):
        if line.startswith("        ") and examples:
            examples[-1] += " " + line.strip()
        else:
            examples.append(line.strip())
    return examples


def examples_epilog(doc: str) -> str | None:
    """The docstring's examples for --help, laid out as in the docstring (shell continuations)."""
    section = _examples_section(doc)
    if not section:
        return None
    continued = [line.startswith("        ") for line in section[1:]] + [False]
    lines = [f"  {line.strip()}" if not line.startswith("        ") else f"      {line.strip()}" for line in section]
    return "examples:\n" + "\n".join(line + (" \\" if more else "") for line, more in zip(lines, continued))


class UsageError(ValueError):
    """Bad input the user can fix; printed without a traceback, exit code 2."""


class local_llm_errors_as_usage:
    """The embedded server's errors (model missing or corrupt, port taken) are the user's to fix."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        from clingen_hf.llm.local_server import LocalLLMError

        if isinstance(error, LocalLLMError):
            raise UsageError(str(error)) from error
        return False


def similarity_ratio(text: str) -> float:
    """argparse type of --link-fuzzy: a similarity in (0, 1]."""
    try:
        ratio = float(text)
    except ValueError:
        ratio = -1.0
    if not 0 < ratio <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a similarity in (0, 1]; 0.9 tolerates a letter or two in ten")
    return ratio


def task_names() -> list[str]:
    from clingen_hf.core.tasks import TASKS

    return sorted(TASKS)


def add_label_check_arguments(p, what: str) -> None:
    """--recipe and the settings it decides; each given one overrides the recipe."""
    group = p.add_argument_group(f"recipe and label quality ({what})")
    group.add_argument("--recipe", choices=RECIPES, default="clingen",
                       help="'clingen': the measured default (NER: KG verification of spans, KG mentions added; "
                       "guidelines in the prompt; KG-weighted topics; styles as kinds of text); 'paper': ClinGen as "
                       "published. Baselines always use the paper's prompts. (default: clingen; docs/benchmarks.md)")
    group.add_argument("--verify-spans", choices=SPAN_POLICIES,
                       help="link every labelled span to an entity of the task's type in the KG; 'remove' unlabels "
                       "spans that do not link, 'flag' only records them (default: the recipe's)")
    group.add_argument("--link-fuzzy", type=similarity_ratio, metavar="R",
                       help="with --verify-spans: a span that matches no KG name exactly, normalised or as a synonym "
                       "links to the most similar name if their similarity is >= R, e.g. 0.9 (default: off)")
    group.add_argument("--add-kg-mentions", action=argparse.BooleanOptionalAction,
                       help="also label mentions of KG entities the LLM left unlabelled (default: the recipe's)")
    group.add_argument("--self-check", action=argparse.BooleanOptionalAction,
                       help="a second LLM pass at temperature 0 confirms or rejects every labelled span against the "
                       "guidelines; rejected spans are unlabelled (one more call per sample; default: off)")
    group.add_argument("--guidelines", action=argparse.BooleanOptionalAction,
                       help="the task's annotation guidelines in the prompt; --no-guidelines: the paper's prompts "
                       "(default: the recipe's)")
    group.add_argument("--topic-weighting", choices=["kg", "uniform"],
                       help="how KG topics are drawn: 'kg' in proportion to the KG's entity weights, which favours "
                       "entities text mentions often; 'uniform' as the paper, mostly rare entities (default: the "
                       "recipe's)")
    group.add_argument("--style-prompt", choices=["kinds", "paper"],
                       help="'kinds' asks for kinds of text with their author's role and rejects named people and "
                       "institutions; 'paper' is the paper's Listing 1 (default: the recipe's)")


CHECK_FIELDS = ("verify_spans", "link_fuzzy", "add_kg_mentions", "self_check", "guidelines")


def label_check_overrides(args) -> dict:
    """The label-check settings given on the command line (the recipe decides the rest)."""
    return {name: getattr(args, name) for name in CHECK_FIELDS if getattr(args, name) is not None}


def checks_for(args, task: str, method: str):
    """The recipe's label checks for this task and method, with the command line's overrides."""
    from dataclasses import replace

    from clingen_hf.core.methods import get_method
    from clingen_hf.core.tasks import get_task
    from clingen_hf.generation.recipe import recipe_for

    return replace(recipe_for(args.recipe, get_task(task), get_method(method)).checks, **label_check_overrides(args))


def add_llm_arguments(p) -> None:
    llm = p.add_argument_group("LLM")
    llm.add_argument("--llm-base-url", default=os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"), help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL or OpenAI)")
    llm.add_argument("--llm-model", required=True, help="model name the server knows")
    llm.add_argument("--llm-model-fingerprint", help="the identity of the model behind --llm-model, part of the cache "
                     "key (default: what the server reports at /v1/models)")
    llm.add_argument("--llm-api-key-env", help="name of the environment variable holding the API key (default: OPENAI_API_KEY; not needed for a server on 127.0.0.1)")
    llm.add_argument("--temperature", type=float, default=1.0, help="(default: 1.0, as the paper)")
    llm.add_argument("--top-p", type=float, default=1.0, help="(default: 1.0, as the paper)")
    llm.add_argument("--max-tokens", type=int, default=512, help="(default: 512)")
    llm.add_argument("--concurrency", type=int, default=8, help="requests in flight at once (default: 8)")
    llm.add_argument("--timeout", type=float, default=120.0, help="seconds per request before a retry (default: 120)")
    llm.add_argument("--max-retries", type=int, default=4, help="client retries on 429/5xx/timeouts (default: 4)")
    llm.add_argument("--http-backend", choices=("aiohttp", "httpx"), default="aiohttp", help="the openai client's HTTP "
                     "transport: aiohttp (default) spends about a third less CPU per request at high concurrency "
                     "(docs/benchmarks.md); httpx is the client's own default")
    llm.add_argument("--price-input", type=float, help="USD per million prompt tokens (default: known OpenAI prices; 0 for local servers)")
    llm.add_argument("--price-output", type=float, help="USD per million completion tokens")
    llm.add_argument("--max-cost-usd", type=float, help="stop making calls once this much was spent; what is done is kept")
    llm.add_argument("--batch-api", action="store_true", help="send each generation step as one OpenAI Batch API job "
                     "(/v1/files + /v1/batches, half the price, answered within 24 h); a killed run resumes its batch")
    llm.add_argument("--batch-poll", type=float, default=30.0, help="seconds between batch status checks (default: 30)")
    llm.add_argument("--engine", choices=("local", "ray"), default="local", help="local: this process sends the calls "
                     "(default); ray: blocks of them run on Ray workers (pip install -e \".[ray]\")")
    llm.add_argument("--ray-address", help="the Ray cluster to join (default: start a local Ray instance)")
    llm.add_argument("--ray-endpoints", nargs="+", metavar="URL", help="with --engine ray: OpenAI-compatible URLs "
                     "(e.g. one vLLM server per node) that blocks go to in turn (default: --llm-base-url)")
    llm.add_argument("--cache-dir", help="where completions and the embedded KG are cached (default: $CLINGEN_CACHE or ~/.cache/clingen_hf)")


def llm_settings_from(args):
    from clingen_hf.llm.client import LLMSettings

    return LLMSettings(
        base_url=args.llm_base_url,
        model=args.llm_model,
        api_key_env=args.llm_api_key_env,
        temperature=args.temperature,
        top_p=args.top_p,
        max_tokens=args.max_tokens,
        concurrency=args.concurrency,
        timeout_s=args.timeout,
        max_retries=args.max_retries,
        http_backend=args.http_backend,
        price_input_per_mtok=args.price_input,
        price_output_per_mtok=args.price_output,
        max_cost_usd=args.max_cost_usd,
        model_fingerprint=args.llm_model_fingerprint,
        batch_api=args.batch_api,
        batch_poll_s=args.batch_poll,
        engine=args.engine,
        ray_address=args.ray_address,
        ray_endpoints=tuple(args.ray_endpoints or ()),
    )
