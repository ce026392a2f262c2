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
        "edsr-baseline-lmliif": "LM-LIIF (encoder from the bundled LIIF: frozen, then fine-tuned)"}
BICUBIC_SET5_X4 = 28.43  # liif eval, standard protocol
# LM-LIIF run events (runs/edsr-baseline-lmliif/stdout.log): the step from which it trained its encoder
# too, and the step where a new cosine cycle restarted the learning rate at ~1e-4
# (step, legend entry or None for a repeat, line style)
LMLIIF_EVENTS = [(6163, "LM-LIIF: encoder unfrozen", ":"), (8404, "LM-LIIF: new cosine cycles", "-."),
                 (11200, None, "-."), (13558, None, "-."), (16200, None, "-."),
                 (18760, None, "-."), (21378, None, "-."),
                 (24000, None, "-."), (26629, None, "-.")]
ZOOM_FROM_STEP = 4000  # the third panel: late training, where tenths of a dB are the story


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
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    for run, label in RUNS.items():
        log = ROOT / "runs" / run / "log.csv"
        if not log.exists():
            continue
        steps, hours, psnr = validation_points(log)
        axes[0].plot(steps, psnr, marker="o", label=label)
        axes[1].plot(hours, psnr, marker="o", label=label)
        late = [(s, p) for s, p in zip(steps, psnr, strict=True) if s >= ZOOM_FROM_STEP]
        axes[2].plot(*zip(*late, strict=True), marker="o", label=label)
    for ax in (axes[0], axes[2]):
        for step, label, style in LMLIIF_EVENTS:
            ax.axvline(step, color="tab:orange", linestyle=style, label=label)
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
