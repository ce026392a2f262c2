"""liif-studio: arbitrary-scale super-resolution with LIIF (Chen et al., CVPR 2021).

    >>> import liif
    >>> out = liif.upscale("photo.png", scale=4)            # model "auto": chosen by liif.inspect(photo)
    >>> liif.list_models()                                  # bundled models
    ['edsr-baseline-liif', 'edsr-baseline-lmliif']
    >>> up = liif.Upscaler(liif.create_model("path/to/official.pth"))
    >>> big = up.upscale(image, size=liif.fit_size(*image.size, 1920, 1080))  # inside 1920x1080, shape kept
"""
import warnings
from collections.abc import Callable
from typing import Any

from .api import upscale
from .checkpoint import load_checkpoint, load_official, save_checkpoint
from .condition import InputReport, inspect
from .engine import EngineConfig, Upscaler, bicubic, output_size, pick_device
from .errors import CheckpointError, InputError, LiifError, SizeLimitError
from .imageio import load_image, save_image
from .models import LIIF, LMLIIF, make_coord
from .sizes import fit_size
from .zoo import DEFAULT_MODEL, ModelConfig, create_model, list_models

__version__ = "0.1.0"
__all__ = [
    "DEFAULT_MODEL", "LIIF", "LMLIIF", "CheckpointError", "EngineConfig", "InputError", "InputReport", "LiifError",
    "ModelConfig", "SizeLimitError", "Upscaler", "bicubic", "create_model", "fit_size", "inspect", "list_models",
    "load_checkpoint", "load_image",
    "load_official", "make_coord", "output_size", "pick_device", "save_checkpoint", "save_image", "upscale",
]


def _build_model(config: ModelConfig | None = None) -> LIIF | LMLIIF:
    return create_model(config or ModelConfig())  # the old default: the paper's LIIF, untrained


def _registry(name: str) -> Callable[..., Any]:
    from .models import registry

    return getattr(registry, name)


# Old names, kept for one release (0.2) with a warning: one factory in the ecosystem's idiom replaces five
# (timm.create_model / open_clip.list_models). Each maps to (what to use instead, the object it returns).
_DEPRECATED: dict[str, tuple[str, Callable[[], Any]]] = {
    "load_model": ("liif.create_model(name_or_path)", lambda: create_model),
    "build_model": ("liif.create_model(config)", lambda: _build_model),
    "list_bundled_models": ("liif.list_models()", lambda: list_models),
    "list_architectures": ("liif.models.registry.list_architectures()", lambda: _registry("list_architectures")),
    "available_models": ("liif.models.registry.list_architectures()", lambda: _registry("list_architectures")),
    "make": ("liif.create_model(config), or liif.models.make(spec) for an official spec dict",
             lambda: _registry("make")),
}


def __getattr__(name: str) -> Any:
    """Resolve a deprecated name to its replacement, with a DeprecationWarning."""
    if name in _DEPRECATED:
        instead, target = _DEPRECATED[name]
        warnings.warn(f"liif.{name} is deprecated and will be removed in 0.3: use {instead}",
                      DeprecationWarning, stacklevel=2)
        return target()
    raise AttributeError(f"module 'liif' has no attribute {name!r}")
