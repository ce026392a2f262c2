"""The pyiqa backend: the catalogue's pyiqa rows, with metric creation that never reaches for the network.

* A :class:`PyiqaModel` is what the backend knows of one catalogue entry (pyiqa's name, the weight
  files, the crop); the catalogue builds one per pyiqa entry and binds :func:`nr_cue` or :func:`fr_cue`
  to it as the entry's compute function. The backend never reads the catalogue.
* Weight files are checked *before* a metric is created (``iqa.weights``);
  a metric whose files are missing is reported unavailable at once.
* Creation runs inside :func:`pyiqa_environment`, which points pyiqa's cache, the torch
  hub dir and the Hugging Face cache at ``iqa.paths`` and, unless downloads are
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
from typing import TYPE_CHECKING

import numpy as np

from . import paths, weights
from .cue import Cue, CueUnavailable, Views
from .errors import MetricUnavailable
from .fr import NEEDS_REFERENCE
from .images import center_crop
from .readings import compare_reading
from .weights import WeightFile

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
    """Point every cache pyiqa uses at ``iqa.paths``; block downloads unless allowed."""
    import pyiqa.utils.download_util as download_util
    import torch.hub

    with _LOCK, ExitStack() as stack:
        for d in (paths.pyiqa_dir(), paths.torch_hub_dir(), paths.hf_dir()):
            d.mkdir(parents=True, exist_ok=True)
        old_hub = torch.hub.get_dir()
        torch.hub.set_dir(str(paths.torch_hub_dir()))
        stack.callback(torch.hub.set_dir, old_hub)
        _patch(stack, download_util, "DEFAULT_CACHE_DIR", str(paths.pyiqa_dir()))
        for name in ("pyiqa.archs.topiq_arch", "pyiqa.archs.liqe_arch"):
            module = sys.modules.get(name)
            if module is not None and hasattr(module, "DEFAULT_CACHE_DIR"):
                _patch(stack, module, "DEFAULT_CACHE_DIR", str(paths.pyiqa_dir()))
        try:
            from huggingface_hub import constants as hf_constants
        except ImportError:  # pragma: no cover
            hf_constants = None
        if hf_constants is not None:
            _patch(stack, hf_constants, "HF_HUB_CACHE", str(paths.hf_dir()))
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


def grey_entropy(x):
    """pyiqa's ``entropy`` (Shannon entropy of the YIQ luma's 256-bin histogram, in bits) of an (N, 3, H, W) batch.

    The same luma (pyiqa's own ``to_y_channel``) and formula, with the histogram counted by ``torch.bincount``:
    pyiqa sums a one-hot tensor of 256 values per pixel, 2 s and 2 GB for a 1-megapixel crop.
    """
    import torch
    from pyiqa.utils.color_util import to_y_channel

    y = to_y_channel(x, 255.0, "yiq").long().reshape(x.shape[0], -1)
    scores = []
    for row in y:
        hist = torch.bincount(row, minlength=256).to(torch.float32)
        hist = hist / hist.sum()
        scores.append(-torch.sum(hist * torch.log2(hist + 1e-8)))
    return torch.stack(scores)


# pyiqa metrics computed here by the same formula, faster (each function's docstring says why).
_FAST = {"entropy": grey_entropy}


def score(model: PyiqaModel, images: Sequence[np.ndarray]) -> list[float]:
    """Score HxWx3 uint8 images (same size) with a no-reference pyiqa metric."""
    network = _FAST.get(model.pyiqa_name) or create(model)
    return _run(network, _to_tensor(images, crop_size_for(model)))


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
