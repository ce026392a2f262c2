"""The installed ``liif`` command: the engine's commands plus the quality package's, wired here.

``liif`` (the engine) and ``iqa`` (quality) do not know each other's commands: this module adds
``iqa``'s ``score``, ``prefetch`` and ``metrics`` to the engine's parser and gives ``liif batch``
its scorer, so ``liif batch --score`` and ``liif score`` work from one command.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from iqa.batch_scores import batch_scorer
from iqa.cli import add_score_parser
from liif import cli as engine_cli

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The full ``liif`` argparse tree: engine commands, quality commands, batch scoring."""
    return engine_cli.build_parser(extra_commands=add_score_parser, scorer_factory=batch_scorer)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``liif`` console script."""
    return engine_cli.main(argv, parser=build_parser())


if __name__ == "__main__":
    sys.exit(main())
