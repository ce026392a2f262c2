"""The quality subcommands of the ``liif`` console script.

``studio.cli`` (where the engine and the quality package meet) calls
:func:`add_score_parser` with the ``liif`` command's argparse subparsers; each subparser
sets ``func`` to a handler taking the parsed args and returning an exit code::

    liif score IMAGE --input LOWRES [--reference HR] [--metrics KEY ...] [--format json|table] [--shave N]
    liif prefetch [METRIC ...]
    liif metrics
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_score_parser", "score_command", "prefetch_command", "metrics_command"]


def _load(path: str, what: str):
    # The engine's loader, so a file is scored as `liif upscale` reads it (EXIF orientation, 16 bits).
    from liif.errors import InputError
    from liif.imageio import load_image

    if not Path(path).is_file():
        raise InputError(f"{what} not found: {path}")
    return load_image(path)


def _metric_list(values):
    if not values:
        return None
    keys = []
    for value in values:
        keys.extend(k for k in value.split(",") if k)
    return keys


def score_command(args: argparse.Namespace) -> int:
    import iqa
    from liif.errors import LiifError

    try:
        output = _load(args.image, "image")
        lowres = _load(args.input, "input image")
        reference = _load(args.reference, "reference image") if args.reference else None
        report = iqa.assess(output, lowres, reference=reference,
                            metrics=_metric_list(args.metrics), shave=args.shave)
    except (LiifError, ValueError) as error:
        print(f"liif score: error: {error}", file=sys.stderr)
        return 2
    print(report.to_json() if args.format == "json" else report.to_table())
    if args.plots:
        from .images import to_rgb_array
        from .report.plots import write_plots

        for path, caption in write_plots(to_rgb_array(output, "image"), to_rgb_array(lowres, "input"), args.plots):
            print(f"{path}: {caption}", file=sys.stderr)  # stdout stays the report (JSON parses as it is)
    return 0


def prefetch_command(args: argparse.Namespace) -> int:
    import iqa

    try:
        keys = _metric_list(args.metrics)
        results = iqa.prefetch(keys)
    except ValueError as error:
        print(f"liif prefetch: error: {error}", file=sys.stderr)
        return 2
    print(f"cache: {iqa.paths.cache_root()} (set ${iqa.paths.ENV_VAR} to change)")
    print("note: pyiqa weights are licensed CC-BY-NC-SA-4.0 (non-commercial)")
    failed = 0
    for key, ok, message in results:
        print(f"{'ok  ' if ok else 'FAIL'} {key}: {message}")
        failed += not ok
    return 1 if failed else 0


def metrics_command(args: argparse.Namespace) -> int:
    import iqa

    for key, ok, reason in iqa.available_metrics():
        metric = iqa.METRICS[key]
        state = "available" if ok else "unavailable"
        print(f"{key:22s} {metric.direction:6s} {metric.range:32s} {state}")
        if not ok and args.verbose:
            print(f"{'':22s} {reason}")
    return 0


def add_score_parser(subparsers) -> None:
    """Add ``score``, ``prefetch`` and ``metrics`` to an argparse subparsers object (imports no metric)."""
    score = subparsers.add_parser(
        "score", help="measure how an enlargement keeps detail and tone",
        description="Score an enlarged IMAGE against its low-resolution input; every "
                    "score is shown next to the bicubic enlargement at the same size.",
    )
    score.add_argument("image", metavar="IMAGE", help="the enlarged image (output)")
    score.add_argument("--input", required=True, metavar="LOWRES", help="the low-resolution input")
    score.add_argument("--reference", metavar="HR",
                       help="ground-truth high-resolution image (enables PSNR/SSIM/LPIPS/DISTS)")
    score.add_argument("--metrics", nargs="+", metavar="KEY",
                       help="catalogue keys (space or comma separated); default: all ('liif metrics' lists them)")
    score.add_argument("--format", choices=("table", "json"), default="table")
    score.add_argument("--plots", metavar="DIR", help="also draw the spectrum, detail-added and tone pictures "
                                                       "there (spectrum.png, detail.png, tone.png)")
    score.add_argument("--shave", type=int, default=0, metavar="N",
                       help="border pixels ignored by PSNR/SSIM (the SR literature uses the scale)")
    score.set_defaults(func=score_command)

    prefetch = subparsers.add_parser(
        "prefetch", help="download metric weights (for a Space build or an offline machine)",
        description="Download weights into $LIIF_STUDIO_CACHE (default ~/.cache/liif-studio). "
                    "pyiqa weights are CC-BY-NC-SA-4.0.",
    )
    prefetch.add_argument("metrics", nargs="*", metavar="METRIC",
                          help="catalogue keys; default: every metric that needs weights")
    prefetch.set_defaults(func=prefetch_command)

    metrics = subparsers.add_parser("metrics", help="list the metric catalogue and what is available")
    metrics.add_argument("-v", "--verbose", action="store_true", help="say why a metric is unavailable")
    metrics.set_defaults(func=metrics_command)
