"""Print the real-input model's tables (gain over bicubic of the same degraded input, both models), or write
them into its model card: one on Set5 and Set14, one on photos neither model trained on (BSD68's test split).

    python tools/make_inputs_table.py            # print
    python tools/make_inputs_table.py --write    # into liif/weights/edsr-baseline-lmliif-real.md

Reads the results of `liif eval --degrade clean jpeg90 jpeg75 jpeg50 noise5 noise10` for the clean-trained
model (runs/edsr-baseline-lmliif-real/eval-inputs-clean-model) and for the real-input model
(runs/edsr-baseline-lmliif-real/eval-inputs), and of `liif eval --data .../CBSD68 --scales 4 --degrade clean
jpeg75 jpeg50 noise10` for both (eval-photos-clean-model, eval-photos; the photos are laid by
tools/heldout_sets.py), so the tables are the measurements, copied by no hand. The card is the one document
that holds these figures; it writes nothing else.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "runs" / "edsr-baseline-lmliif-real"
CARD = ROOT / "liif" / "weights" / "edsr-baseline-lmliif-real.md"
CLEAN_MODEL, REAL_MODEL = RUN / "eval-inputs-clean-model", RUN / "eval-inputs"
BEGIN, END = "<!-- inputs table: tools/make_inputs_table.py -->", "<!-- end of inputs table -->"
PHOTOS_BEGIN, PHOTOS_END = "<!-- photos table: tools/make_inputs_table.py -->", "<!-- end of photos table -->"
PHOTOS_CLEAN_MODEL, PHOTOS_REAL_MODEL = RUN / "eval-photos-clean-model", RUN / "eval-photos"
INPUTS = ("clean", "jpeg90", "jpeg75", "jpeg50", "noise5", "noise10")
LABELS = {"clean": "clean", "jpeg90": "JPEG q90", "jpeg75": "JPEG q75", "jpeg50": "JPEG q50",
          "noise5": "noise sigma 5", "noise10": "noise sigma 10"}

Key = tuple[str, str, float]


def load(folder: Path) -> dict[Key, dict]:
    """Rows keyed by (input, dataset, scale)."""
    rows = json.loads((folder / "results.json").read_text())
    return {(r.get("input", "clean"), r["dataset"], float(r["scale"])): r for r in rows}


def gains(rows: dict[Key, dict], condition: str, scale: float) -> tuple[float, float, int]:
    """Image-weighted mean gain over bicubic (dB) across the datasets, bicubic's PSNR, and the image count."""
    picked = [r for (c, _, s), r in rows.items() if c == condition and s == scale]
    n = sum(r["images"] for r in picked)
    gain = sum((r["psnr"] - r["bicubic_psnr"]) * r["images"] for r in picked) / n
    return gain, sum(r["bicubic_psnr"] * r["images"] for r in picked) / n, n


def table(clean_model: dict[Key, dict], real_model: dict[Key, dict]) -> list[str]:
    """One row per (input, scale): bicubic's PSNR, each model's gain over it, and the difference."""
    scales = sorted({s for (_, _, s) in real_model})
    datasets = sorted({d for (_, d, _) in real_model})
    lines = [f"Mean over {' and '.join(datasets)} (image-weighted), Y-PSNR with the standard protocol; the input is "
             "the MATLAB-bicubic low-resolution image, degraded; both models and bicubic enlarge the same input.",
             "",
             "| input | scale | bicubic PSNR | edsr-baseline-lmliif gain (dB) | edsr-baseline-lmliif-real gain (dB) | "
             "real - clean-trained (dB) |",
             "|---|---|---|---|---|---|"]
    for condition in INPUTS:
        for scale in scales:
            if not any(k[0] == condition and k[2] == scale for k in real_model):
                continue
            clean_gain, bic, _ = gains(clean_model, condition, scale)
            real_gain, _, _ = gains(real_model, condition, scale)
            lines.append(f"| {LABELS[condition]} | x{scale:g} | {bic:.2f} | {clean_gain:+.2f} | **{real_gain:+.2f}** | "
                         f"{real_gain - clean_gain:+.2f} |")
    return lines


def put(text: str, lines: list[str], begin: str = BEGIN, end: str = END) -> str:
    """The card with one table (between its markers) replaced."""
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return head + begin + "\n" + "\n".join(lines) + "\n" + end + tail


def tables() -> list[tuple[str, str, list[str]]]:
    """(begin marker, end marker, table lines) for each table the card holds."""
    return [(BEGIN, END, table(load(CLEAN_MODEL), load(REAL_MODEL))),
            (PHOTOS_BEGIN, PHOTOS_END, table(load(PHOTOS_CLEAN_MODEL), load(PHOTOS_REAL_MODEL)))]


def main() -> None:
    """Print the table, or write it into the card."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write it into {CARD.relative_to(ROOT)}")
    args = parser.parse_args()
    text = CARD.read_text()
    for begin, end, lines in tables():
        text = put(text, lines, begin, end)
        if not args.write:
            print("\n".join(lines) + "\n")
    if args.write:
        CARD.write_text(text)
        print(f"written: {CARD.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
