"""The installed ``liif`` command: the engine's commands plus the quality package's, wired here.

``liif`` (the engine) and ``iqa`` (quality) do not know each other's commands: this module adds
``iqa``'s ``score``, ``prefetch`` and ``metrics`` to the engine's parser, gives ``liif batch`` its
scorer, so ``liif batch --score`` and ``liif score`` work from one command, and adds ``liif space``.
Building the parser imports no heavy library: each command imports what it needs when it runs.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from liif import cli as engine_cli

__all__ = ["build_parser", "main"]


def _batch_scorer(keys: Sequence[str]) -> Any:
    from iqa.batch_scores import batch_scorer

    return batch_scorer(keys)


def _more_commands(sub: Any) -> None:
    from iqa.cli import add_score_parser

    from .space import add_space_parser

    add_score_parser(sub)
    add_space_parser(sub)


def build_parser() -> argparse.ArgumentParser:
    """The full ``liif`` argparse tree: engine commands, quality commands, batch scoring, Spaces export."""
    return engine_cli.build_parser(extra_commands=_more_commands, scorer_factory=_batch_scorer)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``liif`` console script."""
    return engine_cli.main(argv, parser=build_parser())


if __name__ == "__main__":
    sys.exit(main())
