"""Plot the bundled models' training curves (Set5 x4 validation PSNR against steps and training time).

    python docs/make_training_plot.py            # reads runs/*/log.csv, writes docs/training.png
"""
from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RUNS = {"edsr-baseline-liif": "LIIF (EDSR-baseline, trained from scratch)",
        "edsr-baseline-lmliif": "LM-LIIF (encoder from the bundled LIIF, frozen)"}
BICUBIC_SET5_X4 = 28.43  # liif eval, standard protocol


def validation_points(log: Path) -> tuple[list[int], list[float], list[float]]:
    """(steps, training hours, PSNR) of the rows of a run's log.csv that carry a validation PSNR."""
    steps, hours, psnr = [], [], []
    with log.open() as fh:
        for row in csv.DictReader(fh):
            if row.get("val_psnr"):
                steps.append(int(row["step"]))
                hours.append(float(row["elapsed_s"]) / 3600)
                psnr.append(float(row["val_psnr"]))
    return steps, hours, psnr


def main() -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for run, label in RUNS.items():
        log = ROOT / "runs" / run / "log.csv"
        if not log.exists():
            continue
        steps, hours, psnr = validation_points(log)
        axes[0].plot(steps, psnr, marker="o", label=label)
        axes[1].plot(hours, psnr, marker="o", label=label)
    for ax, xlabel in zip(axes, ("training step (batch 16)", "training time on 2 CPU cores (hours)")):
        ax.axhline(BICUBIC_SET5_X4, color="grey", linestyle="--", label="bicubic")
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("Set5 x4 PSNR on Y (dB), higher is better")
    axes[0].set_ylim(bottom=BICUBIC_SET5_X4 - 1)  # the first, near-random validations sit far below
    axes[1].legend(loc="lower right")
    fig.suptitle("Validation during training (weight average, standard protocol)")
    fig.tight_layout()
    out = ROOT / "docs" / "training.png"
    fig.savefig(out, dpi=110)
    print(f"written: {out}")


if __name__ == "__main__":
    main()
