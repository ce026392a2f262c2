"""What the quality report costs next to the render it judges (issue 29): rows, total, ratio.

    python benchmarks/bench_report.py                 # 512x512 -> x4 (4.2 MP), the default model
    python benchmarks/bench_report.py --side 480      # the issue's 480x480 -> 1920x1920

Renders one output with the bundled default model at the demo's default precision (bf16 where the
processor has native bfloat16, else exact), then times ``iqa.assess``
with the default metrics (every row that runs offline here) ``--repeat`` times: per row the best
time, the whole report's best time, and the ratio report / render, all in this one process. Run it
against an older checkout with ``PYTHONPATH=/path/to/old/checkout`` to compare before and after on
the same machine in the same hour (timings on shared hosts vary 2x between hours).
"""

from __future__ import annotations

import argparse
import inspect
import os
import platform
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
PHOTO = REPO.parent / "shared" / "datasets" / "eval" / "Set14" / "baboon.png"


def photo(side: int) -> np.ndarray:
    """A ``side`` x ``side`` photo: Set14's baboon where ../shared has it, else the astronaut (scikit-image)."""
    if PHOTO.is_file():
        image = np.asarray(Image.open(PHOTO).convert("RGB"))
    else:
        from skimage import data

        image = data.astronaut()
    image = np.asarray(Image.fromarray(image).resize((side, side), Image.BICUBIC))
    return np.ascontiguousarray(image)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=512, help="input side in pixels (output: 4x)")
    parser.add_argument("--repeat", type=int, default=3, help="timed reports (best kept)")
    parser.add_argument("--limit", type=float, default=0.1, help="a row above this many seconds is listed")
    args = parser.parse_args(argv)

    import torch

    import iqa
    import liif
    from iqa import catalog
    from iqa.assess import make_views, metric_rows, select_metrics
    from studio.settings import engine_options, precision_choices

    low = photo(args.side)
    precision = precision_choices()[0]
    upscaler = liif.Upscaler(liif.create_model(), device="cpu", **engine_options(precision))
    upscaler.upscale(low[:64, :64], scale=4)  # warm-up: first-call costs are not the render's
    started = time.perf_counter()
    out = np.asarray(upscaler.upscale(low, scale=4))
    render = time.perf_counter() - started
    iqa.assess(out[:256, :256], low[:64, :64])  # warm-up: imports and created metrics
    # The demo shows the bicubic enlargement beside the output and hands it to the report (iqa.assess's
    # bicubic=); an older iqa makes its own, inside the timing.
    shown_bicubic = liif.bicubic(low, size=(out.shape[1], out.shape[0]))
    takes_bicubic = "bicubic" in inspect.signature(make_views).parameters

    rows: dict[str, float] = {}
    totals = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        views = make_views(out, low, bicubic=shown_bicubic) if takes_bicubic else make_views(out, low)
        rows["(views)"] = min(rows.get("(views)", 1e9), time.perf_counter() - began)
        for key in select_metrics(None, has_reference=False):
            t = time.perf_counter()
            got = metric_rows(catalog.METRICS[key], views)
            if got[0].available:
                rows[key] = min(rows.get(key, 1e9), time.perf_counter() - t)
        totals.append(time.perf_counter() - began)
    report = min(totals)

    print(f"bench_report: {args.side}x{args.side} x4 -> {out.shape[1]}x{out.shape[0]} "
          f"({out.shape[0] * out.shape[1] / 1e6:.1f} MP), {precision}, iqa from {Path(iqa.__file__).parent.parent}")
    print(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, {torch.get_num_threads()} torch "
          f"threads; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'row':32s} seconds (best of {args.repeat})")
    for key, seconds in sorted(rows.items(), key=lambda kv: -kv[1]):
        print(f"{key:32s} {seconds:7.3f}{'  over ' + str(args.limit) + ' s' if seconds > args.limit else ''}")
    print(f"{'render (engine, warm)':32s} {render:7.3f}")
    print(f"{'report (every offline row)':32s} {report:7.3f}   report / render = {report / render:.2f}")
    over = [k for k, s in rows.items() if s > args.limit]
    print(f"rows over {args.limit} s: {', '.join(over) if over else 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
