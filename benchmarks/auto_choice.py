"""Is ``--model auto``'s choice right, and what does a wrong one cost? (issue 37, part 3)

    OMP_NUM_THREADS=1 python benchmarks/auto_choice.py            # all parts, writes auto_choice-results.md
    OMP_NUM_THREADS=1 python benchmarks/auto_choice.py --no-cost  # the choices only (a minute)

A labelled set of inputs is built from two splits of photos: the fit split (BSD200, the training photos: every
fifth image), on which ``liif.condition``'s noise threshold was chosen (``--fit`` prints the threshold that
splits it best), and the held-out split (Set5, Set14 and the PNG examples), on which the figures are reported.
Each photo gives clean inputs (MATLAB-bicubic reductions x2, x3, x4: what the clean-trained model was trained
on), JPEG files at quality 30-95 (read through their quantisation tables) and the same JPEGs re-saved as PNG
(found from their 8x8 grid), Gaussian noise of sigma 2-10 (per channel, or the same on the three channels),
a bilevel (1-bit) file and two palette files (256 colours dithered, 32 undithered).

Parts: (1) the confusion table of auto's choice per class and split, beside the estimator it replaces
(Immerkaer's, threshold 2) and scikit-image's wavelet estimate (``estimate_sigma``) on the clean and noisy
classes; (2) what each wrong choice costs: Y-PSNR of both models' x4 output of 64 px crops against the original
(the bilevel target is the bilevel original), on crops of both splits; (3) Set5 and Set14 x4 as ``liif eval``
scores them (full images): auto against the clean-trained model; (4) the estimate's time on a 1 MP photo.
The CPU is shared: timings are compared within the run only.
"""
from __future__ import annotations

import argparse
import io
import math
import platform
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liif import condition  # noqa: E402
from liif.condition import REAL_INPUT_MODEL, choose_model, inspect  # noqa: E402
from liif.degrade import gaussian_noise, jpeg  # noqa: E402
from liif.evaluate import bicubic_upscale, liif_upscale, make_pair  # noqa: E402
from liif.imageio import load_rgb_array, luma_bt601  # noqa: E402
from liif.metrics import psnr_y  # noqa: E402
from liif.zoo import DEFAULT_MODEL  # noqa: E402

DATASETS = REPO.parent / "shared" / "datasets"
RESULTS = Path(__file__).with_name("auto_choice-results.md")
INSTALLED = [DEFAULT_MODEL, REAL_INPUT_MODEL]
QUALITIES = (30, 50, 75, 90, 95)
SIGMAS = (2, 3, 5, 7, 10)
COST_QUALITIES, COST_SIGMAS = (50, 90, 95), (2, 3, 5, 10)  # where the choice is close or hard


@dataclass(frozen=True)
class Case:
    """One labelled input: its class, the variant within it, and the model auto should pick."""

    split: str
    source: str
    cls: str  # clean, jpeg, jpeg-png, noise, bilevel, palette
    variant: str
    image: Any  # a PIL image (a file's header: format, mode, JPEG tables) or an RGB array (no header)
    expected: str


def sources(split: str, fit_every: int) -> list[tuple[str, np.ndarray]]:
    """The split's photos as (name, RGB)."""
    if split == "fit":
        files = sorted((DATASETS / "train" / "BSD200").glob("*.png"))[::fit_every]
    else:
        files = sorted((DATASETS / "eval" / "Set5").glob("*.png")) + sorted((DATASETS / "eval" / "Set14").glob("*.png"))
        files += sorted((REPO / "examples").glob("*.png"))
    return [(f.stem, load_rgb_array(f)) for f in files]


def as_file(rgb: np.ndarray, fmt: str, **save: Any) -> Image.Image:
    """The image written to an in-memory file and opened again, as an upload is (header included)."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format=fmt, **save)
    buf.seek(0)
    return Image.open(buf)


def bilevel(rgb: np.ndarray) -> np.ndarray:
    """Two levels (0 and 255) at the luma's median: a 1-bit scan of the picture, as RGB."""
    y = luma_bt601(rgb)
    return np.repeat(np.where(y > np.median(y), 255, 0).astype(np.uint8)[..., None], 3, axis=2)


def palette(rgb: np.ndarray, colours: int, dither: bool) -> Image.Image:
    """A palette (P-mode) PNG of the picture, as GIF and PNG-8 writers make them."""
    im = Image.fromarray(rgb).quantize(colours, dither=Image.Dither.FLOYDSTEINBERG if dither else Image.Dither.NONE)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    buf.seek(0)
    return Image.open(buf)


# Where the real-input model loses to the clean-trained one on the fit split's crops (the cost tables below):
# light noise and the lightest JPEG. Their right model is the clean-trained one.
CLEAN_IS_RIGHT = {("noise", "sigma 2"), ("jpeg", "q95"), ("jpeg-png", "q95")}


def expected_for(cls: str, variant: str = "") -> str:
    """The model each class should go to: the clean-trained one for clean photos, as decided for the rest."""
    if cls == "clean" or (cls, variant) in CLEAN_IS_RIGHT:
        return DEFAULT_MODEL
    if cls in ("bilevel", "palette"):
        kind = condition.BILEVEL if cls == "bilevel" else condition.PALETTE
        return REAL_INPUT_MODEL if condition.KIND_CHOICE[kind] == "real" else DEFAULT_MODEL
    return REAL_INPUT_MODEL


def cases(split: str, fit_every: int) -> list[Case]:
    """The labelled inputs of a split."""
    rng = np.random.default_rng(37)
    out = []
    for name, hr in sources(split, fit_every):
        lrs = {s: make_pair(hr, s)[1] for s in (2, 3, 4)}

        def add(cls: str, variant: str, image: Any, name: str = name) -> None:
            out.append(Case(split, name, cls, variant, image, expected_for(cls, variant)))

        for s, lr in lrs.items():
            add("clean", f"x{s}", lr)
        for s in (2, 4):
            for q in QUALITIES:
                add("jpeg", f"q{q}", as_file(lrs[s], "JPEG", quality=q))
                add("jpeg-png", f"q{q}", jpeg(lrs[s], q))
            for i, sigma in enumerate(SIGMAS):
                add("noise", f"sigma {sigma}", gaussian_noise(lrs[s], sigma, rng, luma_only=bool(i % 2)))
        add("bilevel", "1-bit", as_file(bilevel(lrs[2]), "PNG").convert("1"))
        add("palette", "256 dithered", palette(lrs[2], 256, True))
        add("palette", "32", palette(lrs[2], 32, False))
    return out


def immerkaer_sigma(rgb: np.ndarray) -> float:
    """The estimator auto used before issue 37: Immerkaer's residual, median over the flattest 30%."""
    from scipy.ndimage import convolve, gaussian_filter, sobel

    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float64)
    smooth = gaussian_filter(luma_bt601(rgb[..., :3]), 2.0)
    grad = np.hypot(sobel(smooth, 0), sobel(smooth, 1))[1:-1, 1:-1]
    flat = grad <= np.quantile(grad, 0.3)
    sig = [np.median(np.abs(convolve(rgb[..., c].astype(np.float64), kernel, mode="reflect")[1:-1, 1:-1][flat]))
           / 0.6745 / 6 for c in range(3)]
    return float(np.mean(sig))


def skimage_sigma(rgb: np.ndarray) -> float:
    """scikit-image's wavelet (MAD of the finest diagonal band) estimate, averaged over the channels."""
    from skimage.restoration import estimate_sigma

    return float(estimate_sigma(rgb, channel_axis=-1, average_sigmas=True))


def rgb_of(image: Any) -> np.ndarray:
    """The RGB pixels of a case's input."""
    return np.asarray(image.convert("RGB")) if isinstance(image, Image.Image) else image


def classify(all_cases: list[Case]) -> list[dict[str, Any]]:
    """Auto's choice and reason for every case, with the two baseline estimates where noise decides."""
    rows = []
    for c in all_cases:
        report = inspect(c.image)
        chosen, why = choose_model(report, INSTALLED, DEFAULT_MODEL)
        row = {"case": c, "report": report, "chosen": chosen, "why": why}
        if c.cls in ("clean", "noise"):
            rgb = rgb_of(c.image)
            row["immerkaer"], row["skimage"] = immerkaer_sigma(rgb), skimage_sigma(rgb)
        rows.append(row)
    return rows


def fit_threshold(rows: list[dict[str, Any]], key: str = "pca") -> tuple[float, float]:
    """The noise threshold that best separates clean from noisy photos (the worse of the two rates, maximised)."""
    def sigma(r: dict[str, Any]) -> float:
        return r["report"].noise_sigma if key == "pca" else r[key]

    clean = np.array([sigma(r) for r in rows if r["case"].cls == "clean"])
    noisy = np.array([sigma(r) for r in rows if r["case"].cls == "noise"])
    grid = np.round(np.arange(0.5, 6.0, 0.05), 2)
    worst = np.array([min((clean <= t).mean(), (noisy > t).mean()) for t in grid])
    tied = grid[worst == worst.max()]  # the middle of the best plateau: the same rates, the widest margins
    return float(np.round(np.median(tied), 2)), float(worst.max())


def confusion(rows: list[dict[str, Any]], split: str) -> list[str]:
    """Markdown rows: per class and variant, how often auto chose each model and how often it was right."""
    table = defaultdict(lambda: [0, 0, 0])  # n, chose real, right
    for r in rows:
        c = r["case"]
        if c.split != split:
            continue
        for key in ((c.cls, "all"), (c.cls, c.variant)):
            t = table[key]
            t[0] += 1
            t[1] += r["chosen"] == REAL_INPUT_MODEL
            t[2] += r["chosen"] == c.expected
    lines = ["| class | variant | inputs | expected | chose clean-trained | chose real-input | right |",
             "|---|---|---|---|---|---|---|"]
    for (cls, variant), (n, real, right) in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1] != "all")):
        exp = "-" if variant == "all" else (
            "real-input" if expected_for(cls, variant) == REAL_INPUT_MODEL else "clean-trained")
        label = f"**{cls}**" if variant == "all" else cls
        lines.append(f"| {label} | {variant} | {n} | {exp} | {n - real} | {real} | {100 * right / n:.1f}% |")
    return lines


def baseline_rates(rows: list[dict[str, Any]], split: str, thresholds: dict[str, float]) -> list[str]:
    """Markdown rows: clean and noisy photos routed right by each estimator at its threshold."""
    lines = ["| estimator | threshold (grey levels) | clean read clean | noisy read noisy | noise sigma 2 | sigma 5 |",
             "|---|---|---|---|---|---|"]
    for key, label in (("pca", "weak-texture PCA (now)"), ("immerkaer", "Immerkaer, flattest 30% (before)"),
                       ("skimage", "scikit-image estimate_sigma (wavelet MAD)")):
        t = thresholds[key]

        def sig(r: dict[str, Any], key: str = key) -> float:
            return r["report"].noise_sigma if key == "pca" else r[key]

        sel = [r for r in rows if r["case"].split == split]
        clean = [sig(r) <= t for r in sel if r["case"].cls == "clean"]
        noisy = [sig(r) > t for r in sel if r["case"].cls == "noise"]
        s2 = [sig(r) > t for r in sel if r["case"].variant == "sigma 2"]
        s5 = [sig(r) > t for r in sel if r["case"].variant == "sigma 5"]
        lines.append(f"| {label} | {t:g} | {100 * np.mean(clean):.1f}% | {100 * np.mean(noisy):.1f}% | "
                     f"{100 * np.mean(s2):.1f}% | {100 * np.mean(s5):.1f}% |")
    return lines


def sigma_accuracy(rows: list[dict[str, Any]], split: str) -> list[str]:
    """Markdown rows: the estimate against the added noise (median and 5-95% range)."""
    lines = ["| added sigma | median estimate | 5% | 95% |", "|---|---|---|---|"]
    for s in SIGMAS:
        est = [r["report"].noise_sigma for r in rows if r["case"].split == split and r["case"].variant == f"sigma {s}"]
        lo, med, hi = np.quantile(est, [0.05, 0.5, 0.95])
        lines.append(f"| {s} | {med:.2f} | {lo:.2f} | {hi:.2f} |")
    clean = [r["report"].noise_sigma for r in rows if r["case"].split == split and r["case"].cls == "clean"]
    lo, med, hi = np.quantile(clean, [0.05, 0.5, 0.95])
    lines.append(f"| clean (none added) | {med:.2f} | {lo:.2f} | {hi:.2f} |")
    return lines


def cost_inputs(hr: np.ndarray, rng: np.random.Generator) -> list[tuple[str, str, Any, np.ndarray]]:
    """(class, variant, input, target) for the cost crops of one 256 px original (64 px inputs at x4)."""
    _, lr = make_pair(hr, 4)
    items = [("clean", "x4", lr, hr)]
    items += [("jpeg", f"q{q}", as_file(lr, "JPEG", quality=q), hr) for q in COST_QUALITIES]
    items += [("noise", f"sigma {s}", gaussian_noise(lr, s, rng), hr) for s in COST_SIGMAS]
    hr_bl = bilevel(hr)
    lr_bl = make_pair(hr_bl, 4)[1]
    lr_bl = np.repeat(np.where(luma_bt601(lr_bl) >= 128, 255, 0).astype(np.uint8)[..., None], 3, axis=2)
    items.append(("bilevel", "1-bit", as_file(lr_bl, "PNG").convert("1"), hr_bl))
    items.append(("palette", "256 dithered", palette(lr, 256, True), hr))
    items.append(("palette", "32", palette(lr, 32, False), hr))
    return items


def centre(img: np.ndarray, side: int = 256) -> np.ndarray:
    """The central side x side crop (the whole image where smaller, trimmed to a multiple of 4)."""
    h, w = img.shape[:2]
    y, x = max(0, (h - side) // 2), max(0, (w - side) // 2)
    c = img[y:y + side, x:x + side]
    return c[: c.shape[0] // 4 * 4, : c.shape[1] // 4 * 4]


def costs(fit_every: int, per_split: dict[str, int]) -> list[dict[str, Any]]:
    """Both models' x4 Y-PSNR on the cost crops of both splits, with auto's choice on each crop."""
    import liif
    from liif.engine import Upscaler

    ups = {n: Upscaler(liif.create_model(n), device="cpu") for n in INSTALLED}
    rng = np.random.default_rng(7)
    out = []
    for split, count in per_split.items():
        srcs = sources(split, fit_every)
        srcs = srcs[:: max(1, len(srcs) // count)][:count]
        for name, hr_full in srcs:
            hr = centre(hr_full)
            for cls, variant, image, target in cost_inputs(hr, rng):
                rgb = rgb_of(image)
                size = target.shape[:2]
                psnr = {n: psnr_y(liif_upscale(u, rgb, size), target, 4) for n, u in ups.items()}
                chosen = choose_model(inspect(image), INSTALLED, DEFAULT_MODEL)[0]
                out.append({"split": split, "source": name, "cls": cls, "variant": variant, "psnr": psnr,
                            "bicubic": psnr_y(bicubic_upscale(rgb, size), target, 4), "chosen": chosen})
    return out


def crossover(items: list[dict[str, Any]], split: str = "fit") -> float | None:
    """The noise sigma where the real-input model's mean lead over the clean-trained one turns positive
    (linear between the measured sigmas): the noise threshold the costs call for."""
    lead = []
    for s in COST_SIGMAS:
        its = [i for i in items if i["split"] == split and i["variant"] == f"sigma {s}"]
        lead.append(np.mean([i["psnr"][REAL_INPUT_MODEL] - i["psnr"][DEFAULT_MODEL] for i in its]))
    for k in range(len(lead) - 1):
        (s0, l0), (s1, l1) = (COST_SIGMAS[k], lead[k]), (COST_SIGMAS[k + 1], lead[k + 1])
        if l0 <= 0 < l1:
            return round(s0 + (s1 - s0) * -l0 / (l1 - l0), 2)
    return None


def cost_table(items: list[dict[str, Any]], split: str) -> list[str]:
    """Markdown rows: per class and variant, the real-input model's lead and what auto's wrong choices cost."""
    groups = defaultdict(list)
    for it in items:
        if it["split"] == split:
            groups[(it["cls"], it["variant"])].append(it)
    lines = ["| class | variant | crops | clean-trained (dB) | real-input (dB) | real - clean (dB) | "
             "auto wrong | mean cost of a wrong choice (dB) | auto under the better model, mean (dB) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for (cls, variant), its in groups.items():
        clean = np.mean([i["psnr"][DEFAULT_MODEL] for i in its])
        real = np.mean([i["psnr"][REAL_INPUT_MODEL] for i in its])
        exp = expected_for(cls, variant)
        wrong = [i for i in its if i["chosen"] != exp]
        cost = [i["psnr"][exp] - i["psnr"][i["chosen"]] for i in wrong]
        # what auto's choice gives up against an oracle that knew, crop by crop, which model renders it better
        regret = np.mean([max(i["psnr"].values()) - i["psnr"][i["chosen"]] for i in its])
        lines.append(f"| {cls} | {variant} | {len(its)} | {clean:.2f} | {real:.2f} | {real - clean:+.2f} | "
                     f"{len(wrong)} | {f'{np.mean(cost):+.2f}' if cost else '-'} | {regret:.3f} |")
    return lines


def benchmark_sets() -> list[str]:
    """Set5 and Set14 x4 (full images, liif eval's protocol): auto's mean Y-PSNR against the clean-trained model's."""
    import liif
    from liif.engine import Upscaler

    ups: dict[str, Any] = {}
    lines = ["| set | images | auto chose real-input | clean-trained x4 (dB) | auto x4 (dB) | "
             "auto - clean-trained (dB) |", "|---|---|---|---|---|---|"]
    for name in ("Set5", "Set14"):
        scores = {DEFAULT_MODEL: [], "auto": []}
        moved = 0
        for f in sorted((DATASETS / "eval" / name).glob("*.png")):
            hr, lr = make_pair(load_rgb_array(f), 4)
            chosen = choose_model(inspect(lr), INSTALLED, DEFAULT_MODEL)[0]
            for model in {DEFAULT_MODEL, chosen}:
                if model not in ups:
                    ups[model] = Upscaler(liif.create_model(model), device="cpu")
            own = psnr_y(liif_upscale(ups[DEFAULT_MODEL], lr, hr.shape[:2]), hr, 4)
            scores[DEFAULT_MODEL].append(own)
            scores["auto"].append(own if chosen == DEFAULT_MODEL else
                                  psnr_y(liif_upscale(ups[chosen], lr, hr.shape[:2]), hr, 4))
            moved += chosen != DEFAULT_MODEL
        a, b = np.mean(scores[DEFAULT_MODEL]), np.mean(scores["auto"])
        lines.append(f"| {name} | {len(scores['auto'])} | {moved} | {a:.2f} | {b:.2f} | {b - a:+.3f} |")
    return lines


def timing() -> list[str]:
    """Markdown rows: the estimates' milliseconds on a 1 MP photo, best of 5, in this run."""
    from skimage import data, transform

    photo = (transform.resize(data.astronaut(), (1000, 1000), order=3) * 255).round().astype(np.uint8)
    lines = ["| step | ms (best of 5) |", "|---|---|"]
    for label, fn in (("noise estimate (weak-texture PCA, now)", condition.noise_sigma),
                      ("noise estimate (Immerkaer, before)", immerkaer_sigma),
                      ("scikit-image estimate_sigma", skimage_sigma),
                      ("bilevel/palette check", condition.image_kind),
                      ("liif.inspect, whole (array: JPEG grid search included)", inspect)):
        best = math.inf
        for _ in range(5):
            t = time.perf_counter()
            fn(photo)
            best = min(best, time.perf_counter() - t)
        lines.append(f"| {label} | {1000 * best:.0f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Build the labelled set, measure the choice, write the results."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit-every", type=int, default=5, help="use every Nth BSD200 photo for the fit split")
    ap.add_argument("--no-cost", action="store_true", help="skip the renders (costs and Set5/Set14)")
    ap.add_argument("--fit", action="store_true", help="print the noise thresholds fitted on the fit split and stop")
    ap.add_argument("--cost-crops", type=int, nargs=2, default=(8, 8), metavar=("FIT", "HELDOUT"),
                    help="photos whose crops are rendered, per split")
    args = ap.parse_args(argv)
    if not DATASETS.is_dir():
        print(f"needs {DATASETS} (BSD200, Set5, Set14)")
        return 1
    started = time.perf_counter()
    all_cases = cases("fit", args.fit_every) + cases("held-out", args.fit_every)
    rows = classify(all_cases)
    fit_rows = [r for r in rows if r["case"].split == "fit"]
    fitted = {k: fit_threshold(fit_rows, k) for k in ("pca", "immerkaer", "skimage")}
    print("fitted thresholds (value, worse rate on fit):", fitted, flush=True)
    if args.fit:
        return 0
    thresholds = {"pca": condition.NOISY_SIGMA, "immerkaer": 2.0, "skimage": fitted["skimage"][0]}
    out = ["# --model auto: is the choice right, and what does a wrong one cost?", "",
           f"Made by `benchmarks/auto_choice.py` ({platform.processor() or platform.machine()}; CPU: AMD EPYC Zen 4, "
           "2 cores shared with other work, AVX-512, no AMX; OMP_NUM_THREADS=1). "
           f"Fit split: BSD200 (every {args.fit_every}th photo, the training photos); held-out: Set5, Set14 and the "
           f"PNG examples. Noise threshold {condition.NOISY_SIGMA} grey levels, JPEGs below quality "
           f"{condition.REAL_INPUT_BELOW} go to the real-input model: where it starts to win on the fit split's "
           "crops (the cost tables). "
           "Expected model: the clean-trained one for clean photos and where the real-input model loses on the "
           f"fit crops ({', '.join(f'{c} {v}' for c, v in sorted(CLEAN_IS_RIGHT))}); bilevel and palette as "
           f"`liif.condition.KIND_CHOICE` decides ({condition.KIND_CHOICE}); the real-input model for the rest. "
           f"The threshold that best separates clean from noisy (sigma 2-10) fit photos would be {fitted['pca'][0]} "
           f"(worse rate {100 * fitted['pca'][1]:.1f}%).", ""]
    worst = {}
    for split in ("held-out", "fit"):
        sel = [r for r in rows if r["case"].split == split]
        by_cls = defaultdict(list)
        for r in sel:
            by_cls[r["case"].cls].append(r["chosen"] == r["case"].expected)
        worst[split] = min((100 * np.mean(v), k) for k, v in by_cls.items())
    out += [f"**Headline (held-out)**: the worst class is routed right {worst['held-out'][0]:.1f}% of the time "
            f"({worst['held-out'][1]}); fit split: {worst['fit'][0]:.1f}% ({worst['fit'][1]}).", ""]
    for split in ("held-out", "fit"):
        out += [f"## Confusion table, {split}", ""] + confusion(rows, split) + [""]
    out += ["## Noise estimators on clean and noisy photos, held-out", "",
            "Each at its threshold: the PCA one at the constant in `liif/condition.py`, Immerkaer's at the 2 grey "
            "levels auto used before, scikit-image's at the threshold that splits the fit split best.", ""]
    out += baseline_rates(rows, "held-out", thresholds) + [""]
    out += ["## The estimate against the noise added, held-out", ""] + sigma_accuracy(rows, "held-out") + [""]
    out += ["## Speed on a 1 MP photo", "", "One run, compare within it (shared cores).", ""] + timing() + [""]
    if not args.no_cost:
        items = costs(args.fit_every, {"fit": args.cost_crops[0], "held-out": args.cost_crops[1]})
        for split in ("held-out", "fit"):
            out += [f"## What a wrong choice costs, {split} crops", "",
                    "Mean Y-PSNR of each model's x4 output of a 64 px input (the central 256 px of the photo, "
                    "reduced by MATLAB bicubic, then degraded) against the original; 4 px shaved. 'auto wrong': "
                    "crops where auto's choice on the crop itself was not the expected model.", ""]
            out += cost_table(items, split) + [""]
        out += [f"Noise sigma where the two models tie (fit crops, linear between measured sigmas): "
                f"{crossover(items)}; held-out crops: {crossover(items, 'held-out')}.", ""]
        out += ["## Set5 and Set14 x4, full images (liif eval's protocol)", ""] + benchmark_sets() + [""]
    out += [f"Total time {time.perf_counter() - started:.0f} s."]
    RESULTS.write_text("\n".join(out) + "\n")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
