"""Validity suite v3 (issue 35): does the report hold on content and damage its thresholds never saw?

    python tools/heldout_sets.py --list                 # the cached families (see that tool to lay them)
    python benchmarks/iqa_transfer.py --per-family 12 --clean-per-family 36   # the committed results (~15 min, Zen 4)
    python benchmarks/iqa_transfer.py --per-family 2 --clean-per-family 2 --no-lofo --output-dir /tmp/t   # a check

Families: natural photos (colour BSD68, the BSDS300 test split), urban and architecture (Urban100),
line art and manga (Manga109), scenes (Sun-Hays 80), faces, text and screenshots (drawn here, seeded),
and small inputs (64 px, from the natural and urban photos). Every input is 80 to 120 px (64 for the
small family) cut from the centre of the original, reduced x4 (antialiased bicubic); the default model
enlarges it x4. The same as issue 35's own trial, so the figures compare with its 87% recall.

* **False alarms**: clean outputs the truth ranks at least as good as bicubic (PSNR-Y and SSIM), flagged
  by the no-reference verdict anyway (``iqa.validity.false_alarm``). Measured on more images than recall
  (``--clean-per-family``, 36): with 12 one alarm is 8%, and a 3% target cannot be told from 0.
* **The original as an output** (a control): the high-resolution original judged as if a model had made it.
  Whatever the verdict holds against it, the original has too: what the report reads there is the photo's
  own (a camera's sharpening, fine texture), not a model's doing.
* **Recall, for the right reason**: each alteration of the suite and each new damage
  (``iqa.validity.damages``) counts where it is worse by the truth: Y-PSNR against the original at least
  0.3 dB below the model's output (issue 35's rule), or, for damage Y-PSNR cannot see (chroma), a mean
  CIEDE2000 against the original at least 1.0 above the output's (1.0: about one just-noticeable
  difference, Sharma, Wu and Dalal 2005). It is found for the right reason when the verdict names one of
  its reasons (``iqa.validity.verdict_reason``). Salt and pepper and stuck pixels (``EVERY_IMAGE``) are
  also judged on every damaged image, whatever the truth: the issue asks for them to be flagged everywhere.

The headline is the worst family, not the mean. Two passes: today's thresholds (fitted on BSD200), transfer as it
is; then leave one family out: each family under the thresholds of ``iqa.validity.thresholds`` refitted without
it (on the other families and the v2 fit split's clean x4 outputs). The last column counts how often a row had
too little support to judge (issue 35 part 2).
Families absent from the cache are skipped and said so. Model outputs are cached in ``.cache/iqa-transfer``.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from skimage import color

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tools"))

from iqa_validity import SUITE_METRICS, ModelCache  # noqa: E402

import iqa  # noqa: E402
from iqa import validity  # noqa: E402
from iqa.report.verdict import judge  # noqa: E402
from iqa.validity import thresholds  # noqa: E402
from iqa.validity.damages import TRANSFER_DAMAGES  # noqa: E402
from liif.metrics import psnr_y  # noqa: E402

SCALE = 4
SIDES = (80, 96, 112, 120)  # input sides, cycled over a family's images (issue 35's 80-120 px)
SMALL_SIDE = 64
PSNR_WORSE_DB = 0.3  # issue 35: an altered result counts when its Y-PSNR is this far below the output's
DELTA_E_WORSE = 1.0  # about one just-noticeable CIEDE2000 difference (Sharma, Wu and Dalal 2005)
# Issue 35's target: salt and pepper and stuck pixels flagged on *every* image, for the right reason, whatever the
# truth says (a few dots on a white page cost little Y-PSNR yet are plain to see). Judged on every damaged image.
EVERY_IMAGE = frozenset(a.key for a in TRANSFER_DAMAGES if "isolated pixels" in a.reasons)


@dataclass(frozen=True)
class Item:
    """One test image: its family, a name, and the original crop (4x the input's side)."""

    family: str
    name: str
    hr: np.ndarray


@dataclass
class FamilyResult:
    """What one family's run counts."""

    images: int = 0
    clean: Counter = field(default_factory=Counter)  # eligible, alarms
    damage: dict = field(default_factory=lambda: defaultdict(Counter))  # alteration -> worse, right, wrong, missed
    findings: list[str] = field(default_factory=list)
    # Issue 35 part 2: rows of the clean outputs that said "not enough X to judge", by row, and rows looked at.
    unjudged: Counter = field(default_factory=Counter)
    rows: int = 0
    original: Counter = field(default_factory=Counter)  # the control: originals judged, and warned of
    clean_rows: list[dict] = field(default_factory=list)  # eligible clean outputs' rows (key -> Score): a refit's data
    altered_rows: list[tuple] = field(default_factory=list)  # (alteration, rows) of the altered results counted
    every: dict = field(default_factory=lambda: defaultdict(Counter))  # EVERY_IMAGE's reasons on every damaged image

    def totals(self) -> Counter:
        """Worse / right / wrong / missed over every alteration."""
        out = Counter()
        for c in self.damage.values():
            out.update(c)
        return out


def _centre(image: np.ndarray, side: int, at: tuple[float, float] = (0.5, 0.5)) -> np.ndarray | None:
    h, w = image.shape[:2]
    if h < side or w < side:
        return None
    y = min(max(0, int(h * at[0]) - side // 2), h - side)
    x = min(max(0, int(w * at[1]) - side // 2), w - side)
    return np.ascontiguousarray(image[y:y + side, x:x + side])


def _photos(folder: Path, family: str, n: int, sides: tuple[int, ...], at: tuple[float, float]) -> list[Item]:
    if n < 1 or not folder.is_dir():
        return []
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
    if not files:
        return []
    step = max(1, len(files) // n)
    items = []
    for i, path in enumerate(files[::step][:n]):
        image = np.asarray(Image.open(path).convert("RGB"))
        # The side the cycle asks for, or the largest the photo holds (BSD68's 321 px side holds 80 px inputs).
        side = min(sides[i % len(sides)], min(image.shape[:2]) // SCALE)
        hr = _centre(image, SCALE * side, at) if side >= min(sides) else None
        if hr is not None:
            items.append(Item(family, path.stem, hr))
    return items


def text_images(n: int) -> list[Item]:
    """Text and screenshot-like pictures drawn here (seeded): pages, dark mode, a dialog, code, coloured headings."""
    rng = np.random.default_rng(35)
    words = ("quality", "detail", "tone", "upscale", "report", "pixel", "image", "sharp", "colour", "model",
             "window", "settings", "cancel", "open", "save", "scale", "input", "output", "bicubic", "liif")
    items = []
    for i in range(n):
        side = SCALE * SIDES[i % len(SIDES)]
        style = i % 5
        bg, fg = [((255, 255, 255), (20, 20, 20)), ((30, 32, 36), (220, 220, 220)), ((240, 240, 245), (0, 0, 0)),
                  ((250, 250, 250), (40, 40, 160)), ((255, 253, 240), (150, 20, 20))][style]
        page = Image.new("RGB", (side, side), bg)
        draw = ImageDraw.Draw(page)
        size = int(rng.integers(14, 30))
        font = ImageFont.load_default(size=size)
        if style == 2:  # a dialog: a title bar, two buttons
            draw.rectangle((0, 0, side, size + 10), fill=(60, 110, 200))
            draw.text((8, 4), "Upscale settings", font=font, fill=(255, 255, 255))
            for k, label in enumerate(("Cancel", "Open")):
                x0 = side - (k + 1) * (size * 5)
                draw.rounded_rectangle((x0, side - 2 * size - 10, x0 + size * 4, side - 10), radius=6,
                                       outline=(90, 90, 90), fill=(225, 225, 230))
                draw.text((x0 + 8, side - 2 * size - 6), label, font=font, fill=fg)
        y = size + 16 if style == 2 else 8
        while y < side - 2 * size - (20 if style == 2 else 0):
            line = " ".join(rng.choice(words, size=int(rng.integers(2, 6))))
            if style == 3:
                line = f"{int(rng.integers(1, 99)):>2}  def {line.replace(' ', '_')}():"
            draw.text((8, y), line, font=font, fill=fg if style != 4 or y > size * 2 else (200, 60, 0))
            y += int(size * 1.4)
        items.append(Item("text", f"text_{i}", np.asarray(page)))
    return items


def family_items(per_family: int) -> tuple[dict[str, list[Item]], list[str]]:
    """Every family's images, and a line for each family that is absent."""
    from heldout_sets import family_dir

    fams = {
        "natural": _photos(family_dir("natural"), "natural", per_family, SIDES, (0.5, 0.5)),
        "urban": _photos(family_dir("urban"), "urban", per_family, SIDES, (0.5, 0.5)),
        "manga": _photos(family_dir("manga"), "manga", per_family, SIDES, (0.4, 0.5)),
        "scenes": _photos(family_dir("scenes"), "scenes", per_family, SIDES, (0.5, 0.5)),
        "faces": _photos(family_dir("faces"), "faces", per_family, SIDES, (0.35, 0.5)),
        "text": text_images(per_family),
        "small": (_photos(family_dir("natural"), "small", (per_family + 1) // 2, (SMALL_SIDE,), (0.3, 0.3))
                  + _photos(family_dir("urban"), "small", per_family // 2, (SMALL_SIDE,), (0.3, 0.3))),
    }
    absent = [f"{name}: absent (python tools/heldout_sets.py lays it into the cache)"
              for name, items in fams.items() if not items and per_family > 1]
    return {k: v for k, v in fams.items() if v}, absent


def _mean_delta_e(a: np.ndarray, b: np.ndarray) -> float:
    return float(color.deltaE_ciede2000(color.rgb2lab(a), color.rgb2lab(b)).mean())


def worse_by_truth(out: np.ndarray, altered: np.ndarray, hr: np.ndarray) -> bool:
    """Issue 35's truth: Y-PSNR 0.3 dB lower against the original, or (colour damage) CIEDE2000 1.0 higher."""
    if psnr_y(altered, hr, SCALE) <= psnr_y(out, hr, SCALE) - PSNR_WORSE_DB:
        return True
    return _mean_delta_e(altered, hr) >= _mean_delta_e(out, hr) + DELTA_E_WORSE


def _spread(n: int, k: int) -> set[int]:
    """``k`` indices of ``range(n)`` spread evenly (all of them when ``k >= n``)."""
    return set(range(n)) if k >= n else {round(i * (n - 1) / max(1, k - 1)) for i in range(k)}


def run_family(items: list[Item], cache: ModelCache, model: str, damaged: int, control: bool = True) -> FamilyResult:
    """The clean output of every image (false alarms), the original as a control, then on ``damaged`` of the
    images, spread evenly, every alteration and damage (recall)."""
    result = FamilyResult()
    to_damage = _spread(len(items), damaged)
    for index, item in enumerate(items):
        t0 = time.perf_counter()
        low = validity.make_pair(item.hr, SCALE)
        size = (item.hr.shape[1], item.hr.shape[0])
        out = cache.get(model, f"{item.family}-{item.name}-{size[0]}", low, size)
        clean = iqa.assess(out, low, reference=item.hr, shave=SCALE, metrics=SUITE_METRICS)
        classical = [r for r in clean.rows if getattr(iqa.METRICS.get(r.key), "kind", "") == "classical"]
        result.rows += len(classical)
        result.unjudged.update(r.key for r in classical if not r.available and "not enough" in r.reason)
        eligible = validity.at_least_bicubic(clean)
        alarm = validity.false_alarm(clean)
        result.clean["eligible"] += eligible
        if eligible:
            result.clean_rows.append({r.key: r for r in clean.rows})
        result.clean["alarms"] += alarm is not None
        if alarm is not None:
            result.findings.append(f"false alarm: {item.name}: {alarm.text}")
        if control:
            original = validity.false_alarm(iqa.assess(item.hr, low, reference=item.hr, shave=SCALE,
                                                       metrics=SUITE_METRICS))
            result.original["judged"] += 1
            result.original["warned"] += original is not None
            if original is not None:
                result.findings.append(f"original warned of: {item.name}: {original.text}")
        if index not in to_damage:
            print(f"[{item.family}] {item.name} clean ({time.perf_counter() - t0:.0f} s)", flush=True)
            continue
        result.images += 1
        for alteration in (*validity.ALTERATIONS, *TRANSFER_DAMAGES):
            altered_image = alteration.make(out, low)
            worse = worse_by_truth(out, altered_image, item.hr)
            if not worse and alteration.key not in EVERY_IMAGE:
                continue
            altered = iqa.assess(altered_image, low, reference=item.hr, shave=SCALE, metrics=SUITE_METRICS)
            reason = validity.verdict_reason(clean, altered, alteration)
            if alteration.key in EVERY_IMAGE:
                result.every[alteration.key][reason] += 1
            if not worse:
                continue
            result.altered_rows.append((alteration, {r.key: r for r in altered.rows}))
            counts = result.damage[alteration.key]
            counts["worse"] += 1
            counts[reason] += 1
            if reason != "right":
                text = judge(validity.without_reference(altered)).text
                result.findings.append(f"{reason}: {item.name} {alteration.key}: {text}")
        print(f"[{item.family}] {item.name} ({time.perf_counter() - t0:.0f} s)", flush=True)
    return result


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} = {100 * n / d:.1f}%" if d else "n/a"


def family_table(results: dict[str, FamilyResult]) -> tuple[list[str], str]:
    """The per-family table's lines, and the worst family's headline."""
    lines = ["| family | images damaged | recall, right reason | wrong reasons | false alarms | not enough to judge "
             "| the original warned of |", "|---|---|---|---|---|---|---|"]
    worst_recall, worst_alarm = (2.0, ""), (-1.0, "")
    for name, r in results.items():
        t = r.totals()
        recall = t["right"] / t["worse"] if t["worse"] else 1.0
        alarms = r.clean["alarms"] / r.clean["eligible"] if r.clean["eligible"] else 0.0
        worst_recall = min(worst_recall, (recall, name))
        worst_alarm = max(worst_alarm, (alarms, name))
        which = ", ".join(f"{k} {n}" for k, n in r.unjudged.most_common())
        lines.append(f"| {name} | {r.images} | {_pct(t['right'], t['worse'])} | {t['wrong']} | "
                     f"{_pct(r.clean['alarms'], r.clean['eligible'])} | "
                     f"{sum(r.unjudged.values())}/{r.rows} rows{f' ({which})' if which else ''} | "
                     f"{_pct(r.original['warned'], r.original['judged']) if r.original['judged'] else '-'} |")
    wrong = sum(r.totals()["wrong"] for r in results.values())
    headline = (f"**Worst family**: recall {100 * worst_recall[0]:.1f}% ({worst_recall[1]}), false alarms "
                f"{100 * worst_alarm[0]:.1f}% ({worst_alarm[1]}), wrong reasons {wrong} in all. Targets (issue 35): "
                ">= 95%, <= 3%, 0 wrong.")
    return lines, headline


def lofo_lines(lofo: dict[str, FamilyResult], fitted: dict[str, dict[str, float]]) -> list[str]:
    """Leave-one-family-out: each family under thresholds refitted on the other families' clean outputs."""
    table, headline = family_table(lofo)
    lines = ["## Leave one family out", "",
             "Each family judged with the thresholds of `iqa.validity.thresholds` refitted without it: on the other "
             "families' clean outputs and altered results and on the v2 fit split's clean x4 outputs (BSD200, every "
             "bundled model). A threshold keeps quiet on clean outputs and on the altered results its warning would "
             "be a wrong reason for (halos and ripples excuse tone changes themselves, so those are left out), with a "
             "tenth to spare, and lies in the middle of the gap from there to the nearest result it is a right reason "
             "for that it can catch; rows another rule of their cue held back are left out; never past the "
             "perceptibility floor. Tone thresholds are perceptual constants and are not refitted.", "", *table, "",
             headline, "",
             "| threshold | today (BSD200) | " + " | ".join(f"without {f}" for f in fitted) + " |",
             "|---|---|" + "---|" * len(fitted)]
    for t in thresholds.THRESHOLDS:
        lines.append(f"| {t.name} | {t.current():.4g} | " + " | ".join(f"{v[t.name]:.4g}" for v in fitted.values())
                     + " |")
    return lines + [""]


def every_image_lines(results: dict[str, FamilyResult], thresholds_used: str) -> list[str]:
    """EVERY_IMAGE's damage flagged for the right reason on every damaged image, whatever the truth: each and worst."""
    parts = []
    for key in sorted(EVERY_IMAGE):
        counts = {name: r.every.get(key, Counter()) for name, r in results.items()}
        right = {name: c["right"] for name, c in counts.items()}
        judged = {name: sum(c.values()) for name, c in counts.items()}
        worst = min(counts, key=lambda name: right[name] / max(1, judged[name]))
        parts.append(f"{key} {sum(right.values())}/{sum(judged.values())} "
                     f"(worst: {worst} {right[worst]}/{judged[worst]})")
    return [f"On every damaged image, whatever the truth ({thresholds_used}), flagged for the right reason: "
            + "; ".join(parts) + ".", ""]


def results_text(results: dict[str, FamilyResult], absent: list[str], model: str, seconds: float,
                 lofo: dict[str, FamilyResult] | None = None, fitted: dict[str, dict[str, float]] | None = None) -> str:
    """The markdown report: per-family figures, the worst family, per-damage recall, and every finding."""
    lines = ["# Validity suite v3: transfer to content and damage never fitted on", "",
             f"`python benchmarks/iqa_transfer.py`: {model}, x{SCALE}, inputs {SIDES[0]}-{SIDES[-1]} px "
             f"({SMALL_SIDE} px for small); {seconds / 60:.0f} min. Thresholds as fitted on BSD200.", ""]
    table, headline = family_table(results)
    lines += [*table, "", "Not enough to judge: the clean outputs' classical rows that said \"not enough X to judge\" "
              "(too few edges, flat areas beside strong edges or textured pixels) and were not judged, of all their "
              "classical rows.", "", headline, ""]
    lines += lofo_lines(lofo, fitted) if lofo else []
    lines += absent and ["Absent families: " + "; ".join(absent), ""]
    keys = [a.key for a in (*validity.ALTERATIONS, *TRANSFER_DAMAGES)]
    lines += ["| alteration | " + " | ".join(results) + " |", "|---|" + "---|" * len(results)]
    for key in keys:
        cells = [(lambda c: f"{c['right']}/{c['worse']}" if c["worse"] else "-")(r.damage.get(key, Counter()))
                 for r in results.values()]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    lines += ["", "Right/worse per family (- : never worse by the truth).", ""]
    lines += every_image_lines(results, "today's thresholds")
    lines += every_image_lines(lofo, "thresholds refitted without the family") if lofo else []
    lines += ["## Findings", ""]
    for name, r in results.items():
        lines += [f"* {name}: {f}" for f in r.findings]
    if lofo:
        lines += ["", "## Findings, leave one family out: false alarms and wrong reasons", ""]
        for name, r in lofo.items():
            lines += [f"* {name}: {f}" for f in r.findings if not f.startswith("missed")]
    return "\n".join(lines) + "\n"


def fit_split_clean_rows() -> list[dict]:
    """The v2 fit split's clean outputs at x4 (every bundled model, at least as good as bicubic), as rows."""
    from iqa_validity import SuiteConfig, items

    import liif

    config = SuiteConfig()
    if not config.fit_dir.is_dir():
        print(f"{config.fit_dir} absent: the refit uses the other families alone", flush=True)
        return []
    cache, out = ModelCache(config.cache), []
    for item in items(config)["fit"]:
        hr = validity.crop_to_multiple(np.asarray(Image.open(item.path).convert("RGB")), config.split.multiple)
        low = validity.make_pair(hr, SCALE)
        for model in liif.list_models():
            output = cache.get(model, f"{item.split}-{item.set}-{item.name}", low, (hr.shape[1], hr.shape[0]))
            report = iqa.assess(output, low, reference=hr, shave=SCALE, metrics=SUITE_METRICS)
            if validity.at_least_bicubic(report):
                out.append({r.key: r for r in report.rows})
    print(f"[fit split] {len(out)} clean x{SCALE} outputs for the refit", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run every cached family and write the results."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-family", type=int, default=6, help="images a family's damage is made on")
    ap.add_argument("--clean-per-family", type=int, default=36, help="images a family's false alarms are counted on")
    ap.add_argument("--families", nargs="+", help="a subset of the families")
    ap.add_argument("--output-dir", type=Path, default=REPO / "benchmarks")
    ap.add_argument("--no-lofo", action="store_true", help="skip the leave-one-family-out pass (half the time)")
    args = ap.parse_args(argv)
    import liif

    t0 = time.perf_counter()
    families, absent = family_items(max(args.per_family, args.clean_per_family))
    if args.families:
        families = {k: v for k, v in families.items() if k in args.families}
    cache = ModelCache(REPO / ".cache" / "iqa-transfer")
    results = {name: run_family(items, cache, liif.DEFAULT_MODEL, args.per_family) for name, items in families.items()}
    lofo, fitted = {}, {}
    if not args.no_lofo and len(results) > 1:
        bsd200 = fit_split_clean_rows()  # training data of every fold: the v2 fit split (BSD200) at x4
        for name, items in families.items():
            others = [r for other, r in results.items() if other != name]
            fitted[name] = thresholds.fit_all([*bsd200, *(rows for r in others for rows in r.clean_rows)], SCALE,
                                              [pair for r in others for pair in r.altered_rows])
            with thresholds.overridden(fitted[name]):
                lofo[name] = run_family(items, cache, liif.DEFAULT_MODEL, args.per_family, control=False)
    text = results_text(results, absent, liif.DEFAULT_MODEL, time.perf_counter() - t0, lofo, fitted)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    (args.output_dir / "iqa_transfer-results.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
