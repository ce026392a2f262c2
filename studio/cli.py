"""The installed ``liif`` command: the engine's commands plus the quality package's, wired here.

``liif`` (the engine) and ``iqa`` (quality) do not know each other's commands: this module adds
``iqa``'s ``score``, ``prefetch`` and ``metrics`` to the engine's parser, gives ``liif batch`` its
scorer, so ``liif batch --score`` and ``liif score`` work from one command, and adds ``liif space``.
Building the parser imports no heavy library: each command imports what it needs when it runs.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from liif import cli as engine_cli

__all__ = ["build_parser", "main", "run"]

# Commands whose whole work is done when they return: a report or a list printed, `score --plots`' files saved and
# closed. For them the console script flushes the log and stderr (main flushed stdout), then exits without the
# interpreter's teardown, where torch deregisters its operator libraries one finalizer at a time (torch.library):
# 0.6 s of a 1 MP `liif score` on a Zen 4, more than the report's rows. Commands that render, train, start
# workers or download keep the usual exit.
FAST_EXIT_COMMANDS = frozenset({"score", "metrics", "models"})


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
    """The full ``liif`` command for Python callers: its exit status (the console script is ``run``)."""
    return engine_cli.main(argv, parser=build_parser())


def run() -> None:
    """The console script: ``main``, then, for commands whose work is their output, an exit without teardown."""
    argv = sys.argv[1:]
    code = main(argv)
    if argv and argv[0] in FAST_EXIT_COMMANDS:
        logging.shutdown()  # the one exit handler with something to deliver: log records still buffered
        sys.stderr.flush()  # stdout is flushed by main, which also handles a reader that went away
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
