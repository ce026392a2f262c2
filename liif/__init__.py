"""liif-studio: arbitrary-scale super-resolution with LIIF (Chen et al., CVPR 2021).

    >>> import liif
    >>> out = liif.upscale("photo.png", scale=4)            # bundled default model
    >>> up = liif.Upscaler(liif.load_model("path/to/official.pth"))
    >>> big = up.upscale(image, size=(1920, 1080))
"""
import warnings
from typing import Any

from .api import upscale
from .checkpoint import load_checkpoint, load_official, save_checkpoint
from .engine import EngineConfig, Upscaler, bicubic, output_size, pick_device
from .errors import CheckpointError, InputError, LiifError, SizeLimitError
from .imageio import load_image, save_image
from .models import LIIF, LMLIIF, make, make_coord
from .models.registry import list_architectures
from .zoo import DEFAULT_MODEL, ModelConfig, build_model, load_model
from .zoo import list_models as list_bundled_models

__version__ = "0.1.0"
__all__ = [
    "DEFAULT_MODEL", "LIIF", "LMLIIF", "CheckpointError", "EngineConfig", "InputError", "LiifError", "ModelConfig",
    "SizeLimitError", "Upscaler", "bicubic", "build_model", "list_architectures", "list_bundled_models",
    "load_checkpoint", "load_image", "load_model", "load_official", "make", "make_coord", "output_size",
    "pick_device", "save_checkpoint", "save_image", "upscale",
]

# Old names that were easy to confuse (architectures vs bundled weights): they still work, with a warning.
_DEPRECATED = {"available_models": "list_architectures", "list_models": "list_bundled_models"}


def __getattr__(name: str) -> Any:
    """Resolve a deprecated name to its replacement, with a DeprecationWarning."""
    if name in _DEPRECATED:
        new = _DEPRECATED[name]
        warnings.warn(f"liif.{name} is deprecated: use liif.{new}", DeprecationWarning, stacklevel=2)
        return globals()[new]
    raise AttributeError(f"module 'liif' has no attribute {name!r}")
