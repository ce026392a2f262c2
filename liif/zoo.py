"""Model configurations and the bundled models, loadable by name."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .checkpoint import SUFFIXES, build_from_spec, load_checkpoint
from .errors import CheckpointError
from .models import LIIF

WEIGHTS_DIR = Path(__file__).parent / "weights"
DEFAULT_MODEL = "edsr-baseline-liif"


@dataclass
class ModelConfig:
    """A LIIF architecture: encoder name + args and the decoder's hidden widths and switches."""

    encoder: str = "edsr-baseline"
    encoder_args: dict[str, Any] = field(default_factory=dict)
    hidden_list: list[int] = field(default_factory=lambda: [256, 256, 256, 256])
    local_ensemble: bool = True
    feat_unfold: bool = True
    cell_decode: bool = True

    def to_spec(self) -> dict[str, Any]:
        """The official-style spec dict."""
        return {
            "name": "liif",
            "args": {
                "encoder_spec": {"name": self.encoder, "args": {**self.encoder_args, "no_upsampling": True}},
                "imnet_spec": {"name": "mlp", "args": {"out_dim": 3, "hidden_list": list(self.hidden_list)}},
                "local_ensemble": self.local_ensemble,
                "feat_unfold": self.feat_unfold,
                "cell_decode": self.cell_decode,
            },
        }

    @classmethod
    def edsr_baseline(cls) -> "ModelConfig":
        """The paper's EDSR-baseline-LIIF (1.6 M parameters)."""
        return cls()

    @classmethod
    def rdn(cls) -> "ModelConfig":
        """The paper's RDN-LIIF (22 M parameters)."""
        return cls(encoder="rdn")

    @classmethod
    def tiny(cls) -> "ModelConfig":
        """A very small model for tests and quick experiments."""
        return cls(encoder_args={"n_resblocks": 2, "n_feats": 8}, hidden_list=[16, 16])

    def asdict(self) -> dict[str, Any]:
        """Plain-dict form (for configs saved in checkpoints)."""
        return asdict(self)


def build_model(config: ModelConfig | None = None) -> LIIF:
    """A randomly initialised LIIF model for ``config`` (the paper's EDSR-baseline-LIIF by default)."""
    return build_from_spec((config or ModelConfig()).to_spec())


def list_models() -> list[str]:
    """Names of the bundled models (files under ``liif/weights``)."""
    return sorted(p.stem for p in WEIGHTS_DIR.glob("*.safetensors"))


def resolve_model_path(name_or_path: str | Path | None) -> Path:
    """The file behind a bundled model name or a checkpoint path."""
    if name_or_path is None:
        name_or_path = DEFAULT_MODEL
    candidate = Path(name_or_path)
    if candidate.suffix in SUFFIXES or candidate.exists() or "/" in str(name_or_path):
        if not candidate.exists():
            raise CheckpointError(f"checkpoint not found: {candidate}")
        return candidate
    bundled = WEIGHTS_DIR / f"{name_or_path}.safetensors"
    if bundled.exists():
        return bundled
    names = list_models()
    hint = f"bundled models: {', '.join(names)}" if names else "no bundled model is installed yet"
    raise CheckpointError(f"unknown model {str(name_or_path)!r} ({hint}); pass a checkpoint path (.pth or .safetensors)")


def load_model(name_or_path: str | Path | None = None) -> LIIF:
    """Load a bundled model by name (default: the project's EDSR-baseline-LIIF) or a checkpoint file."""
    return load_checkpoint(resolve_model_path(name_or_path))
