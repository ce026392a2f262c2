"""Validity suite v2 for the quality report (issues 13 and 31): can its cues and verdict be fooled?

    python benchmarks/iqa_validity.py              # both splits; writes -results.md and -fit.md
    python benchmarks/iqa_validity.py --fit        # the fit split only: the threshold table (-fit.md)
    python benchmarks/iqa_validity.py --limit 2 --output-dir /tmp/v   # a quick check

Two splits: thresholds are fitted on a fixed subset of BSD200 (every 5th image, 40 of them) and the
figures are reported on the held-out Set5, Set14 and examples/reference (the headline). Every HR
image is cropped to a multiple of 24, so that x2, x3, x4 and x8 all divide it; the input is its
antialiased bicubic reduction.

* **False alarms**: every bundled model's output at x2, x3, x4 and x8 that the full-reference truth
  ranks at least as good as bicubic (PSNR-Y and SSIM) must get a no-reference verdict with no
  problem and not "softer" (``iqa.validity.false_alarm``).
* **Recall, for the right reason**: at x4, the default model's output is compared with altered
  results (``iqa.validity.ALTERATIONS``); each one the truth calls worse must be flagged by the
  no-reference verdict for one of the alteration's reasons (``iqa.validity.verdict_reason``).
* **Degenerate inputs** (one colour, a few pixels) must read "Too small/flat to judge".

Targets on the held-out split (``Targets``): recall >= 95%, false alarms <= 5%, no wrong reason.
Exits 1 when one is missed. Model outputs are cached as PNG in ``.cache/iqa-validity/<model digest>/``.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import iqa  # noqa: E402
from iqa import validity  # noqa: E402
from iqa.catalog import METRICS  # noqa: E402
from iqa.report.verdict import judge  # noqa: E402

SHARED = REPO.parent / "shared" / "datasets"
# The default report's rows and those on request only (PIQE): the suite measures every row that runs here.
SUITE_METRICS = (*iqa.catalog.DEFAULT_KEYS, *iqa.catalog.ON_REQUEST)


@dataclass(frozen=True)
class Targets:
    """What the held-out split must show."""

    recall: float = 0.95  # altered results worse by the truth, flagged for the right reason
    false_alarms: float = 0.05  # clean outputs at least as good as bicubic, flagged anyway
    wrong_reasons: int = 0


@dataclass(frozen=True)
class SuiteConfig:
    """Where the images come from, which models and scales run, where results and cached outputs go."""

    eval_dir: Path = SHARED / "eval"
    fit_dir: Path = SHARED / "train" / "BSD200"
    examples_dir: Path = REPO / "examples" / "reference"
    cache: Path = REPO / ".cache" / "iqa-validity"
    output_dir: Path = REPO / "benchmarks"
    split: validity.SplitConfig = field(default_factory=validity.SplitConfig)
    alteration_scale: int = 4
    models: tuple[str, ...] | None = None  # None: every bundled model
    limit: int | None = None  # the first N images of each split (a quick check)
    targets: Targets = field(default_factory=Targets)

    @property
    def results(self) -> Path:
        """The results file (both splits)."""
        return self.output_dir / "iqa_validity-results.md"

    @property
    def fit_results(self) -> Path:
        """The fit split's threshold table."""
        return self.output_dir / "iqa_validity-fit.md"


@dataclass(frozen=True)
class Item:
    """One image of a split: (split, set, name) and where it is."""

    split: str  # "held-out" | "fit"
    set: str
    name: str
    path: Path

    @property
    def label(self) -> str:
        """set/name, as the results list it."""
        return f"{self.set}/{self.name}"


def items(config: SuiteConfig) -> dict[str, list[Item]]:
    """The two splits' images (``iqa.validity.make_splits``), each cut to ``config.limit``."""
    held = [p for d in (config.eval_dir / "Set5", config.eval_dir / "Set14") for p in sorted(d.glob("*.png"))]
    held += sorted(config.examples_dir.glob("*.png"))
    splits = validity.make_splits(sorted(config.fit_dir.glob("*.png")), held, config.split)

    def item(split: str, path: Path) -> Item:
        return Item(split, "examples" if path.parent == config.examples_dir else path.parent.name, path.stem, path)

    return {"held-out": [item("held-out", p) for p in splits.held_out][: config.limit],
            "fit": [item("fit", p) for p in splits.fit][: config.limit]}


class ModelCache:
    """Outputs of any bundled model at any scale, cached as PNG per model (keyed by its weights' digest)."""

    def __init__(self, folder: Path) -> None:
        import torch

        torch.set_num_threads(1)  # two shared cores: one thread each keeps everyone moving
        self.folder = folder
        self._models: dict[str, tuple[object, Path]] = {}
        self._upscalers: dict[str, object] = {}

    def _model(self, name: str) -> tuple[object, Path]:
        if name not in self._models:
            import liif

            model = liif.create_model(name)
            digest = hashlib.sha1()
            for key, tensor in sorted(model.state_dict().items()):
                digest.update(key.encode())
                digest.update(tensor.detach().cpu().numpy().tobytes())
            self._models[name] = (model, self.folder / digest.hexdigest()[:12])
        return self._models[name]

    def get(self, name: str, key: str, low: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        """Model ``name``'s enlargement of ``low`` to ``size`` (width, height); ``key`` names the input."""
        model, folder = self._model(name)
        file = folder / f"{key}_{size[0]}x{size[1]}_from_{low.shape[1]}x{low.shape[0]}.png"
        if file.is_file():
            return np.asarray(Image.open(file).convert("RGB"))
        out = self.upscale(name, low, size)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(out).save(file)
        return out

    def upscale(self, name: str, low: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        """Model ``name``'s enlargement of ``low`` to ``size``, not cached."""
        import liif

        if name not in self._upscalers:
            self._upscalers[name] = liif.Upscaler(self._model(name)[0], device="cpu")
        out = self._upscalers[name].upscale(low, size=size)
        return np.asarray(out.convert("RGB") if hasattr(out, "convert") else out)


@dataclass
class Record:
    """One assessed result, as the fit table reads it: the classical rows' (value, baseline, warning)."""

    kind: str  # "clean" | alteration key
    image: str
    model: str
    scale: int
    truth: str | None  # clean: "ok" when at least as good as bicubic; altered: validity.truth vs the clean output
    rows: dict[str, tuple[float | None, float | None, str]]


@dataclass
class SplitResult:
    """Everything one split's run counts."""

    name: str
    images: int = 0
    agree: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(lambda: [0, 0])))
    summary: dict = field(default_factory=lambda: defaultdict(Counter))  # alteration -> counters
    findings: list[str] = field(default_factory=list)  # wrong reasons and misses
    alarms: dict = field(default_factory=lambda: defaultdict(Counter))  # (model, scale) -> counters
    alarm_list: list[str] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    deep: dict = field(default_factory=dict)  # deep row key -> (available in some report, a reason)
    seconds: list[float] = field(default_factory=list)


DEEP_KEYS = tuple(k for k, m in METRICS.items() if m.learned or m.kind == "clip" or m.pyiqa is not None)
CLASSICAL_KEYS = tuple(k for k, m in METRICS.items() if m.kind == "classical")


def _classical_rows(report: iqa.Report) -> dict[str, tuple[float | None, float | None, str]]:
    return {r.key: (r.value, r.baseline, r.warning) for r in report.rows
            if r.available and r.key.split(".")[0] in CLASSICAL_KEYS}


def _note_deep(result: SplitResult, report: iqa.Report) -> None:
    for key in DEEP_KEYS:
        row = report.get(key)
        if row is None:
            continue
        seen, reason = result.deep.get(key, (False, ""))
        result.deep[key] = (seen or row.available, reason or row.reason)


def count_clean(result: SplitResult, label: str, model: str, scale: int, report: iqa.Report) -> None:
    """Count one clean model output: eligible (truth at least bicubic) and, if so, whether it is a false alarm."""
    _note_deep(result, report)
    eligible = validity.at_least_bicubic(report)
    alarm = validity.false_alarm(report)
    counts = result.alarms[(model, scale)]
    counts["outputs"] += 1
    counts["eligible"] += eligible
    counts["alarms"] += alarm is not None
    if alarm is not None:
        result.alarm_list.append(f"{label} {model} x{scale}: {alarm.text}")
    result.records.append(Record("clean", label, model, scale, "ok" if eligible else "worse", _classical_rows(report)))


def _alteration_pass(result: SplitResult, item: Item, clean: iqa.Report, out: np.ndarray, low: np.ndarray,
                     hr: np.ndarray, config: SuiteConfig, model: str) -> None:
    scale = config.alteration_scale
    for alteration in validity.ALTERATIONS:
        altered = iqa.assess(alteration.make(out, low), low, reference=hr, shave=scale, metrics=SUITE_METRICS)
        truth = validity.truth(clean, altered)
        s = result.summary[alteration.key]
        s["images"] += 1
        s[f"truth_{truth}"] += 1
        reason = validity.verdict_reason(clean, altered, alteration)
        s[reason] += 1
        result.records.append(Record(alteration.key, item.label, model, scale, truth, _classical_rows(altered)))
        text = judge(validity.without_reference(altered)).text
        if reason == "wrong":
            result.findings.append(f"wrong reason: {item.label} {alteration.key} (truth {truth}): {text}")
        if truth is None:
            continue
        for row in clean.rows:
            if row.group == "full-reference":
                continue
            agrees = validity.cue_agrees(row.key, clean, altered, truth)
            if agrees is not None:
                cell = result.agree[row.key][alteration.key]
                cell[0] += agrees
                cell[1] += 1
        if truth == "worse":
            s["cue_flagged"] += bool(validity.cue_flags(clean, altered))
            s["verdict_flagged"] += validity.verdict_flags(clean, altered)
            s["verdict_prefers"] += validity.verdict_prefers(clean, altered)
            s[f"worse_{reason}"] += 1
            if reason == "missed":
                result.findings.append(f"missed: {item.label} {alteration.key}: {text}")


def run_split(name: str, split_items: list[Item], cache: ModelCache, config: SuiteConfig) -> SplitResult:
    """Every model and scale on every image of the split (false alarms), then the alterations at x4."""
    import liif

    models = config.models or tuple(liif.list_models())
    default = liif.DEFAULT_MODEL if liif.DEFAULT_MODEL in models else models[0]
    result = SplitResult(name)
    for item in split_items:
        started = time.perf_counter()
        hr = validity.crop_to_multiple(np.asarray(Image.open(item.path).convert("RGB")), config.split.multiple)
        base = None
        for scale in config.split.scales:
            low = validity.make_pair(hr, scale)
            for model in models:
                out = cache.get(model, f"{item.split}-{item.set}-{item.name}", low, (hr.shape[1], hr.shape[0]))
                report = iqa.assess(out, low, reference=hr, shave=scale, metrics=SUITE_METRICS)
                count_clean(result, item.label, model, scale, report)
                if model == default and scale == config.alteration_scale:
                    base = (report, out, low)
        if base is not None:
            _alteration_pass(result, item, base[0], base[1], base[2], hr, config, default)
            verdict = judge(validity.without_reference(base[0])).text
        else:
            verdict = "(no alteration pass: the default model or x4 is not run)"
        result.images += 1
        result.seconds.append(time.perf_counter() - started)
        print(f"[{name}] {item.label} ({result.seconds[-1]:.0f} s): {verdict}", flush=True)
    return result


# --------------------------------------------------------------------------- degenerate inputs
def degenerate_cases() -> list[tuple[str, np.ndarray, str]]:
    """(description, input, the verdict's expected start) for one-colour and tiny inputs."""
    rng = np.random.default_rng(validity.SEED)
    grey = np.full((16, 16, 3), 128, np.uint8)
    dither = np.clip(grey + rng.integers(-1, 2, grey.shape), 0, 255).astype(np.uint8)
    photo = np.asarray(Image.open(REPO / "examples" / "reference" / "astronaut_badge.png").convert("RGB"))
    return [
        ("4x4 red", np.tile(np.array([255, 0, 0], np.uint8), (4, 4, 1)), "Too small to judge"),
        ("3x3 random colours", rng.integers(0, 256, (3, 3, 3), dtype=np.uint8), "Too small to judge"),
        ("16x16 grey", grey, "Too flat to judge"),
        ("16x16 grey, +-1 level dither", dither, "Too flat to judge"),
        ("32x32 one colour (teal)", np.tile(np.array([0, 128, 128], np.uint8), (32, 32, 1)), "Too flat to judge"),
        ("6x6 crop of a photo", np.ascontiguousarray(photo[100:106, 100:106]), "Too small to judge"),
        ("7x12 crop of a photo", np.ascontiguousarray(photo[100:112, 100:107]), "Too small to judge"),
    ]


def run_degenerate(cache: ModelCache, model: str, scale: int) -> list[tuple[str, bool, str]]:
    """(case, verdict as expected, verdict text or error) for each degenerate input upscaled by ``model``."""
    out = []
    for label, low, expected in degenerate_cases():
        size = (low.shape[1] * scale, low.shape[0] * scale)
        try:
            text = iqa.assess(cache.upscale(model, low, size), low).verdict
        except Exception as error:  # a model or cue that cannot take it is a finding, not a crash of the suite
            text = f"error: {type(error).__name__}: {error}"
        out.append((label, text.startswith(expected), text))
    return out


# --------------------------------------------------------------------------- figures
def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f}%" if d else "-"


def headline(result: SplitResult) -> dict[str, tuple[int, int]]:
    """(count, out of) for recall, false alarms and wrong reasons."""
    worse = sum(s["truth_worse"] for s in result.summary.values())
    right = sum(s["worse_right"] for s in result.summary.values())
    eligible = sum(c["eligible"] for c in result.alarms.values())
    alarms = sum(c["alarms"] for c in result.alarms.values())
    altered = sum(s["images"] for s in result.summary.values())
    wrong = sum(s["wrong"] for s in result.summary.values())
    return {"recall": (right, worse), "false_alarms": (alarms, eligible), "wrong": (wrong, altered)}


def targets_met(result: SplitResult, targets: Targets) -> dict[str, bool]:
    """Whether each target holds on ``result`` (an empty count does not meet it)."""
    h = headline(result)
    (right, worse), (alarms, eligible), (wrong, _) = h["recall"], h["false_alarms"], h["wrong"]
    return {"recall": bool(worse) and right / worse >= targets.recall,
            "false_alarms": bool(eligible) and alarms / eligible <= targets.false_alarms,
            "wrong": wrong <= targets.wrong_reasons}


def target_lines(result: SplitResult, targets: Targets) -> list[str]:
    """The target table of one split."""
    h, met = headline(result), targets_met(result, targets)
    word = {True: "met", False: "**not met**"}
    (right, worse), (alarms, eligible), (wrong, altered) = h["recall"], h["false_alarms"], h["wrong"]
    return ["| target | figure | goal | |", "|---|---|---|---|",
            f"| recall (worse by the truth, flagged for the right reason) | {right}/{worse} = {_pct(right, worse)} "
            f"| >= {targets.recall:.0%} | {word[met['recall']]} |",
            f"| false alarms (clean outputs at least as good as bicubic, flagged) | {alarms}/{eligible} = "
            f"{_pct(alarms, eligible)} | <= {targets.false_alarms:.0%} | {word[met['false_alarms']]} |",
            f"| wrong reasons (all altered results) | {wrong}/{altered} | {targets.wrong_reasons} "
            f"| {word[met['wrong']]} |"]


def alteration_table(result: SplitResult) -> list[str]:
    """Per alteration: the truth, the verdict's reasons, and the older flags."""
    lines = ["| alteration | family | worse by the truth | right reason | missed | wrong reason (of all) "
             "| a cue warns | verdict flags (any reason) | verdict prefers it |",
             "|---|---|---|---|---|---|---|---|---|"]
    for a in validity.ALTERATIONS:
        s = result.summary[a.key]
        worse = s["truth_worse"]
        lines.append(f"| `{a.key}` | {a.family} | {worse}/{s['images']} | {s['worse_right']}/{worse} "
                     f"| {s['worse_missed']}/{worse} | {s['wrong']}/{s['images']} | {s['cue_flagged']}/{worse} "
                     f"| {s['verdict_flagged']}/{worse} | {s['verdict_prefers']}/{worse} |")
    return lines


def alarm_table(result: SplitResult) -> list[str]:
    """False alarms per model and scale."""
    scales = sorted({s for _, s in result.alarms})
    models = list(dict.fromkeys(m for m, _ in result.alarms))
    lines = ["| model | " + " | ".join(f"x{s}" for s in scales) + " | all |", "|---|" + "---|" * (len(scales) + 1)]
    for model in models:
        cells, total = [], Counter()
        for scale in scales:
            c = result.alarms[(model, scale)]
            total.update(c)
            cells.append(f"{c['alarms']}/{c['eligible']} ({_pct(c['alarms'], c['eligible'])})")
        cells.append(f"{total['alarms']}/{total['eligible']} ({_pct(total['alarms'], total['eligible'])})")
        lines.append(f"| `{model}` | " + " | ".join(cells) + " |")
    excluded = sum(c["outputs"] - c["eligible"] for c in result.alarms.values())
    outputs = sum(c["outputs"] for c in result.alarms.values())
    lines += ["", f"Cell: false alarms / outputs the truth ranks at least as good as bicubic. Not counted: "
                  f"{excluded} of {outputs} outputs that the truth ranks below bicubic (PSNR-Y or SSIM lower)."]
    return lines


def agreement_table(result: SplitResult) -> list[str]:
    """The per-cue agreement with the truth, cue by alteration."""
    keys = [a.key for a in validity.ALTERATIONS]
    lines = ["| cue | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for cue in [k for k in METRICS if k in result.agree]:
        cells = []
        for alt in keys:
            same, ranked = result.agree[cue][alt]
            cells.append(f"{100 * same / ranked:.0f}%" if ranked else "-")
        lines.append(f"| `{cue}` | " + " | ".join(cells) + " |")
    return lines


def deep_lines(result: SplitResult) -> list[str]:
    """Each learned, CLIP or pyiqa row: its agreement with the truth, or why it is not measured here."""
    lines = []
    for key in DEEP_KEYS:
        seen, reason = result.deep.get(key, (False, "not in the reports"))
        metric = METRICS[key]
        if metric.kind == "fr":
            what = "part of the truth when present" if seen else "not measured here (weights absent)" if (
                "weight" in reason or "not found" in reason) else f"not measured here ({reason})"
            lines.append(f"- `{key}` (full-reference): {what}")
            continue
        if not seen:
            absent = "weight" in reason or "not found" in reason
            lines.append(f"- `{key}`: " + ("not measured here (weights absent)" if absent
                                           else f"not measured here ({reason})"))
            continue
        same = sum(c[0] for c in result.agree[key].values())
        ranked = sum(c[1] for c in result.agree[key].values())
        lines.append(f"- `{key}`: agrees with the truth on {same}/{ranked} pairs ({_pct(same, ranked)}; "
                     "per alteration in the table above)" if ranked else
                     f"- `{key}`: measured, but ranks no pair (no better direction)")
    return lines


def split_section(result: SplitResult, config: SuiteConfig, title: str) -> list[str]:
    """One split's figures."""
    return [f"## {title}", "", *target_lines(result, config.targets), "",
            f"### Altered results (x{config.alteration_scale}, default model)", "", *alteration_table(result), "",
            "### False alarms (every model and scale)", "", *alarm_table(result), "",
            f"False alarms listed: {len(result.alarm_list)}", *[f"- {a}" for a in result.alarm_list], "",
            f"Wrong reasons and misses listed: {len(result.findings)}", *[f"- {f}" for f in result.findings], "",
            "### Per-cue agreement with the truth", "",
            "Cell: how often the cue ranks (clean output, altered) as the truth does, over the images where the "
            "truth is decisive.", "", *agreement_table(result), "",
            "### Learned, CLIP and pyiqa rows", "", *deep_lines(result), ""]


def results_text(held: SplitResult, fit: SplitResult, degenerate: list[tuple[str, bool, str]],
                 config: SuiteConfig, seconds: float) -> str:
    """The results file: the held-out split first (the headline), then the fit split."""
    met = targets_met(held, config.targets)
    ok = sum(good for _, good, _ in degenerate)
    reasons = "\n".join(f"| `{a.key}` | {a.description} | {', '.join(sorted(a.reasons))} | "
                        f"{', '.join(sorted(a.forbidden)) or '-'} |" for a in validity.ALTERATIONS)
    limited = f" (limited run: first {config.limit} images per split)" if config.limit else ""
    lines = [
        f"# iqa validity suite v2{limited}",
        "",
        f"Held-out split (the headline): {held.images} images of Set5, Set14 and examples/reference. Fit split "
        f"(thresholds are set on it): {fit.images} images of BSD200 (every {config.split.fit_every}th, sorted). "
        f"HR cropped to a multiple of {config.split.multiple}; input by antialiased bicubic. False alarms: every "
        f"bundled model at x{', x'.join(map(str, config.split.scales))}; altered results: the default model at "
        f"x{config.alteration_scale}. Truth: PSNR-Y and SSIM (shave = scale) agree, LPIPS too when its weights "
        "are present.",
        "",
        "Targets on the held-out split: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in met.items())
        + f". Degenerate inputs read \"Too small/flat to judge\": {ok}/{len(degenerate)}.",
        "",
        *split_section(held, config, "Held-out split (Set5, Set14, examples/reference)"),
        *split_section(fit, config, "Fit split (BSD200 subset)"),
        "## Degenerate inputs (default model, x4, no reference)",
        "",
        *[f"- {label}: {'as expected' if good else '**not as expected**'}: {text}" for label, good, text in degenerate],
        "",
        "## Alterations and their right reasons",
        "",
        "| alteration | what | right reasons | wrong even beside a right one |",
        "|---|---|---|---|",
        reasons,
        "",
        f"Run time {seconds:.0f} s ({np.mean(held.seconds + fit.seconds):.0f} s per image: every model and scale, "
        "the alterations, assessed; model outputs cached).",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the fit table
def _stats(record: Record, key: str) -> dict[str, float]:
    value, baseline, _ = record.rows[key]
    out = {}
    if value is None or not math.isfinite(value):
        return out
    if baseline is not None and math.isfinite(baseline):
        out["value - baseline"] = value - baseline
        if baseline > 0:
            out["value / baseline"] = value / baseline
    sharpness = METRICS.get(key.split(".")[0]) is not None and METRICS[key.split(".")[0]].group == "sharpness"
    if baseline is None or not sharpness:  # most warnings read the value itself (a shift, a grid share, a floor)
        out["value"] = value
    return out


@dataclass(frozen=True)
class Separation:
    """How one group of values separates from the clean outputs' values."""

    n: int
    low: float
    median: float
    high: float
    side: str  # "above" / "below" the clean outputs
    margin: float  # gap between the nearest clean and altered values (negative: they overlap)
    threshold: float  # the middle of the gap: the largest-margin threshold
    caught: int  # altered values beyond every clean one (flagged with no false alarm on this split)


def separation(clean: list[float], altered: list[float], side: str | None = None) -> Separation | None:
    """The largest-margin threshold between clean values and altered ones, on ``side`` (default: where they lie)."""
    if not clean or not altered:
        return None
    above = statistics.median(altered) >= statistics.median(clean) if side is None else side == "above"
    if above:
        edge, nearest = max(clean), min(altered)
        margin, caught = nearest - edge, sum(v > edge for v in altered)
    else:
        edge, nearest = min(clean), max(altered)
        margin, caught = edge - nearest, sum(v < edge for v in altered)
    return Separation(len(altered), min(altered), statistics.median(altered), max(altered),
                      "above" if above else "below", margin, (edge + nearest) / 2, caught)


def _row_warnings(records: list[Record], key: str) -> set[str]:
    found = {r.rows[key][2] for r in records if key in r.rows and r.rows[key][2]}
    if METRICS.get(key) is not None and METRICS[key].group == "sharpness":
        found |= {"softer", "same"}  # how the verdict reads a sharpness row's warning
    return found


def _values(records: list[Record], key: str, stat: str) -> list[float]:
    return [s[stat] for r in records if key in r.rows for s in [_stats(r, key)] if stat in s]


def _cells(sep: Separation | None) -> str:
    if sep is None:
        return " | | | "
    return f" {sep.margin:.4g} | {sep.threshold:.4g} | {sep.caught}/{sep.n} "


def fit_text(fit: SplitResult, alteration_scale: int = 4) -> str:
    """Per warning row: value - baseline, value / baseline (and value) on clean outputs vs each altered result."""
    clean = [r for r in fit.records if r.kind == "clean" and r.truth == "ok"]
    same_scale = [r for r in clean if r.scale == alteration_scale]
    altered = [r for r in fit.records if r.kind != "clean" and r.truth == "worse"]
    scales = sorted({r.scale for r in clean})
    keys = list(dict.fromkeys(k for r in fit.records for k in r.rows))
    x = f"x{alteration_scale}"
    out = ["# iqa validity suite: the fit split's thresholds", "",
           f"{fit.images} BSD200 images (`python benchmarks/iqa_validity.py --fit`). *Clean*: every model's output at "
           "every scale that the truth ranks at least as good as bicubic (a threshold must not flag these); then "
           f"each alteration of the default model's {x} output that the truth calls worse than it. *Side*: where "
           "the altered values lie against the clean ones; *margin*: the gap between the nearest clean and altered "
           "values (negative: they overlap); *threshold*: the middle of that gap, the largest-margin threshold; "
           f"*caught*: altered values beyond every clean one. The last three columns compare with the {x} clean "
           "outputs only (a threshold that depends on the scale). *Targeted*: per side, the alterations whose "
           "right reasons include a warning this row raises.", ""]
    for key in keys:
        warnings = _row_warnings(fit.records, key)
        targeted = [a.key for a in validity.ALTERATIONS if a.reasons & warnings]
        for stat in ("value - baseline", "value / baseline", "value"):
            pool, pool_x = _values(clean, key, stat), _values(same_scale, key, stat)
            if not pool:
                continue
            per_scale = ", ".join(f"x{s} {min(v):.4g} to {max(v):.4g}" for s in scales
                                  for v in [_values([r for r in clean if r.scale == s], key, stat)] if v)
            out += [f"## `{key}`: {stat}", "",
                    f"Warnings seen: {', '.join(sorted(warnings)) or 'none'}. Clean: n {len(pool)}, "
                    f"min {min(pool):.4g}, median {statistics.median(pool):.4g}, max {max(pool):.4g}; per scale "
                    f"{per_scale}.", "",
                    f"| altered | n | min | median | max | side | margin | threshold | caught | margin ({x} clean) "
                    f"| threshold ({x} clean) | caught ({x} clean) |",
                    "|---|---|---|---|---|---|---|---|---|---|---|---|"]
            by_kind = {a.key: _values([r for r in altered if r.kind == a.key], key, stat) for a in validity.ALTERATIONS}
            groups = list(by_kind.items())
            # A warning fires on one side of the clean values: pool the targeted alterations per side.
            sides: dict[str, list[str]] = {"above": [], "below": []}
            for kind in targeted:
                sep = separation(pool, by_kind[kind])
                if sep is not None:
                    sides[sep.side].append(kind)
            groups += [(f"**targeted, {side}**: {', '.join(kinds)}", [v for k in kinds for v in by_kind[k]])
                       for side, kinds in sides.items() if kinds]
            for label, values in groups:
                sep = separation(pool, values)
                if sep is None:
                    out.append(f"| {label} | 0 | | | | | | | | | | |")
                    continue
                out.append(f"| {label} | {sep.n} | {sep.low:.4g} | {sep.median:.4g} | {sep.high:.4g} | {sep.side} "
                           f"|{_cells(sep)}|{_cells(separation(pool_x, values, sep.side))}|")
            out.append("")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Run the suite; 0 when every held-out target is met (or with --fit), else 1."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N images of each split")
    parser.add_argument("--fit", action="store_true", help="the fit split only: write the threshold table")
    parser.add_argument("--models", nargs="+", default=None, help="bundled model names (default: all)")
    parser.add_argument("--scales", nargs="+", type=int, default=None, help="scales (default: 2 3 4 8)")
    parser.add_argument("--output-dir", type=Path, default=None, help="where the .md files go (default: benchmarks/)")
    args = parser.parse_args(argv)
    defaults = SuiteConfig()
    split = validity.SplitConfig(scales=tuple(args.scales)) if args.scales else defaults.split
    config = SuiteConfig(models=tuple(args.models) if args.models else None, limit=args.limit, split=split,
                         output_dir=args.output_dir or defaults.output_dir)
    config.output_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    cache = ModelCache(config.cache)
    splits = items(config)
    # The held-out split first: it is the headline.
    held = None if args.fit else run_split("held-out", splits["held-out"], cache, config)
    fit = run_split("fit", splits["fit"], cache, config)
    config.fit_results.write_text(fit_text(fit, config.alteration_scale))
    if held is None:
        print(config.fit_results.read_text())
        return 0
    import liif

    degenerate = run_degenerate(cache, liif.DEFAULT_MODEL, 4)
    text = results_text(held, fit, degenerate, config, time.perf_counter() - started)
    config.results.write_text(text)
    print(text)
    met = targets_met(held, config.targets)
    for name, ok in met.items():
        print(f"target {name}: {'met' if ok else 'NOT met'}")
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
