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


def parse_size(text: str) -> tuple[int, int]:
    """'WIDTHxHEIGHT' -> (width, height)."""
    try:
        w, h = text.lower().split("x")
        return int(w), int(h)
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must be WIDTHxHEIGHT like 1920x1080, got {text!r}") from None


def add_scale_or_size(parser: argparse.ArgumentParser) -> None:
    """The required choice between ``--scale`` and ``--size`` that every rendering command takes."""
    g = parser.add_mutually_exclusive_group(required=True)
    g.add_argument("--scale", type=parse_scale, help="factor (4, 2.7) or per-axis SXxSY (2x3)")
    g.add_argument("--size", type=parse_size, help="exact output WIDTHxHEIGHT")
