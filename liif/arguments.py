"""Command-line argument types shared by ``liif upscale`` and ``liif batch`` (a module of their own, so the
batch command does not import the CLI that registers it)."""
from __future__ import annotations

import argparse


def parse_scale(text: str) -> float | tuple[float, float]:
    """'4', '2.7' or 'SXxSY' (per-axis, e.g. 2x3)."""
    try:
        if "x" in text.lower():
            sx, sy = text.lower().split("x")
            return float(sx), float(sy)
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"scale must be a number like 4 or 2.7, or SXxSY like 2x3, got {text!r}") from None


def parse_size(text: str) -> tuple[int | None, int | None]:
    """'WIDTHxHEIGHT', 'WIDTHx' or 'xHEIGHT' -> (width, height), None for the side that follows the aspect ratio."""
    from .sizes import parse_size_request

    try:
        return parse_size_request(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"size must be WIDTHxHEIGHT like 1920x1080, or one side like 1920x or x1080, got {text!r}") from None


def add_scale_or_size(parser: argparse.ArgumentParser) -> None:
    """The required choice between ``--scale`` and ``--size`` that every rendering command takes."""
    g = parser.add_mutually_exclusive_group(required=True)
    g.add_argument("--scale", type=parse_scale, help="factor (4, 2.7) or per-axis SXxSY (2x3)")
    g.add_argument("--size", type=parse_size,
                   help="output box WIDTHxHEIGHT: the output fits inside it, aspect ratio kept (1920x or x1080: one "
                        "side, the other follows)")
    parser.add_argument("--stretch", action="store_true",
                        help="with --size WxH: exactly that size, even if the shape changes (the summary says so)")
