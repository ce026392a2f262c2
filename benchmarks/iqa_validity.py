"""Validity suite for the quality report (issue 13): can its cues and verdict be fooled?

    python benchmarks/iqa_validity.py            # Set5 + Set14 + examples/reference, x4

For every image (its original known), the bundled LIIF model's output is compared with
altered results (``iqa.validity.ALTERATIONS``). The truth is the full-reference ranking
(PSNR-Y and SSIM with a 4-pixel shave, LPIPS when its weights are present). Writes
``benchmarks/iqa_validity-results.md`` (linked from docs/quality.md) and prints it. LIIF outputs are
cached in ``.cache/iqa-validity/`` (keyed by the model's weights), so re-runs take about a
minute.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import iqa  # noqa: E402
from iqa import validity  # noqa: E402
from iqa.images import resize_bicubic  # noqa: E402

SCALE = 4
DATASETS = REPO.parent / "shared" / "datasets" / "eval"
CACHE = REPO / ".cache" / "iqa-validity"
RESULTS = REPO / "benchmarks" / "iqa_validity-results.md"


def images() -> list[tuple[str, str, Path]]:
    """(set, name, path) for Set5, Set14 and examples/reference."""
    found = [(d.name, p.stem, p) for d in (DATASETS / "Set5", DATASETS / "Set14") for p in sorted(d.glob("*.png"))]
    found += [("examples", p.stem, p) for p in sorted((REPO / "examples" / "reference").glob("*.png"))]
    return found


def pair(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(HR cropped to a multiple of the scale, LR by antialiased bicubic)."""
    hr = np.asarray(Image.open(path).convert("RGB"))
    hr = np.ascontiguousarray(hr[: hr.shape[0] // SCALE * SCALE, : hr.shape[1] // SCALE * SCALE])
    return hr, resize_bicubic(hr, (hr.shape[1] // SCALE, hr.shape[0] // SCALE))


class LiifCache:
    """LIIF outputs of the bundled default model, cached as PNG per model and image."""

    def __init__(self) -> None:
        import torch

        import liif

        self.model = liif.create_model()
        digest = hashlib.sha1()
        for name, tensor in sorted(self.model.state_dict().items()):
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().numpy().tobytes())
        self.folder = CACHE / digest.hexdigest()[:12]
        self._upscaler = None
        torch.set_num_threads(1)

    def get(self, name: str, low: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        file = self.folder / f"{name}_x{SCALE}.png"
        if file.is_file():
            return np.asarray(Image.open(file).convert("RGB"))
        import liif

        if self._upscaler is None:
            self._upscaler = liif.Upscaler(self.model, device="cpu")
        out = np.asarray(self._upscaler.upscale(low, size=size))
        self.folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(out).save(file)
        return out


def run(limit: int | None) -> dict:
    cache = LiifCache()
    agree = defaultdict(lambda: defaultdict(lambda: [0, 0]))  # cue -> alteration -> [same, ranked]
    summary = defaultdict(lambda: defaultdict(int))  # alteration -> counters
    misses: list[str] = []
    target = {"worse": 0, "misses": 0}  # issue 13's target: Set5 + Set14 only
    timing = []
    for set_name, name, path in images()[:limit]:
        hr, low = pair(path)
        started = time.perf_counter()
        out = cache.get(name, low, (hr.shape[1], hr.shape[0]))
        liif_report = iqa.assess(out, low, reference=hr, shave=SCALE)
        timing.append(time.perf_counter() - started)
        for alteration in validity.ALTERATIONS:
            altered = alteration.make(out, low)
            report = iqa.assess(altered, low, reference=hr, shave=SCALE)
            truth = validity.truth(liif_report, report)
            s = summary[alteration.key]
            s["images"] += 1
            s[f"truth_{truth}"] += 1
            if set_name in ("Set5", "Set14"):
                s["set5_14"] += 1
            if truth is None:
                continue
            for row in liif_report.rows:
                if row.group == "full-reference":
                    continue
                agrees = validity.cue_agrees(row.key, liif_report, report, truth)
                if agrees is not None:
                    cell = agree[row.key][alteration.key]
                    cell[0] += agrees
                    cell[1] += 1
            if truth == "worse":
                if set_name in ("Set5", "Set14"):
                    target["worse"] += 1
                cue = bool(validity.cue_flags(liif_report, report))
                verdict = validity.verdict_flags(liif_report, report)
                prefers = validity.verdict_prefers(liif_report, report)
                s["cue_flagged"] += cue
                s["verdict_flagged"] += verdict
                s["verdict_prefers"] += prefers
                if not (cue and verdict) or prefers:
                    target["misses"] += set_name in ("Set5", "Set14")
                    misses.append(f"{set_name}/{name} {alteration.key}: cue {cue}, verdict {verdict}, "
                                  f"prefers {prefers}; {iqa.verdict.judge(validity.without_reference(report)).text}")
        print(f"{set_name}/{name}: {judge_text(liif_report)}", flush=True)
    return {"agree": agree, "summary": summary, "misses": misses, "timing": timing, "target": target}


def judge_text(report) -> str:
    return iqa.verdict.judge(validity.without_reference(report)).text


def table(result: dict) -> str:
    keys = [a.key for a in validity.ALTERATIONS]
    agree, summary = result["agree"], result["summary"]
    lines = ["| cue | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    order = [k for k in iqa.METRICS if k in agree]
    for cue in order:
        cells = []
        for alt in keys:
            same, ranked = agree[cue][alt]
            cells.append(f"{100 * same / ranked:.0f}%" if ranked else "-")
        lines.append(f"| `{cue}` | " + " | ".join(cells) + " |")
    for label, field in (("truth: worse than LIIF", "truth_worse"), ("flagged by a cue's warning", "cue_flagged"),
                         ("flagged by the verdict", "verdict_flagged"),
                         ("verdict prefers it to LIIF", "verdict_prefers")):
        lines.append(f"| **{label}** | " + " | ".join(
            f"{summary[a][field]}/{summary[a]['images']}" for a in keys) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N images (a quick check)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(args.limit)
    text = table(result)
    misses = result["misses"]
    n = len(result["timing"])
    report = [
        f"# iqa validity suite: x{SCALE}, {n} images (Set5, Set14, examples/reference)",
        "",
        "Cell: how often the cue ranks (LIIF, altered) the same way as the full-reference truth "
        "(PSNR-Y and SSIM agree; LPIPS too when its weights are present), over the images where the "
        "truth is decisive. Last rows: altered results the truth calls worse than LIIF, and how many "
        "of them a cue's warning and the no-reference verdict flag.",
        "",
        text,
        "",
        f"Target (Set5 + Set14): {result['target']['misses']} misses among {result['target']['worse']} altered "
        "results worse than LIIF by the truth.",
        "",
        f"Misses, all images (worse by the truth, not flagged by both, or preferred by the verdict): {len(misses)}",
        *[f"- {m}" for m in misses],
        "",
        f"Run time {time.perf_counter() - started:.0f} s (LIIF output + assessment: "
        f"{np.mean(result['timing']):.1f} s per image on average).",
    ]
    RESULTS.write_text("\n".join(report) + "\n")
    print("\n".join(report))
    return 0 if not result["target"]["misses"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
