"""liif-studio: arbitrary-scale super-resolution with LIIF (Chen et al., CVPR 2021).

    >>> import liif
    >>> out = liif.upscale("photo.png", scale=4)            # model "auto": chosen by liif.inspect(photo)
    >>> liif.list_models()                                  # bundled models
    ['edsr-baseline-liif', 'edsr-baseline-lmliif']
    >>> up = liif.Upscaler(liif.create_model("path/to/official.pth"))
    >>> big = up.upscale(image, size=liif.fit_size(*image.size, 1920, 1080))  # inside 1920x1080, shape kept
"""
import lazy_loader

# Names resolve on first use (lazy_loader, as in iqa and scikit-image): `liif score` and the other commands that
# only read images import neither torch nor the models, and `from liif.imageio import ...` stays light.
_getattr, __dir__, _names = lazy_loader.attach(
    __name__,
    submodules=["api", "arguments", "backproject", "batch", "checkpoint", "cli", "condition", "data", "degrade",
                "engine", "ensemble", "errors", "evaluate", "imageio", "kernels", "metrics", "models", "precision",
                "render_kernel", "resize", "sizes", "train", "zoo"],
    submod_attrs={
        "api": ["upscale"],
        "checkpoint": ["load_checkpoint", "load_official", "save_checkpoint"],
        "condition": ["InputReport", "inspect"],
        "engine": ["EngineConfig", "Upscaler", "bicubic", "output_size", "pick_device"],
        "errors": ["CheckpointError", "InputError", "LiifError", "SizeLimitError"],
        "imageio": ["load_image", "save_image"],
        "models": ["LIIF", "LMLIIF", "make_coord"],
        "sizes": ["fit_size"],
        "zoo": ["DEFAULT_MODEL", "ModelConfig", "create_model", "list_models"],
    },
)

__version__ = "0.1.0"
__all__ = [
    "DEFAULT_MODEL", "LIIF", "LMLIIF", "CheckpointError", "EngineConfig", "InputError", "InputReport", "LiifError",
    "ModelConfig", "SizeLimitError", "Upscaler", "bicubic", "create_model", "fit_size", "inspect", "list_models",
    "load_checkpoint", "load_image",
    "load_official", "make_coord", "output_size", "pick_device", "save_checkpoint", "save_image", "upscale",
]


def __getattr__(name: str):
    """A public name of liif, imported on first use."""
    return _getattr(name)
