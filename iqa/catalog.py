"""The catalogue: every score the product can report, as data.

Each :class:`Metric` says what it measures, which direction is better, its range,
which weight files it needs and the function that computes its row (value, bicubic
baseline, reading, warning) from the images of one assessment: ``iqa.assess`` is one
loop over the requested entries. ``METRICS`` maps catalogue keys to metrics, in the
order reports list them.

The catalogue points down to what computes its rows (the cue modules, the pyiqa backend);
none of them reads the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from . import artefact_cues, classical_cues, clip_rows, fr, pyiqa_backend, weights
from .cue import Cue, Views
from .pyiqa_backend import CLASSICAL_CROP, LEARNED_CROP, PyiqaModel
from .weights import WeightFile

__all__ = [
    "WeightFile",
    "Metric",
    "METRICS",
    "GROUPS",
    "LEARNED_CROP",
    "CLASSICAL_CROP",
    "DEFAULT_KEYS",
    "ON_REQUEST",
    "get",
    "list_metrics",
    "weights_status",
]

GROUPS = (
    "sharpness",
    "artefacts",
    "consistency",
    "tone",
    "saliency",
    "no-reference",
    "clip-clarity",
    "clip-tone",
    "clip-emotion",
    "semantic",
    "full-reference",
)


@dataclass(frozen=True)
class Metric:
    """One score of the catalogue: what it measures, how to read it, what it needs, how to compute its row."""

    key: str
    name: str
    kind: str  # "classical" | "nr" | "fr" | "clip"
    group: str  # one of GROUPS; CLIP families fan out into several rows
    measures: str
    direction: str  # "higher" | "lower" | "none"
    range: str
    needs_weights: bool = False
    learned: bool = False  # a neural network (large-image crop LEARNED_CROP)
    # The row's compute function (value, baseline, reading, warning; a family adds parts);
    # it raises iqa.cue.CueUnavailable, with the reason, where the row cannot be computed.
    compute: Callable[[Views], Cue] | None = None
    pyiqa: PyiqaModel | None = None  # what the pyiqa backend computes this row with

    def __post_init__(self) -> None:
        if self.compute is None:  # assess has no other way to compute a row
            raise ValueError(f"catalogue entry {self.key!r} has no compute function")
        if self.pyiqa is not None and (self.pyiqa.key, self.pyiqa.name, self.pyiqa.direction) != (
                self.key, self.name, self.direction):
            raise ValueError(f"catalogue entry {self.key!r} disagrees with its pyiqa model")

    @property
    def needs_reference(self) -> bool:
        """Whether the row compares with a ground-truth image (full-reference)."""
        return self.kind == "fr"

    @property
    def pyiqa_name(self) -> str | None:
        """pyiqa's name of the metric, or None when pyiqa does not compute it."""
        return self.pyiqa.pyiqa_name if self.pyiqa is not None else None

    @property
    def weights(self) -> tuple[WeightFile, ...]:
        """The weight files the row needs (CLIP families: see ``iqa.clip_cues``, they depend on the model)."""
        return self.pyiqa.weights if self.pyiqa is not None else ()


def _p(*names: str) -> WeightFile:
    return WeightFile("pyiqa", names)


def _pyiqa(key: str, name: str, kind: str, group: str, measures: str, direction: str, range_: str, *,
           learned: bool = False, weights: tuple[WeightFile, ...] = ()) -> Metric:
    """A catalogue entry computed by pyiqa: its model and its compute function come from the same values."""
    model = PyiqaModel(key, name, key, direction, weights, learned)
    cue = pyiqa_backend.fr_cue if kind == "fr" else pyiqa_backend.nr_cue
    return Metric(key, name, kind, group, measures, direction, range_, needs_weights=bool(weights),
                  learned=learned, compute=partial(cue, model), pyiqa=model)


_M = Metric
_P = _pyiqa
_ALL = [
    # --- classical cues (iqa.classical, read in iqa.classical_cues) -------------------------------
    _M("laplacian_var", "Laplacian variance", "classical", "sharpness",
       "Variance of the Laplacian of luminance: edge and texture contrast. Noise and "
       "ringing also raise it.", "higher", "0 to unbounded", compute=classical_cues.laplacian_var),
    _M("tenengrad", "Tenengrad", "classical", "sharpness",
       "Mean squared Sobel gradient magnitude of luminance: edge strength.",
       "higher", "0 to unbounded", compute=classical_cues.tenengrad),
    _M("hf_share", "High-frequency share", "classical", "sharpness",
       "Share of spectral energy above the input's Nyquist frequency: fine detail that "
       "the low-resolution input could not hold and the upscaler had to create.",
       "higher", "0 to 1", compute=classical_cues.hf_share),
    _M("effective_resolution", "Effective resolution", "classical", "sharpness",
       "Where the detail ends: the highest frequency of the luma's radial power spectrum that stays 10x above "
       "the floor of 8-bit rounding, in multiples of the input's Nyquist frequency. Bicubic stops just past "
       "the input's; the output's pixels can hold up to the scale.", "higher", "0 to the scale",
       compute=classical_cues.effective_resolution),
    _M("resolution_kept", "Detail beyond 2x the input", "classical", "consistency",
       "Fine-scale energy the output holds beyond twice the input's resolution (the mean squared difference "
       "from its reduction by scale/2 enlarged back, PIL bicubic), per unit of the input's own fine-scale "
       "energy (mean squared Laplacian). An upscaler that draws detail at the output's resolution holds it; "
       "an enlargement of a half-size result does not. Scales of 3 and more.", "higher",
       "0 to ~0.1 (typ. 0.001 to 0.006)", compute=classical_cues.resolution_kept),
    _M("texture_retention", "Texture retention", "classical", "consistency",
       "Fine texture of the input kept: the output shrunk back to the input's size, its fine-scale "
       "(Laplacian) energy over the input's in the input's textured, non-edge areas, the input in the "
       "output's tones. Smoothing (median, bilateral, denoising) lowers it; 1 = all kept.", "higher",
       "0 to ~1.5 (1 = kept)", compute=classical_cues.texture_retention),
    _M("consistency_psnr", "Consistency with input", "classical", "consistency",
       "PSNR between the output shrunk back to the input size (bicubic) and the input: "
       "does the enlargement still agree with what was there?", "higher",
       "0 to unbounded dB (identical: inf)", compute=classical_cues.consistency_psnr),
    _M("color_drift", "Colour drift", "classical", "tone",
       "Mean CIEDE2000 colour difference between the output shrunk back to the input "
       "size and the input.", "lower", "0 to ~100 dE (<1 invisible)", compute=classical_cues.color_drift),
    _M("luma_mean_shift", "Brightness shift", "classical", "tone",
       "Mean lightness L* of the shrunk output minus that of the input.",
       "none", "-100 to 100 L* (0 = unchanged)", compute=classical_cues.luma_mean_shift),
    _M("luma_spread_shift", "Contrast shift", "classical", "tone",
       "Standard deviation of L* (global contrast) of the shrunk output minus that "
       "of the input.", "none", "-100 to 100 L* (0 = unchanged)", compute=classical_cues.luma_spread_shift),
    _M("colourfulness_change", "Colourfulness change", "classical", "tone",
       "Relative change of Hasler-Suesstrunk colourfulness, shrunk output vs input.",
       "none", "-100% to unbounded (0 = unchanged)", compute=classical_cues.colourfulness_change),
    # --- artefacts: what the enlargement added (iqa.artefacts, read in iqa.artefact_cues) ----
    _M("noise_sigma", "Added noise", "classical", "artefacts",
       "Noise standard deviation of luma where the input is flat, by scikit-image's wavelet "
       "median-absolute-deviation estimator restricted to those areas (where a model's synthesised "
       "texture cannot be mistaken for noise), next to bicubic's.", "lower",
       "0 to ~50 grey levels", compute=artefact_cues.noise),
    _M("halo_overshoot", "Halos (overshoot)", "classical", "artefacts",
       "Mean overshoot beyond the input's local range (the input in the output's own tones) in the flat "
       "areas beside strong edges, where the true image is flat too: the bright/dark bands of "
       "over-sharpening and ringing.", "lower", "0 to ~255 grey levels (typ. 0 to 2)",
       compute=artefact_cues.halo),
    _M("jpeg_blockiness", "Block artefacts (8x8)", "classical", "artefacts",
       "Mean step between neighbouring pixels across the borders of the 8x8 JPEG grid "
       "divided by the step in the middle of the blocks.", "lower",
       "~1 (no grid) to unbounded (typ. 1 to 3)", compute=artefact_cues.blockiness),
    _M("banding", "Banding", "classical", "artefacts",
       "Share of the grey levels bicubic's enlargement takes in the input's smooth areas (16x16 blocks, "
       "each RGB channel) that the output does not: a gradient climbs one level at a time, posterised "
       "output in plateaus and jumps. Bicubic is the reference, so its own value is 0.",
       "lower", "0 to 1 (typ. 0 to 0.1)", compute=artefact_cues.banding),
    _M("input_blocks", "Input's JPEG blocks", "classical", "artefacts",
       "Where the input was JPEG-compressed (liif.inspect): the step across its 8x8 block borders, "
       "magnified in the output, divided by the step in the middle of the blocks; bicubic shows how "
       "plainly enlarging keeps them. Removed, reduced, or magnified by the model.", "lower",
       "~1 (no grid) to unbounded (typ. 1 to 2)", compute=artefact_cues.input_blocks),
    _M("pixel_grid", "Pixelation", "classical", "artefacts",
       "Share of the pixel-to-pixel change that falls on the borders of the input's "
       "pixels (whole-number scales): nearest-neighbour enlargement puts all of it there.",
       "lower", "1/scale (even) to 1", compute=artefact_cues.pixelation),
    _M("saliency_retention", "Saliency retention", "classical", "saliency",
       "Correlation of the spectral-residual saliency map (Hou and Zhang 2007; 64 px wide) "
       "of the output with that of the bicubic enlargement: does the enlargement move what "
       "draws the eye?", "higher", "-1 to 1 (1 = same)", compute=artefact_cues.saliency_retention),
    # --- no-reference metrics through pyiqa ----------------------------------------
    _P("piqe", "PIQE", "nr", "no-reference",
       "Perception-based image quality evaluator: blockiness and noise in "
       "active blocks (classical, no weights).", "lower", "0 to 100"),
    _P("entropy", "Entropy", "nr", "no-reference",
       "Shannon entropy of the grey-level histogram: information content, not "
       "quality (classical, no weights). Noise raises it, flat areas lower it.",
       "none", "0 to 8 bits"),
    _P("niqe", "NIQE", "nr", "no-reference",
       "Natural image quality evaluator: distance of local statistics from those of "
       "natural pristine images (classical with fitted parameters).", "lower",
       "~0 to ~100",
       weights=(_p("niqe_modelparameters.mat"),)),
    _P("brisque", "BRISQUE", "nr", "no-reference",
       "Blind/referenceless spatial quality evaluator: an SVM on natural scene "
       "statistics (classical with fitted parameters).", "lower", "~0 to ~150",
       weights=(_p("brisque_svm_weights.pth"),)),
    _P("musiq", "MUSIQ", "nr", "no-reference",
       "Multi-scale image quality transformer trained on KonIQ-10k human ratings.",
       "higher", "~0 to ~100", learned=True,
       weights=(_p("musiq_koniq_ckpt-e95806b9.pth"),)),
    _P("clipiqa", "CLIP-IQA", "nr", "no-reference",
       "CLIP (RN50) with antonym prompts (good/bad, sharp/blurry, ...): perceived "
       "quality.", "higher", "0 to 1",
       learned=True, weights=(WeightFile("clip", ("RN50.pt",)),)),
    _P("topiq_nr", "TOPIQ-NR", "nr", "no-reference",
       "Top-down attention network on ResNet-50 features, trained on KonIQ-10k.",
       "higher", "~0 to ~1", learned=True,
       weights=(_p("cfanet_nr_koniq_res50-9a73138b.pth"),
                WeightFile("hf", ("model.safetensors", "pytorch_model.bin"),
                           "timm/resnet50.a1_in1k"))),
    _P("maniqa", "MANIQA", "nr", "no-reference",
       "Multi-dimension attention network (ViT-B/8), trained on KonIQ-10k.",
       "higher", "~0 to ~1", learned=True,
       weights=(_p("ckpt_koniq10k.pt"),
                WeightFile("hf", ("model.safetensors", "pytorch_model.bin"),
                           "timm/vit_base_patch8_224.augreg2_in21k_ft_in1k"))),
    # --- CLIP cues through open_clip (families: each fans out into several rows) -------
    _M("clip_clarity", "CLIP clarity", "clip", "clip-clarity",
       "CLIP antonym prompts sharp/blurry, clear/unclear, detailed/smooth, "
       "clean/noisy: probability of the positive word; the family row is their mean.",
       "higher", "0 to 1", needs_weights=True, learned=True,
       compute=clip_rows.clarity),
    _M("clip_tone", "CLIP tone", "clip", "clip-tone",
       "CLIP antonym prompts bright/dark, colourful/dull, high/low contrast, "
       "natural/synthetic: probability of the first word (no better direction); the "
       "family row is the mean absolute change of these from the input (tone kept = "
       "low).", "lower", "0 to 1", needs_weights=True, learned=True,
       compute=clip_rows.tone),
    _M("clip_emotion", "CLIP emotion", "clip", "clip-emotion",
       "Distribution over AIGI-VC's eight emotions; the family row is emotion "
       "retention, 1 - Jensen-Shannon divergence from the input's distribution.",
       "higher", "0 to 1", needs_weights=True, learned=True,
       compute=clip_rows.emotion),
    _M("semantic_retention", "Semantic retention", "clip", "semantic",
       "Cosine similarity of the CLIP image embeddings of input and output: is it "
       "still the same picture?", "higher", "-1 to 1 (typ. 0.8 to 1)",
       needs_weights=True, learned=True,
       compute=clip_rows.semantic_retention),
    # --- full-reference (only with a ground-truth high-resolution image) -------------
    _M("psnr_y", "PSNR (Y)", "fr", "full-reference",
       "Peak signal-to-noise ratio on Y (MATLAB rgb2ycbcr: BT.601, studio range 16-235) "
       "against the reference, as in the SR literature.", "higher",
       "0 to unbounded dB (identical: inf)", compute=fr.psnr_y_cue),
    _M("ssim_y", "SSIM (Y)", "fr", "full-reference",
       "Structural similarity on Y (MATLAB rgb2ycbcr) against the reference (Gaussian "
       "window, sigma 1.5).", "higher", "-1 to 1 (identical: 1)", compute=fr.ssim_y_cue),
    _P("lpips", "LPIPS", "fr", "full-reference",
       "Learned perceptual distance (AlexNet features) to the reference.", "lower",
       "0 to ~1", learned=True,
       weights=(_p("LPIPS_v0.1_alex-df73285e.pth"),
                WeightFile("torch", ("alexnet-owt-7be5be79.pth",)))),
    _P("dists", "DISTS", "fr", "full-reference",
       "Deep structure and texture similarity distance (VGG-16 features) to the "
       "reference.", "lower", "0 to ~1",
       learned=True,
       weights=(_p("DISTS_weights-f5e65c96.pth"),
                WeightFile("torch", ("vgg16-397923af.pth",)))),
]

METRICS: dict[str, Metric] = {m.key: m for m in _ALL}

# On request only (``metrics=[...]``, ``liif score --metrics``), not in the default report: PIQE ranks an output
# as the full-reference truth does on under half of the validity suite's alterations (never for added noise,
# JPEG q30, nearest-neighbour or posterisation: it prefers them) and costs a fifth of the report.
ON_REQUEST: tuple[str, ...] = ("piqe",)
# Everything else is on by default; full-reference metrics only run with a reference.
DEFAULT_KEYS: tuple[str, ...] = tuple(k for k in METRICS if k not in ON_REQUEST)


def get(key: str) -> Metric:
    """The catalogue entry of ``key``; an unknown key is a ValueError naming the known ones."""
    try:
        return METRICS[key]
    except KeyError:
        raise ValueError(
            f"unknown metric {key!r}; known metrics: {', '.join(METRICS)}"
        ) from None


def list_metrics() -> list[str]:
    """Every catalogue key, in the order reports list them (``pyiqa.list_models()``'s counterpart)."""
    return list(METRICS)


def weights_status(key: str) -> tuple[bool, str]:
    """(present, reason) for a pyiqa metric's weight files. Never uses the network.

    CLIP families depend on the configured CLIP model: see ``iqa.clip_cues``.
    """
    return weights.status(key, get(key).weights)
