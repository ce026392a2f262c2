"""The demo's defaults and limits, read once from the environment."""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import liif
import liif.precision

# The model the demo preselects (a bundled model name, see ``liif.list_models()``): the project's
# default, LM-LIIF (better than the bundled LIIF, several times faster: its model card in liif/weights/).
DEFAULT_MODEL = liif.DEFAULT_MODEL
# The precisions the demo offers. bf16 changes Set5 PSNR by a few thousandths of a dB; it is offered, and
# preselected, only where liif.precision measured it faster than exact on this machine (docs/engine.md).
PRECISIONS = ("bf16", "exact")

ROOT = Path(__file__).resolve().parents[1]


def measured_precision() -> liif.precision.PrecisionChoice:
    """The precision ``auto`` runs in on the device the demo renders on, and why (measured once per machine)."""
    return liif.precision.resolve("auto", liif.pick_device("auto"))


# The slow, best-quality mode: 8 flipped/transposed renders averaged (liif.ensemble); see docs/engine.md.
ENSEMBLE_MODE = "exact, 8x self-ensemble"
# Back-projection passes behind the Upscale tab's consistency box: the correction has converged by
# the third; a fourth adds next to nothing (the measured gains: the model cards in liif/weights/).
BACKPROJECT_PASSES = 3


def precision_choices() -> list[str]:
    """The precisions (and the self-ensemble mode) the demo offers here, the measured default first."""
    return (list(PRECISIONS) if measured_precision().precision == "bf16" else ["exact"]) + [ENSEMBLE_MODE]


def precision_hint() -> str:
    """The line under the precision choice: what was measured here."""
    chosen = measured_precision()
    if chosen.precision == "bf16":
        return f"{chosen.reason}; within 0.005 dB of exact"
    return f"{chosen.reason}, so exact only"


def engine_options(mode: str) -> dict[str, object]:
    """The ``liif.EngineConfig`` fields behind a precision choice."""
    return {"precision": "exact", "ensemble": 8} if mode == ENSEMBLE_MODE else {"precision": mode}


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    try:
        value = float(env.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class Settings:
    """Where the demo runs and how much it accepts."""

    on_spaces: bool
    max_input_mp: float
    max_output_mp: float
    max_upload_mb: float
    allow_paths: bool
    models_dir: Path
    prefetch: str  # "all", "none" or comma-separated iqa metric keys

    @property
    def max_file_size(self) -> str:
        """Gradio's ``max_file_size`` for this cap."""
        return f"{int(self.max_upload_mb)}mb"


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """The settings from environment variables (see app.py's docstring for the list)."""
    env = os.environ if env is None else env
    on_spaces = bool(env.get("SPACE_ID"))
    allow = env.get("LIIF_ALLOW_CHECKPOINT_PATHS", "0" if on_spaces else "1").strip().lower()
    # On a Space the CLIP cues and learned metrics are fetched by default: a visitor cannot run `liif prefetch`.
    prefetch = env.get("LIIF_PREFETCH", "all" if on_spaces else "none").strip() or "none"
    return Settings(
        on_spaces=on_spaces,
        max_input_mp=_float(env, "LIIF_MAX_INPUT_MEGAPIXELS", 1.0),
        max_output_mp=_float(env, "LIIF_MAX_OUTPUT_MEGAPIXELS", 2.0 if on_spaces else 4.0),
        max_upload_mb=_float(env, "LIIF_MAX_UPLOAD_MB", 20.0),
        allow_paths=allow not in ("0", "false", "no", ""),
        models_dir=Path(env.get("LIIF_MODELS_DIR", ROOT / "models")).expanduser(),
        prefetch=prefetch,
    )


def max_scale(size: tuple[int, int], max_output_mp: float, ceiling: float = 8.0, step: float = 0.1) -> float:
    """The largest scale (a multiple of ``step``, at most ``ceiling``) whose output stays within the limit."""
    w, h = size
    largest = math.sqrt(max_output_mp * 1e6 / (w * h))
    return round(min(ceiling, math.floor(largest / step + 1e-9) * step), 6)


def output_limit_message(size: tuple[int, int], out: tuple[int, int], max_output_mp: float) -> str | None:
    """None when ``out`` fits the limit, else the sentence that says what to change."""
    ow, oh = out
    if ow * oh <= max_output_mp * 1e6:
        return None
    w, h = size
    largest = max_scale(size, max_output_mp, 1e9)
    return (f"The output would be {ow}x{oh} pixels ({ow * oh / 1e6:.1f} megapixels); this demo renders up to "
            f"{max_output_mp:g} megapixels. For this {w}x{h} image choose a scale up to x{largest:g}, "
            "or a smaller exact size.")
