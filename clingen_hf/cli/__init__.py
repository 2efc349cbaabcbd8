"""`clingen`: the command line, one module per command; each parses its arguments into the
API's config objects, calls the API and prints."""

from __future__ import annotations

import argparse
import gc
import logging
import sys

from clingen_hf import __version__
from clingen_hf.cli import (
    build_llama_server,
    experiment,
    generate,
    infer,
    publish,
    quality,
    run,
    serve_llm,
    versions,
)
from clingen_hf.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    ExamplesHelpFormatter,
    UsageError,
    examples_epilog,
)

COMMANDS = (generate, publish, versions, run, serve_llm, build_llama_server, quality, experiment, infer)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clingen",
        description="Knowledge-infused synthetic clinical training data (ClinGen, arXiv 2311.00287).",
    )
    parser.add_argument("--version", action="version", version=f"clingen_hf {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
        subparser = list(commands.choices.values())[-1]
        subparser.epilog = examples_epilog(command.__doc__)
        if subparser.formatter_class is argparse.HelpFormatter:
            subparser.formatter_class = ExamplesHelpFormatter
    return parser


def main(argv: list[str] | None = None) -> int:
    from clingen_hf.core.encoders import ModelNotFoundError
    from clingen_hf.core.methods import UnknownMethodError
    from clingen_hf.core.tasks import UnknownTaskError
    from clingen_hf.data.seeds import SeedError
    from clingen_hf.generation.api import GenerationConfigError
    from clingen_hf.generation.builder import GenerationError
    from clingen_hf.hub.publish import PublishError
    from clingen_hf.knowledge.entities import KnowledgeGraphError
    from clingen_hf.knowledge.pools import PoolError
    from clingen_hf.llm.client import LLMConfigError
    from clingen_hf.training.config import TrainConfigError

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    bad_input = (UsageError, SeedError, PoolError, LLMConfigError, UnknownTaskError, UnknownMethodError,
                 KnowledgeGraphError, PublishError, TrainConfigError, GenerationConfigError, ModelNotFoundError)
    # The ~190k objects of the imported libraries outlive the command: out of the collector's full
    # passes while it runs, which walk every tracked object and take ~0.1 s apiece otherwise
    # (docs/benchmarks.md, "Generation overhead"). Back in them afterwards (`main` may be
    # called again in the same process).
    gc.freeze()
    try:
        return args.handler(args)
    except bad_input as error:
        print(f"clingen {args.command}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except GenerationError as error:
        print(f"clingen {args.command}: failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"clingen {args.command}: interrupted; completed LLM calls are cached, rerun to resume", file=sys.stderr)
        return 130
    finally:
        gc.unfreeze()
