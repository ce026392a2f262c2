"""The pyiqa backend: the catalogue's pyiqa rows, with metric creation that never reaches for the network.

* :func:`nr_cue` and :func:`fr_cue` are the compute functions of the catalogue's pyiqa entries
  (``catalog`` binds each to its key): the output and the bicubic baseline scored alike.

* Weight files are checked *before* a metric is created (``catalog.weights_status``);
  a metric whose files are missing is reported unavailable at once.
* Creation runs inside :func:`pyiqa_environment`, which points pyiqa's cache, the torch
  hub dir and the Hugging Face cache at ``iqa.paths`` and, unless downloads are
  allowed (``prefetch``), replaces the download functions with ones that raise, so an
  incomplete weight list fails fast instead of hanging on an unreachable network.
* Created metrics are cached per key; pyiqa metrics run on a centre crop (large-image
  policy in ``catalog``).
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

import numpy as np

# catalog imports this module to bind the compute functions; this one reads the catalogue only when called.
from . import catalog, paths
from .cue import Cue, CueUnavailable, Views
from .fr import NEEDS_REFERENCE
from .images import center_crop
from .readings import compare_reading

if TYPE_CHECKING:
    import torch

__all__ = [
    "MetricUnavailable",
    "DownloadRefused",
    "pyiqa_environment",
    "nr_cue",
    "fr_cue",
    "create",
    "score",
    "score_fr",
    "crop_size_for",
    "clear_cache",
]


class MetricUnavailable(RuntimeError):
    """A metric cannot run here; the message says why and how to fix it."""


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


def create(key: str, allow_network: bool = False) -> torch.nn.Module:
    """The pyiqa metric for a catalogue key, created once and cached.

    Raises :class:`MetricUnavailable` (fast, no network) when weights are missing.
    """
    metric = catalog.get(key)
    if metric.pyiqa_name is None:
        raise ValueError(f"{key!r} is not a pyiqa metric")
    with _LOCK:
        if key in _CREATED:
            return _CREATED[key]
        if not allow_network:
            ok, reason = catalog.weights_status(key)
            if not ok:
                raise MetricUnavailable(reason)
        import pyiqa

        if any(w.store == "clip" for w in metric.weights):
            from .compat import prepare_pyiqa_clip

            prepare_pyiqa_clip()  # the pkg_resources trap, see iqa.compat
        with pyiqa_environment(allow_network=allow_network):
            try:
                created = pyiqa.create_metric(metric.pyiqa_name, device="cpu")
            except MetricUnavailable:
                raise
            except Exception as error:  # a broken file, an unexpected download...
                raise MetricUnavailable(
                    f"{metric.name} could not be created: {type(error).__name__}: {error}"
                ) from error
        created.eval()
        _CREATED[key] = created
        return created


def clear_cache() -> None:
    """Forget the created metrics (tests; a changed cache directory)."""
    with _LOCK:
        _CREATED.clear()


def crop_size_for(key: str) -> int:
    """The centre-crop side a metric sees (large-image policy: learned metrics see less)."""
    return catalog.LEARNED_CROP if catalog.get(key).learned else catalog.CLASSICAL_CROP


def _to_tensor(images: Sequence[np.ndarray], crop: int):
    import torch

    cropped = [center_crop(im, crop) for im in images]
    shape = cropped[0].shape
    if any(c.shape != shape for c in cropped):
        raise ValueError("images given to one pyiqa call must have the same size")
    batch = np.stack(cropped).astype(np.float32) / 255.0
    return torch.from_numpy(batch).permute(0, 3, 1, 2).contiguous()


def _run(model, *tensors) -> list[float]:
    import torch

    with torch.inference_mode():
        out = model(*tensors)
    values = out.detach().reshape(-1).to(torch.float64).cpu().numpy()
    return [float(v) for v in values]


def score(key: str, images: Sequence[np.ndarray]) -> list[float]:
    """Score HxWx3 uint8 images (same size) with a no-reference pyiqa metric."""
    model = create(key)
    return _run(model, _to_tensor(images, crop_size_for(key)))


def score_fr(key: str, images: Sequence[np.ndarray], reference: np.ndarray) -> list[float]:
    """Score images against one reference (all the same size) with a pyiqa FR metric."""
    model = create(key)
    crop = crop_size_for(key)
    x = _to_tensor(images, crop)
    ref = _to_tensor([reference] * len(images), crop)
    return _run(model, x, ref)


def prefetch_one(key: str) -> tuple[bool, str]:
    """Download (where the network allows) and create one pyiqa metric."""
    try:
        create(key, allow_network=True)
    except Exception as error:  # network errors come in many types
        return False, f"{type(error).__name__}: {error}"
    ok, reason = catalog.weights_status(key)
    return ok, "ready" if ok else reason


def _guarded(key: str, run: Callable[[], list[float]]) -> list[float]:
    metric = catalog.get(key)
    ok, reason = catalog.weights_status(key)
    if not ok:
        raise CueUnavailable(reason)
    try:
        return run()
    except MetricUnavailable as error:
        raise CueUnavailable(str(error)) from error
    except Exception as error:  # e.g. an image smaller than the network's input
        raise CueUnavailable(f"{metric.name} failed: {type(error).__name__}: {error}") from error


def nr_cue(key: str, views: Views) -> Cue:
    """A no-reference pyiqa metric on the output and on the bicubic baseline."""
    metric = catalog.get(key)
    value, base = _guarded(key, lambda: score(key, [views.output, views.bicubic]))
    return Cue(value, base, compare_reading(value, base, metric.direction, metric.name))


def fr_cue(key: str, views: Views) -> Cue:
    """A full-reference pyiqa metric (a distance: lower is closer) of the output and of bicubic."""
    if views.reference is None:
        raise CueUnavailable(NEEDS_REFERENCE)
    metric = catalog.get(key)
    value, base = _guarded(key, lambda: score_fr(key, [views.output, views.bicubic], views.reference))
    if metric.direction != "lower":
        return Cue(value, base, compare_reading(value, base, metric.direction, metric.name))
    closer = "closer to" if value < base else ("as close to" if value == base else "further from")
    return Cue(value, base, f"{closer} the reference than bicubic ({value:.3f} vs {base:.3f}; lower is better)")
