"""The model list and the one cache of loaded upscalers.

Choices are labels: ``"<name> (bundled)"`` for every model ``liif.list_models()`` finds, and
``"<file> (models folder)"`` for checkpoints in the models folder. A checkpoint can also be given by path.
The model dropdown opens on ``AUTO_CHOICE``: the bundled model ``liif.inspect`` suggests for each input
(the model for compressed or noisy photos where it finds JPEG artefacts or noise).
"""
from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

import liif

from .settings import DEFAULT_MODEL, engine_options, precision_choices

log = logging.getLogger("liif_studio.models")

AUTO_CHOICE = "auto (by the input)"
BUNDLED_SUFFIX = " (bundled)"
FOLDER_SUFFIX = " (models folder)"
CHECKPOINT_SUFFIXES = (".safetensors", ".pth", ".pt")


class ModelChoiceError(liif.InputError):
    """A model choice or checkpoint path the demo cannot use; the message says what to do."""


def folder_checkpoints(models_dir: Path) -> list[Path]:
    """Checkpoint files in the models folder, sorted by name."""
    if not models_dir.is_dir():
        return []
    return sorted(p for p in models_dir.iterdir() if p.is_file() and p.suffix.lower() in CHECKPOINT_SUFFIXES)


def model_choices(models_dir: Path) -> list[str]:
    """Every bundled model, then every checkpoint in the models folder."""
    return ([name + BUNDLED_SUFFIX for name in liif.list_models()]
            + [p.name + FOLDER_SUFFIX for p in folder_checkpoints(models_dir)])


def dropdown_choices(models_dir: Path) -> list[str]:
    """The model dropdown: ``AUTO_CHOICE`` first where the bundled default can serve it, then every model."""
    return ([AUTO_CHOICE] if DEFAULT_MODEL in liif.list_models() else []) + model_choices(models_dir)


def default_choice(choices: list[str]) -> str | None:
    """``AUTO_CHOICE``, else ``DEFAULT_MODEL`` when it is bundled, else the first choice (None when there is none)."""
    for preferred in (AUTO_CHOICE, DEFAULT_MODEL + BUNDLED_SUFFIX):
        if preferred in choices:
            return preferred
    return choices[0] if choices else None


def auto_source(image: str | Path | np.ndarray | liif.InputReport | None) -> tuple[str, str]:
    """The bundled model ``AUTO_CHOICE`` stands for with this input (or its ``liif.inspect`` report), and why."""
    from liif.condition import choose_model

    if image is None:
        return DEFAULT_MODEL, "a clean input made here"
    found = image if isinstance(image, liif.InputReport) else liif.inspect(image)
    return choose_model(found, liif.list_models(), DEFAULT_MODEL)


def model_source(choice: str | None, path: str | None, models_dir: Path, allow_paths: bool) -> str:
    """What ``liif.create_model`` takes for a dropdown choice or a typed checkpoint path."""
    if path and path.strip():
        if not allow_paths:
            raise ModelChoiceError("Checkpoint paths are disabled on this server: choose a model from the list.")
        return str(Path(path.strip()).expanduser())
    if not choice:
        if DEFAULT_MODEL in liif.list_models():
            return DEFAULT_MODEL
        raise ModelChoiceError("No model is installed: put a LIIF checkpoint (.pth or .safetensors) in the models "
                               "folder and press Refresh models.")
    if choice.endswith(BUNDLED_SUFFIX):
        return choice[: -len(BUNDLED_SUFFIX)]
    if choice.endswith(FOLDER_SUFFIX):
        return str(models_dir / choice[: -len(FOLDER_SUFFIX)])
    raise ModelChoiceError(f"Unknown model {choice!r}: press Refresh models and choose one from the list.")


def describe(source: str) -> str:
    """How the page names the model behind a source: 'edsr-baseline-liif (bundled)' or a file name."""
    if source in liif.list_models():
        return source + BUNDLED_SUFFIX
    return Path(source).name


def _stamp(source: str) -> tuple[int, int] | None:
    # A checkpoint replaced on disk under the same name is loaded again.
    path = Path(source)
    if path.is_file():
        stat = path.stat()
        return stat.st_mtime_ns, stat.st_size
    return None


@lru_cache(maxsize=4)  # the bundled models plus a user's checkpoint stay loaded (a few MB each)
def _upscaler(source: str, stamp: tuple[int, int] | None, precision: str, max_output_mp: float,
              backproject: int) -> liif.Upscaler:
    return liif.Upscaler(liif.create_model(source), device="auto", max_output_megapixels=max_output_mp,
                         backproject=backproject, **engine_options(precision))


def get_upscaler(source: str, precision: str, max_output_mp: float, backproject: int = 0) -> liif.Upscaler:
    """A cached ``liif.Upscaler`` for a model source, precision and number of back-projection passes."""
    offered = precision_choices()
    if precision not in offered:
        raise ModelChoiceError(f"Precision {precision!r} is not available on this machine"
                               + (" (bf16 was not measured faster than exact here)" if precision == "bf16" else "")
                               + f": choose {' or '.join(offered)}.")
    return _upscaler(source, _stamp(source), precision, float(max_output_mp), int(backproject))


def status_line(models_dir: Path, allow_paths: bool) -> str:
    """One line for the top of the page: which models there are, or what to do when there is none."""
    bundled = liif.list_models()
    files = folder_checkpoints(models_dir)
    if bundled:
        line = f"Models: {', '.join(bundled)} (bundled)"
        return line + (f" and {len(files)} checkpoint(s) from `{models_dir}`." if files else ".")
    if files:
        return f"No bundled weights are installed; using checkpoints from `{models_dir}`."
    return ("**No model is installed.** Put an official LIIF `.pth` or a liif-studio `.safetensors` checkpoint "
            f"in `{models_dir}` (or set `LIIF_MODELS_DIR`) and press Refresh models"
            + (", or give its path." if allow_paths else "."))


def warm_up(source: str, precision: str, max_output_mp: float) -> bool:
    """Load ``source`` into the cache and render a tiny image with it; False (logged) when that fails.

    The first render of an LM-LIIF model loads or compiles numba's kernel (seconds); done at start-up,
    the first visitor does not wait for it.
    """
    try:
        get_upscaler(source, precision, max_output_mp).upscale(np.zeros((16, 16, 3), np.uint8), scale=2)
        return True
    except Exception as exc:  # noqa: BLE001 - a warm-up must never take the server down; a request will say why
        log.warning("warm-up of %s skipped: %s", source, exc)
        return False


def start_warm_up(source: str, precision: str, max_output_mp: float) -> threading.Thread:
    """``warm_up`` in a background thread (started and returned)."""
    thread = threading.Thread(target=warm_up, args=(source, precision, max_output_mp), name="model-warm-up",
                              daemon=True)
    thread.start()
    return thread
