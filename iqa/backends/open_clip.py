"""The CLIP model behind the CLIP cues (open_clip): loading from local files only, prompts, one pass per assessment.

A :class:`ClipCues` is configured with an architecture and a pretrained tag
(``open_clip.list_pretrained()``), or a local checkpoint file; the image
preprocessing comes from ``open_clip.create_model_and_transforms`` (mean, std,
interpolation and resize mode of that pretrained tag). Weights are only used when
they are already on disk: when they are not, the cues are reported unavailable with
the way to get them (``liif prefetch clip_clarity``), never computed from random
weights. Tests pass an already-built model with :meth:`ClipCues.from_model`.

The default model is read from the environment at first use:
``LIIF_STUDIO_CLIP_ARCH`` (default ``ViT-B-32``), ``LIIF_STUDIO_CLIP_PRETRAINED``
(default ``laion2b_s34b_b79k``) and ``LIIF_STUDIO_CLIP_CHECKPOINT`` (a local file;
overrides the tag's download, the tag still chooses the preprocessing).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import weights
from ..cues.clip_prompts import EMOTION_PROMPTS, EMOTIONS, PAIR_GROUPS
from ..weights import hub_cached

__all__ = [
    "DEFAULT_ARCH",
    "DEFAULT_PRETRAINED",
    "ClipUnavailable",
    "ClipResult",
    "ClipCues",
    "default_clip",
    "js_divergence",
    "crop_boxes",
    "CROP_GRID",
]

# Clarity crops: a CROP_GRID x CROP_GRID grid of native-resolution crops the size of the
# model's input (see crop_boxes); fewer where the image is smaller.
CROP_GRID = 3

DEFAULT_ARCH = "ViT-B-32"
DEFAULT_PRETRAINED = "laion2b_s34b_b79k"
# Where open_clip's pretrained config puts the default model's weights on the Hugging Face Hub (its ``hf_hub``;
# tests/test_iqa_clip.py holds this copy to open_clip's own). Knowing it, ``status`` finds the weights absent
# without importing open_clip, which takes seconds (torchvision, transformers, timm) for a row that cannot run.
KNOWN_HUB = {(DEFAULT_ARCH, DEFAULT_PRETRAINED): "laion/CLIP-ViT-B-32-laion2B-s34B-b79K/"}
MAX_LOGIT_SCALE = 100.0


class ClipUnavailable(RuntimeError):
    """CLIP cues cannot run here; the message says why and how to fix it."""


def open_clip_dir() -> Path:
    return weights.cache_root() / "open_clip"


def crop_boxes(height: int, width: int, size: int, grid: int = CROP_GRID) -> list[tuple[int, int, int, int]]:
    """(top, left, height, width) of the clarity crops: up to grid x grid, evenly spread.

    Crops are ``size`` px square (the model's input size, so CLIP sees them at native
    resolution, pixel for pixel). Along each side the first crop touches the start, the
    last the end, the others are evenly spaced between; a side shorter than ``size`` gets
    one crop of the whole side, and a side that only fits a few crops gets no more than
    ceil(side / size) of them (no crop repeats another).
    """
    def starts(n: int) -> list[int]:
        if n <= size:
            return [0]
        count = min(grid, -(-n // size))
        return sorted({round(i * (n - size) / (count - 1)) for i in range(count)}) if count > 1 else [0]

    ch, cw = min(size, height), min(size, width)
    return [(top, left, ch, cw) for top in starts(height) for left in starts(width)]


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence in bits (0 = same distribution, 1 = disjoint)."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    p, q = p / p.sum(), q / q.sum()
    m = 0.5 * (p + q)

    def kl(a, b):
        mask = a > 0
        return float(np.sum(a[mask] * np.log2(a[mask] / b[mask])))

    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


@dataclass(frozen=True)
class ClipResult:
    """CLIP cues for (input, bicubic, output); arrays are indexed [input, bicubic, output]."""

    pairs: dict[str, dict[str, np.ndarray]]  # group -> pair key -> P(positive), shape (3,)
    emotion: np.ndarray  # (3, 8) distributions over prompts.EMOTIONS
    semantic_output: float  # cos(input, output)
    semantic_bicubic: float  # cos(input, bicubic)
    # Clarity (bicubic, output): mean over these native-resolution crops; input: whole image.
    clarity_crops: tuple[tuple[int, int, int, int], ...] = ()

    @property
    def emotion_retention_output(self) -> float:
        return 1.0 - js_divergence(self.emotion[0], self.emotion[2])

    @property
    def emotion_retention_bicubic(self) -> float:
        return 1.0 - js_divergence(self.emotion[0], self.emotion[1])


def _safe_alternatives(filename: str) -> list[str]:
    names = [filename]
    if filename == "open_clip_pytorch_model.bin":
        names.insert(0, "open_clip_model.safetensors")
    elif filename.endswith((".bin", ".pth", ".pt")):
        names.insert(0, filename.rsplit(".", 1)[0] + ".safetensors")
    return names


class ClipCues:
    """Scores images with CLIP prompts. Create once and reuse: text features are cached."""

    def __init__(
        self,
        arch: str | None = None,
        pretrained: str | None = None,
        checkpoint: str | os.PathLike | None = None,
        *,
        device: str = "cpu",
    ) -> None:
        self.arch = arch or DEFAULT_ARCH
        self.pretrained = pretrained if pretrained is not None else (
            None if checkpoint else DEFAULT_PRETRAINED
        )
        self.checkpoint = Path(checkpoint).expanduser() if checkpoint else None
        self.device = device
        self._model = None
        self._preprocess: Callable | None = None
        self._tokenizer: Callable | None = None
        self._text: dict | None = None
        self._lock = threading.RLock()
        self._given = False

    @classmethod
    def from_model(cls, model, preprocess: Callable, tokenizer: Callable, name: str = "custom model") -> ClipCues:
        """Use an already-built open_clip model (tests, or a model loaded elsewhere)."""
        cues = cls(arch=name, pretrained="", checkpoint=None)
        cues._model = model.eval()
        cues._preprocess = preprocess
        cues._tokenizer = tokenizer
        cues._given = True
        return cues

    @property
    def name(self) -> str:
        if self._given:
            return self.arch
        if self.checkpoint:
            return f"{self.arch} ({self.checkpoint.name})"
        return f"{self.arch} / {self.pretrained}"

    # -- availability ----------------------------------------------------------------
    def _how_to_get(self, cache: Path | None = None) -> str:
        return (
            f"run `liif prefetch clip_clarity` where the network is reachable "
            f"(downloads {self.arch} / {self.pretrained} into {cache or self._cache_dir()}; "
            f"${weights.ENV_VAR} sets the cache), or set LIIF_STUDIO_CLIP_CHECKPOINT to a "
            f"local open_clip checkpoint file"
        )

    def _pretrained_cfg(self) -> dict:
        import open_clip

        return open_clip.get_pretrained_cfg(self.arch, self.pretrained) or {}

    def _cache_dir(self) -> Path:
        # Weights published on the Hub go to the Hub cache (where a Space's preload_from_hub puts them too).
        return weights.hf_dir() if self.pretrained and self._pretrained_cfg().get("hf_hub") else open_clip_dir()

    def hub_file(self) -> tuple[str, str] | None:
        """(repository, file) of the weights open_clip loads from the Hugging Face Hub; None if from elsewhere."""
        if self.checkpoint is not None or not self.pretrained:
            return None
        hub = self._pretrained_cfg().get("hf_hub", "")
        if not hub:
            return None
        model_id, filename = os.path.split(hub)
        return model_id, _safe_alternatives(filename or "open_clip_pytorch_model.bin")[0]  # the one it loads

    def _locate_weights(self) -> Path | None:
        if self.checkpoint is not None:
            return self.checkpoint if self.checkpoint.is_file() else None
        cfg = self._pretrained_cfg()
        if cfg.get("hf_hub"):
            model_id, filename = os.path.split(cfg["hf_hub"])
            return hub_cached(model_id, _safe_alternatives(filename or "open_clip_pytorch_model.bin"))
        if cfg.get("url"):
            candidate = open_clip_dir() / os.path.basename(cfg["url"])
            return candidate if candidate.is_file() else None
        return None

    def _known_absent(self) -> bool:
        """Whether the weights of a model in ``KNOWN_HUB`` are surely not in the Hub cache (no open_clip import)."""
        hub = KNOWN_HUB.get((self.arch, self.pretrained)) if self.checkpoint is None else None
        if hub is None:
            return False
        model_id, filename = os.path.split(hub)
        return hub_cached(model_id, _safe_alternatives(filename or "open_clip_pytorch_model.bin")) is None

    def status(self) -> tuple[bool, str]:
        """(available, reason). Checks files only; never loads or downloads; imports open_clip only to read the
        configuration of weights that are there (or of a model it does not know)."""
        if self._model is not None:
            return True, ""
        if self._known_absent():
            return False, f"CLIP weights not found; {self._how_to_get(weights.hf_dir())}"
        import open_clip

        if self.arch not in open_clip.list_models():
            return False, f"unknown open_clip architecture {self.arch!r}"
        if self.checkpoint is not None:
            if self.checkpoint.is_file():
                return True, ""
            return False, f"CLIP checkpoint file not found: {self.checkpoint}"
        if not self._pretrained_cfg():
            tags = ", ".join(open_clip.list_pretrained_tags_by_model(self.arch)) or "none"
            return False, (
                f"unknown pretrained tag {self.pretrained!r} for {self.arch} "
                f"(known: {tags})"
            )
        if self._locate_weights() is None:
            return False, f"CLIP weights not found; {self._how_to_get()}"
        return True, ""

    # -- loading ---------------------------------------------------------------------
    def load(self) -> None:
        """Load the model from local files (never the network); raises ClipUnavailable."""
        with self._lock:
            if self._model is not None:
                return
            ok, reason = self.status()
            if not ok:
                raise ClipUnavailable(reason)
            import open_clip

            kwargs: dict = {}
            cfg = self._pretrained_cfg() if self.pretrained else {}
            if self.checkpoint is not None:
                source = str(self.checkpoint)
                for key, arg in (("mean", "image_mean"), ("std", "image_std"),
                                 ("interpolation", "image_interpolation"),
                                 ("resize_mode", "image_resize_mode")):
                    if cfg.get(key) is not None:
                        kwargs[arg] = cfg[key]
                if cfg.get("quick_gelu"):
                    kwargs["force_quick_gelu"] = True
            else:
                source = self.pretrained
            with ExitStack() as stack:
                try:
                    from huggingface_hub import constants as hf_constants

                    old = hf_constants.HF_HUB_OFFLINE
                    hf_constants.HF_HUB_OFFLINE = True
                    stack.callback(setattr, hf_constants, "HF_HUB_OFFLINE", old)
                except ImportError:  # pragma: no cover
                    pass
                try:
                    model, _, preprocess = open_clip.create_model_and_transforms(
                        self.arch, pretrained=source, device=self.device,
                        cache_dir=str(self._cache_dir()), **kwargs,
                    )
                    tokenizer = open_clip.get_tokenizer(self.arch)
                except Exception as error:
                    raise ClipUnavailable(
                        f"could not load CLIP {self.name}: {type(error).__name__}: {error}"
                    ) from error
            self._model = model.eval()
            self._preprocess = preprocess
            self._tokenizer = tokenizer

    def prefetch(self) -> tuple[bool, str]:
        """Download the configured pretrained weights (where the network allows)."""
        if self.checkpoint is not None or self._given:
            return self.status()
        import socket

        import open_clip

        cfg = self._pretrained_cfg()
        if not cfg:
            return self.status()
        old = socket.getdefaulttimeout()
        socket.setdefaulttimeout(60)
        try:
            self._cache_dir().mkdir(parents=True, exist_ok=True)
            open_clip.download_pretrained(cfg, cache_dir=str(self._cache_dir()))
        except Exception as error:
            return False, f"{type(error).__name__}: {error}"
        finally:
            socket.setdefaulttimeout(old)
        ok, reason = self.status()
        return ok, "ready" if ok else reason

    # -- features --------------------------------------------------------------------
    def encode_images(self, images: Sequence[np.ndarray]):
        """L2-normalised image embeddings, shape (N, D)."""
        import torch
        from PIL import Image

        self.load()
        batch = torch.stack([self._preprocess(Image.fromarray(im)) for im in images])
        with torch.inference_mode():
            features = self._model.encode_image(batch.to(self.device)).float()
        return torch.nn.functional.normalize(features, dim=-1)

    def text_features(self) -> dict:
        """Text embeddings for every prompt group, computed once (one encode_text call)."""
        import torch

        with self._lock:
            if self._text is not None:
                return self._text
            self.load()
            prompts: list[str] = []
            layout: list[tuple[str, str, int, int]] = []  # group, slot, start, stop

            def add(group: str, slot: str, texts: Sequence[str]) -> None:
                layout.append((group, slot, len(prompts), len(prompts) + len(texts)))
                prompts.extend(texts)

            for group, pairs in PAIR_GROUPS.items():
                for pair in pairs:
                    add(group, pair.key + "+", pair.positive_prompts)
                    add(group, pair.key + "-", pair.negative_prompts)
            for emotion in EMOTIONS:
                add("clip_emotion", emotion, EMOTION_PROMPTS[emotion])
            tokens = self._tokenizer(prompts)
            with torch.inference_mode():
                encoded = self._model.encode_text(tokens.to(self.device)).float()
            encoded = torch.nn.functional.normalize(encoded, dim=-1)

            def pooled(start: int, stop: int):
                return torch.nn.functional.normalize(encoded[start:stop].mean(0), dim=-1)

            slots = {(g, s): pooled(a, b) for g, s, a, b in layout}
            text = {
                group: torch.stack([
                    torch.stack([slots[(group, p.key + "+")], slots[(group, p.key + "-")]])
                    for p in pairs
                ])
                for group, pairs in PAIR_GROUPS.items()
            }
            text["clip_emotion"] = torch.stack([slots[("clip_emotion", e)] for e in EMOTIONS])
            self._text = text
            return text

    def input_size(self) -> int:
        """The model's square input size in pixels (224 for ViT-B-32)."""
        self.load()
        size = getattr(getattr(self._model, "visual", None), "image_size", 224)
        return int(size[0] if isinstance(size, (tuple, list)) else size)

    def logit_scale(self) -> float:
        self.load()
        scale = getattr(self._model, "logit_scale", None)
        value = float(scale.detach().exp()) if scale is not None else MAX_LOGIT_SCALE
        return min(value, MAX_LOGIT_SCALE)

    def pair_probabilities(self, image_features, group: str) -> np.ndarray:
        """P(positive word) per image and antonym pair, shape (N, pairs)."""
        import torch

        text = self.text_features()[group]  # (P, 2, D)
        logits = self.logit_scale() * torch.einsum("nd,pkd->npk", image_features, text)
        return torch.softmax(logits, dim=-1)[..., 0].cpu().numpy().astype(np.float64)

    def emotion_distribution(self, image_features) -> np.ndarray:
        """Softmax over the eight emotions per image, shape (N, 8)."""
        import torch

        text = self.text_features()["clip_emotion"]  # (8, D)
        logits = self.logit_scale() * image_features @ text.T
        return torch.softmax(logits, dim=-1).cpu().numpy().astype(np.float64)

    def cues(self, lowres: np.ndarray, bicubic: np.ndarray, output: np.ndarray) -> ClipResult:
        """All CLIP cues for one assessment (one forward pass).

        Tone, emotion and semantic retention see the three whole images (resized to the
        model's input: the picture as a whole). Clarity sees the output and the bicubic
        baseline at native resolution: the same ``crop_boxes`` of both, probabilities
        averaged over the crops; the input is scored whole (it is small already).
        """
        if bicubic.shape != output.shape:
            raise ValueError("bicubic and output must have the same size")
        boxes = crop_boxes(output.shape[0], output.shape[1], self.input_size())
        crops = [im[y:y + h, x:x + w] for im in (bicubic, output) for y, x, h, w in boxes]
        features = self.encode_images([lowres, bicubic, output] + crops)
        whole, crop_features = features[:3], features[3:]
        pairs = {}
        for group, prompt_pairs in PAIR_GROUPS.items():
            probs = self.pair_probabilities(whole, group)
            if group == "clip_clarity":
                per_crop = self.pair_probabilities(crop_features, group).reshape(2, len(boxes), -1)
                probs[1:] = per_crop.mean(axis=1)  # bicubic, output: mean over the same crops
            pairs[group] = {p.key: probs[:, i] for i, p in enumerate(prompt_pairs)}
        emotion = self.emotion_distribution(whole)
        sims = (whole @ whole[0]).cpu().numpy().astype(np.float64)
        return ClipResult(pairs, emotion, float(sims[2]), float(sims[1]), tuple(boxes))


_DEFAULTS: dict[tuple, ClipCues] = {}
_DEFAULTS_LOCK = threading.Lock()


def default_clip() -> ClipCues:
    """The configured default ClipCues (from the environment), one per configuration."""
    key = (
        os.environ.get("LIIF_STUDIO_CLIP_ARCH") or DEFAULT_ARCH,
        os.environ.get("LIIF_STUDIO_CLIP_PRETRAINED") or None,
        os.environ.get("LIIF_STUDIO_CLIP_CHECKPOINT") or None,
        str(weights.cache_root()),
    )
    with _DEFAULTS_LOCK:
        if key not in _DEFAULTS:
            _DEFAULTS[key] = ClipCues(key[0], key[1], key[2])
        return _DEFAULTS[key]
