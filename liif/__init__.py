"""liif-studio: arbitrary-scale super-resolution with LIIF (Chen et al., CVPR 2021).

    >>> import liif
    >>> out = liif.upscale("photo.png", scale=4)            # model "auto": chosen by liif.inspect(photo)
    >>> liif.list_models()                                  # bundled models
    ['edsr-baseline-liif', 'edsr-baseline-lmliif']
    >>> up = liif.Upscaler(liif.create_model("path/to/official.pth"))
    >>> big = up.upscale(image, size=liif.fit_size(*image.size, 1920, 1080))  # inside 1920x1080, shape kept
"""
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

