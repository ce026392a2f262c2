"""liif-studio: arbitrary-scale super-resolution with LIIF (Chen et al., CVPR 2021).

    >>> import liif
    >>> out = liif.upscale("photo.png", scale=4)            # bundled default model
    >>> up = liif.Upscaler(liif.load_model("path/to/official.pth"))
    >>> big = up.upscale(image, size=(1920, 1080))
"""
from .api import upscale
from .checkpoint import load_checkpoint, load_official, save_checkpoint
from .engine import EngineConfig, Upscaler, bicubic, output_size, pick_device
from .errors import CheckpointError, InputError, LiifError, SizeLimitError
from .imageio import load_image, save_image
from .models import LIIF, LMLIIF, available_models, make, make_coord
from .zoo import DEFAULT_MODEL, ModelConfig, build_model, list_models, load_model

__version__ = "0.1.0"
__all__ = [
    "DEFAULT_MODEL", "LIIF", "LMLIIF", "CheckpointError", "EngineConfig", "InputError", "LiifError", "ModelConfig",
    "SizeLimitError", "Upscaler", "available_models", "bicubic", "build_model", "list_models",
    "load_checkpoint", "load_image", "load_model", "load_official", "make", "make_coord", "output_size",
    "pick_device", "save_checkpoint", "save_image", "upscale",
]
