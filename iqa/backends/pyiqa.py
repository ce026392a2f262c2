"""The pyiqa backend: the catalogue's pyiqa rows, with metric creation that never reaches for the network.

* Each pyiqa row is one :func:`pyiqa_metric` line at the end of this module: a :class:`PyiqaModel` (pyiqa's
  name, the weight files, the crop) registered with :func:`nr_cue` or :func:`fr_cue` bound to it as the
  entry's compute function. The backend never reads the catalogue.
* Weight files are checked *before* a metric is created (``iqa.weights``);
  a metric whose files are missing is reported unavailable at once.
* Creation runs inside :func:`pyiqa_environment`, which points pyiqa's cache, the torch
  hub dir and the Hugging Face cache at ``iqa.weights`` and, unless downloads are
  allowed (``prefetch``), replaces the download functions with ones that raise, so an
  incomplete weight list fails fast instead of hanging on an unreachable network.
* Created metrics are cached per key; pyiqa metrics run on a centre crop (large-image policy below).
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from .. import weights
from ..cues.base import Cue, CueUnavailable, Metric, Views, add
from ..cues.fr import NEEDS_REFERENCE
from ..cues.readings import compare_reading
from ..errors import MetricUnavailable
from ..images import center_crop
from ..weights import WeightFile

if TYPE_CHECKING:
    import torch

__all__ = [
    "LEARNED_CROP",
    "CLASSICAL_CROP",
    "PyiqaModel",
    "MetricUnavailable",
    "DownloadRefused",
    "pyiqa_environment",
    "nr_cue",
    "fr_cue",
    "create",
    "score",
    "score_fr",
    "crop_size_for",
    "prefetch_one",
    "clear_cache",
    "pyiqa_metric",
]

# Large-image policy (docs/quality.md): pyiqa metrics see a centre crop of at most
# this many pixels per side, the same crop of the output and of the bicubic
# baseline, so no metric takes minutes on a CPU.
LEARNED_CROP = 512
CLASSICAL_CROP = 1024


@dataclass(frozen=True)
class PyiqaModel:
    """One catalogue entry as the backend sees it: which pyiqa metric, which files, which crop."""

    key: str  # the catalogue key: the cache slot, and the name `liif prefetch` takes
    name: str  # the display name, for readings and messages
    pyiqa_name: str  # the name pyiqa.create_metric takes
    direction: str  # "higher" | "lower" | "none"
    weights: tuple[WeightFile, ...] = ()
    learned: bool = False  # a neural network: it sees the smaller crop (LEARNED_CROP)


class DownloadRefused(MetricUnavailable):
    """A download was attempted while downloads are not allowed."""


_LOCK = threading.RLock()
_CREATED: dict[str, object] = {}


def _refuse(url, *args, **kwargs):
    raise DownloadRefused(
        f"download of {url} refused: weights are only fetched by `liif prefetch`"
    )


def _patch(stack: ExitStack, obj, attr: str, value) -> None:
    old = getattr(obj, attr)
    setattr(obj, attr, value)
    stack.callback(setattr, obj, attr, old)


@contextmanager
def pyiqa_environment(allow_network: bool = False) -> Iterator[None]:
    """Point every cache pyiqa uses at ``iqa.weights``; block downloads unless allowed."""
    import pyiqa.utils.download_util as download_util
    import torch.hub

    with _LOCK, ExitStack() as stack:
        for d in (weights.pyiqa_dir(), weights.torch_hub_dir(), weights.hf_dir()):
            d.mkdir(parents=True, exist_ok=True)
        old_hub = torch.hub.get_dir()
        torch.hub.set_dir(str(weights.torch_hub_dir()))
        stack.callback(torch.hub.set_dir, old_hub)
        _patch(stack, download_util, "DEFAULT_CACHE_DIR", str(weights.pyiqa_dir()))
        for name in ("pyiqa.archs.topiq_arch", "pyiqa.archs.liqe_arch"):
            module = sys.modules.get(name)
            if module is not None and hasattr(module, "DEFAULT_CACHE_DIR"):
                _patch(stack, module, "DEFAULT_CACHE_DIR", str(weights.pyiqa_dir()))
        try:
            from huggingface_hub import constants as hf_constants
        except ImportError:  # pragma: no cover
            hf_constants = None
        if hf_constants is not None:
            _patch(stack, hf_constants, "HF_HUB_CACHE", str(weights.hf_dir()))
        if allow_network:
            old_timeout = socket.getdefaulttimeout()
            socket.setdefaulttimeout(60)
            stack.callback(socket.setdefaulttimeout, old_timeout)
        else:
            _patch(stack, download_util, "download_url_to_file", _refuse)
            _patch(stack, torch.hub, "download_url_to_file", _refuse)
            if hf_constants is not None:
                _patch(stack, hf_constants, "HF_HUB_OFFLINE", True)
            clip_model = sys.modules.get("pyiqa.archs.clip_model")
            if clip_model is not None:
                _patch(stack, clip_model, "_download", _refuse)
        yield


def create(model: PyiqaModel, allow_network: bool = False) -> torch.nn.Module:
    """The pyiqa metric of a catalogue entry, created once and cached.

    Raises :class:`MetricUnavailable` (fast, no network) when weights are missing.
    """
    with _LOCK:
        if model.key in _CREATED:
            return _CREATED[model.key]
        if not allow_network:
            ok, reason = weights.status(model.key, model.weights)
            if not ok:
                raise MetricUnavailable(reason)
        import pyiqa

        if any(w.store == "clip" for w in model.weights):
            from .compat import prepare_pyiqa_clip

            prepare_pyiqa_clip()  # the pkg_resources trap, see iqa.compat
        for weight in model.weights:
            weight.install()
        with pyiqa_environment(allow_network=allow_network):
            try:
                created = pyiqa.create_metric(model.pyiqa_name, device="cpu")
            except MetricUnavailable:
                raise
            except Exception as error:  # a broken file, an unexpected download...
                raise MetricUnavailable(
                    f"{model.name} could not be created: {type(error).__name__}: {error}"
                ) from error
        created.eval()
        _CREATED[model.key] = created
        return created


def clear_cache() -> None:
    """Forget the created metrics (tests; a changed cache directory)."""
    with _LOCK:
        _CREATED.clear()


def crop_size_for(model: PyiqaModel) -> int:
    """The centre-crop side a metric sees (large-image policy: learned metrics see less)."""
    return LEARNED_CROP if model.learned else CLASSICAL_CROP


def _to_tensor(images: Sequence[np.ndarray], crop: int):
    import torch

    cropped = [center_crop(im, crop) for im in images]
    shape = cropped[0].shape
    if any(c.shape != shape for c in cropped):
        raise ValueError("images given to one pyiqa call must have the same size")
    batch = np.stack(cropped).astype(np.float32) / 255.0
    return torch.from_numpy(batch).permute(0, 3, 1, 2).contiguous()


def _run(network, *tensors) -> list[float]:
    import torch

    with torch.inference_mode():
        out = network(*tensors)
    values = out.detach().reshape(-1).to(torch.float64).cpu().numpy()
    return [float(v) for v in values]


def score(model: PyiqaModel, images: Sequence[np.ndarray]) -> list[float]:
    """Score HxWx3 uint8 images (same size) with a no-reference pyiqa metric."""
    return _run(create(model), _to_tensor(images, crop_size_for(model)))


def score_fr(model: PyiqaModel, images: Sequence[np.ndarray], reference: np.ndarray) -> list[float]:
    """Score images against one reference (all the same size) with a pyiqa FR metric."""
    crop = crop_size_for(model)
    x = _to_tensor(images, crop)
    ref = _to_tensor([reference] * len(images), crop)
    return _run(create(model), x, ref)


def prefetch_one(model: PyiqaModel) -> tuple[bool, str]:
    """Download (where the network allows) and create one pyiqa metric."""
    try:
        create(model, allow_network=True)
    except Exception as error:  # network errors come in many types
        return False, f"{type(error).__name__}: {error}"
    ok, reason = weights.status(model.key, model.weights)
    return ok, "ready" if ok else reason


def _guarded(model: PyiqaModel, run: Callable[[], list[float]]) -> list[float]:
    ok, reason = weights.status(model.key, model.weights)
    if not ok:
        raise CueUnavailable(reason)
    try:
        return run()
    except MetricUnavailable as error:
        raise CueUnavailable(str(error)) from error
    except Exception as error:  # e.g. an image smaller than the network's input
        raise CueUnavailable(f"{model.name} failed: {type(error).__name__}: {error}") from error


def nr_cue(model: PyiqaModel, views: Views) -> Cue:
    """A no-reference pyiqa metric on the output and on the bicubic baseline."""
    value, base = _guarded(model, lambda: score(model, [views.output, views.bicubic]))
    return Cue(value, base, compare_reading(value, base, model.direction, model.name))


def fr_cue(model: PyiqaModel, views: Views) -> Cue:
    """A full-reference pyiqa metric (a distance: lower is closer) of the output and of bicubic."""
    if views.reference is None:
        raise CueUnavailable(NEEDS_REFERENCE)
    value, base = _guarded(model, lambda: score_fr(model, [views.output, views.bicubic], views.reference))
    if model.direction != "lower":
        return Cue(value, base, compare_reading(value, base, model.direction, model.name))
    closer = "closer to" if value < base else ("as close to" if value == base else "further from")
    return Cue(value, base, f"{closer} the reference than bicubic ({value:.3f} vs {base:.3f}; lower is better)")


# --------------------------------------------------------------------------- the pyiqa rows
def _p(*names: str) -> WeightFile:
    return WeightFile("pyiqa", names)


def _fr_summary(row) -> str:
    return f"{row.name} {row.value:.3f} (bicubic {row.baseline:.3f})"


def pyiqa_metric(key: str, name: str, kind: str, group: str, measures: str, direction: str, range_: str, *,
                 learned: bool = False, weights: tuple[WeightFile, ...] = (), on_request: bool = False) -> Metric:
    """Register a catalogue entry computed by pyiqa: its model and its compute function come from the same values."""
    model = PyiqaModel(key, name, key, direction, weights, learned)
    cue = fr_cue if kind == "fr" else nr_cue
    return add(Metric(key, name, kind, group, measures, direction, range_, needs_weights=bool(weights),
                      learned=learned, compute=partial(cue, model), pyiqa=model, on_request=on_request,
                      summary=_fr_summary if kind == "fr" else None, source=__name__))


# pyiqa's ``entropy`` needs no network and no weights, only a histogram: computed here (``grey_entropy``), so that
# the row costs no import of pyiqa (2 s) and none of its one-hot histogram (2 s and 2 GB at a megapixel).
_YIQ = ((0.299, 0.587, 0.114), (0.5959, -0.2746, -0.3213), (0.2115, -0.5227, 0.3112))  # pyiqa's rgb2yiq


def grey_entropy(images: Sequence[np.ndarray]) -> list[float]:
    """pyiqa's ``entropy`` of HxWx3 uint8 images, in bits: Shannon entropy of the YIQ luma's 256-bin histogram.

    The same centre crop, luma and formula as pyiqa's, in numpy so that the row imports no torch (``liif score``
    then starts without it). The luma is float32 ``(r*0.299 + g*0.587) + b*0.114``, the order in which torch's
    float32 product adds it, then ``to_y_channel``'s rounding, so every pixel lands in pyiqa's bin (an FMA or a
    float64 sum moves a few pixels in a megapixel). ``tests/test_iqa_pyiqa.py`` holds it to pyiqa's own where
    pyiqa is installed.
    """
    x = np.stack([center_crop(im, CLASSICAL_CROP) for im in images]).astype(np.float32) / np.float32(255.0)
    w = np.asarray(_YIQ[0], np.float32)
    luma = (x[..., 0] * w[0] + x[..., 1] * w[1]) + x[..., 2] * w[2]
    bins = np.rint(luma * np.float32(255.0)).astype(np.int64).reshape(len(images), -1)
    scores = []
    for row in bins:
        hist = np.bincount(row, minlength=256).astype(np.float32)
        hist /= hist.sum()
        scores.append(float(-np.sum(hist * np.log2(hist + np.float32(1e-8)))))
    return scores


def _entropy(views: Views) -> Cue:
    value, base = grey_entropy([views.output, views.bicubic])
    return Cue(value, base, compare_reading(value, base, "none", "Entropy"))


# On request only (``metrics=[...]``, ``liif score --metrics``), not in the default report: PIQE ranks an output
# as the full-reference truth does on under half of the validity suite's alterations (never for added noise,
# JPEG q30, nearest-neighbour or posterisation: it prefers them) and costs a fifth of the report.
pyiqa_metric("piqe", "PIQE", "nr", "no-reference",
             "Perception-based image quality evaluator: blockiness and noise in "
             "active blocks (classical, no weights).", "lower", "0 to 100", on_request=True)
add(Metric("entropy", "Entropy", "nr", "no-reference",
           "Shannon entropy of the grey-level histogram: information content, not "
           "quality (classical, no weights). Noise raises it, flat areas lower it.",
           "none", "0 to 8 bits", compute=_entropy, source=__name__))
pyiqa_metric("niqe", "NIQE", "nr", "no-reference",
             "Natural image quality evaluator: distance of local statistics from those of "
             "natural pristine images (classical with fitted parameters).", "lower",
             "~0 to ~100",
             weights=(_p("niqe_modelparameters.mat"),))
pyiqa_metric("brisque", "BRISQUE", "nr", "no-reference",
             "Blind/referenceless spatial quality evaluator: an SVM on natural scene "
             "statistics (classical with fitted parameters).", "lower", "~0 to ~150",
             weights=(_p("brisque_svm_weights.pth"),))
pyiqa_metric("musiq", "MUSIQ", "nr", "no-reference",
             "Multi-scale image quality transformer trained on KonIQ-10k human ratings.",
             "higher", "~0 to ~100", learned=True,
             weights=(_p("musiq_koniq_ckpt-e95806b9.pth"),))
pyiqa_metric("clipiqa", "CLIP-IQA", "nr", "no-reference",
             "CLIP (RN50) with antonym prompts (good/bad, sharp/blurry, ...): perceived "
             "quality.", "higher", "0 to 1",
             learned=True, weights=(WeightFile("clip", ("RN50.pt",)),))
pyiqa_metric("topiq_nr", "TOPIQ-NR", "nr", "no-reference",
             "Top-down attention network on ResNet-50 features, trained on KonIQ-10k.",
             "higher", "~0 to ~1", learned=True,
             weights=(_p("cfanet_nr_koniq_res50-9a73138b.pth"),
                      WeightFile("hf", ("model.safetensors", "pytorch_model.bin"),
                                 "timm/resnet50.a1_in1k")))
pyiqa_metric("maniqa", "MANIQA", "nr", "no-reference",
             "Multi-dimension attention network (ViT-B/8), trained on KonIQ-10k.",
             "higher", "~0 to ~1", learned=True,
             weights=(_p("ckpt_koniq10k.pt"),
                      WeightFile("hf", ("model.safetensors", "pytorch_model.bin"),
                                 "timm/vit_base_patch8_224.augreg2_in21k_ft_in1k")))
pyiqa_metric("lpips", "LPIPS", "fr", "full-reference",
             "Learned perceptual distance (AlexNet features) to the reference.", "lower",
             "0 to ~1", learned=True,
             weights=(_p("LPIPS_v0.1_alex-df73285e.pth"),
                      WeightFile("torch", ("alexnet-owt-7be5be79.pth",))))
pyiqa_metric("dists", "DISTS", "fr", "full-reference",
             "Deep structure and texture similarity distance (VGG-16 features) to the "
             "reference.", "lower", "0 to ~1",
             learned=True,
             weights=(_p("DISTS_weights-f5e65c96.pth"),
                      WeightFile("torch", ("vgg16-397923af.pth",))))
