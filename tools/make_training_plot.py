"""Plot the bundled models' training curves (Set5 x4 validation PSNR against steps and training time).

    python tools/make_training_plot.py           # reads runs/*/log.csv, writes docs/training.png
"""
from __future__ import annotations

import csv
from itertools import pairwise
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RUNS = {"edsr-baseline-liif": "LIIF (EDSR-baseline, trained from scratch)",
        "edsr-baseline-lmliif": "LM-LIIF (encoder from the bundled LIIF: frozen, then fine-tuned)"}
BICUBIC_SET5_X4 = 28.43  # liif eval, standard protocol
# LM-LIIF: the step from which it trained its encoder too (runs/edsr-baseline-lmliif/stdout.log); the
# whole-model cosine cycles after it are read off the log, so a new cycle needs no edit here
LMLIIF_UNFROZEN_AT = 6163
ZOOM_FROM_STEP = 4000  # the third panel: late training, where tenths of a dB are the story


def read_log(log: Path) -> list[dict[str, str]]:
    """The rows of a run's log.csv (step, loss, lr, val_psnr, elapsed_s, steps_per_s)."""
    with log.open() as fh:
        return list(csv.DictReader(fh))


def validation_points(rows: list[dict[str, str]]) -> tuple[list[int], list[float], list[float]]:
    """(steps, training hours, PSNR) of the log rows that carry a validation PSNR."""
    steps, hours, psnr = [], [], []
    for row in rows:
        if row.get("val_psnr"):
            steps.append(int(row["step"]))
            hours.append(float(row["elapsed_s"]) / 3600)
            psnr.append(float(row["val_psnr"]))
    return steps, hours, psnr


def cycle_restarts(rows: list[dict[str, str]], after: int) -> list[int]:
    """Steps after ``after`` where a new cycle raised the learning rate: each cycle's last logged step."""
    restarts = []
    for prev, row in pairwise(rows):
        # a linear warm-up at most doubles the rate from one 25-step row to the next and the cosine
        # lowers it, while every restart of this run raised it 4.8x or more (~2e-6 -> 1e-4 lately)
        if int(prev["step"]) >= after and float(row["lr"]) > 4 * float(prev["lr"]):
            restarts.append(int(prev["step"]))
    return restarts


def main() -> None:
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    logs = {run: read_log(log) for run in RUNS if (log := ROOT / "runs" / run / "log.csv").exists()}
    for run, rows in logs.items():
        label = RUNS[run]
        steps, hours, psnr = validation_points(rows)
        axes[0].plot(steps, psnr, marker="o", label=label)
        axes[1].plot(hours, psnr, marker="o", label=label)
        late = [(s, p) for s, p in zip(steps, psnr, strict=True) if s >= ZOOM_FROM_STEP]
        axes[2].plot(*zip(*late, strict=True), marker="o", label=label)
    restarts = cycle_restarts(logs.get("edsr-baseline-lmliif", []), LMLIIF_UNFROZEN_AT)
    for ax in (axes[0], axes[2]):
        ax.axvline(LMLIIF_UNFROZEN_AT, color="tab:orange", linestyle=":", label="LM-LIIF: encoder unfrozen")
        for i, step in enumerate(restarts):
            ax.axvline(step, color="tab:orange", linestyle="-.", label=None if i else "LM-LIIF: new cosine cycles")
    xlabels = ("training step (batch 16)", "training time on 2 CPU cores (hours)",
               f"training step, from {ZOOM_FROM_STEP} (zoomed in)")
    for ax, xlabel in zip(axes, xlabels, strict=True):
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    for ax in axes[:2]:
        ax.axhline(BICUBIC_SET5_X4, color="grey", linestyle="--", label="bicubic")
        ax.set_ylim(bottom=BICUBIC_SET5_X4 - 1)  # the first, near-random validations sit far below
    axes[0].set_ylabel("Set5 x4 PSNR on Y (dB), higher is better")
    axes[1].legend(loc="lower right", fontsize="small")
    axes[2].legend(loc="lower right", fontsize="small")
    fig.suptitle("Validation during training (weight average, standard protocol)")
    fig.tight_layout()
    out = ROOT / "docs" / "training.png"
    fig.savefig(out, dpi=110)
    print(f"written: {out}")


if __name__ == "__main__":
    main()
