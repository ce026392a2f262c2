"""Model configurations and the bundled models, loadable by name."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .checkpoint import SUFFIXES, build_from_spec, load_checkpoint, model_spec, read_spec
from .errors import CheckpointError
from .models import LIIF, LMLIIF

WEIGHTS_DIR = Path(__file__).parent / "weights"
# LM-LIIF beats the bundled LIIF at every benchmark scale, several times faster on a CPU (its card: weights/*.md).
DEFAULT_MODEL = "edsr-baseline-lmliif"


@dataclass
class ModelConfig:
    """A LIIF-family architecture: the encoder, the decoder and the three official switches.

    ``family`` "liif" decodes with an MLP of widths ``hidden_list`` at every output pixel; "lmliif"
    (LMF) runs a hypernet of widths ``hypernet_hidden`` per input pixel and a small modulated render
    MLP (``render_hidden`` wide, ``render_depth`` hidden layers) per output pixel.
    """

    encoder: str = "edsr-baseline"
    encoder_args: dict[str, Any] = field(default_factory=dict)
    hidden_list: list[int] = field(default_factory=lambda: [256, 256, 256, 256])
    local_ensemble: bool = True
    feat_unfold: bool = True
    cell_decode: bool = True
    family: str = "liif"  # liif | lmliif
    render_hidden: int = 16
    render_depth: int = 6
    hypernet_hidden: list[int] = field(default_factory=lambda: [208])
    mod_input: bool = True

    def to_spec(self) -> dict[str, Any]:
        """The official-style spec dict."""
        common = {
            "encoder_spec": {"name": self.encoder, "args": {**self.encoder_args, "no_upsampling": True}},
            "local_ensemble": self.local_ensemble,
            "feat_unfold": self.feat_unfold,
            "cell_decode": self.cell_decode,
        }
        if self.family == "liif":
            imnet = {"name": "mlp", "args": {"out_dim": 3, "hidden_list": list(self.hidden_list)}}
            return {"name": "liif", "args": {**common, "imnet_spec": imnet}}
        if self.family == "lmliif":
            render = {"name": "lmmlp", "args": {"out_dim": 3, "hidden_dim": self.render_hidden,
                                                "hidden_depth": self.render_depth,
                                                "mod_scale": True, "mod_shift": True}}
            out_dim = self.render_hidden * (2 * self.render_depth + (1 if self.mod_input else 0))  # 208 in the paper
            hyper = {"name": "mlp", "args": {"out_dim": out_dim, "hidden_list": list(self.hypernet_hidden)}}
            return {"name": "lmliif", "args": {**common, "imnet_spec": render, "hypernet_spec": hyper,
                                               "mod_input": self.mod_input}}
        raise ValueError(f"unknown model family {self.family!r}: use 'liif' or 'lmliif'")

    @classmethod
    def edsr_baseline(cls) -> ModelConfig:
        """The paper's EDSR-baseline-LIIF (1.6 M parameters)."""
        return cls()

    @classmethod
    def rdn(cls) -> ModelConfig:
        """The paper's RDN-LIIF (22 M parameters)."""
        return cls(encoder="rdn")

    @classmethod
    def edsr_baseline_lmliif(cls) -> ModelConfig:
        """The LMF paper's EDSR-baseline-LM-LIIF (render MLP 16 x 6, hypernet [208])."""
        return cls(family="lmliif")

    @classmethod
    def tiny(cls) -> ModelConfig:
        """A very small model for tests and quick experiments."""
        return cls(encoder_args={"n_resblocks": 2, "n_feats": 8}, hidden_list=[16, 16])

    def asdict(self) -> dict[str, Any]:
        """Plain-dict form (for configs saved in checkpoints)."""
        return asdict(self)


def create_model(model: str | Path | ModelConfig | None = None, pretrained: bool = True) -> LIIF | LMLIIF:
    """The one model factory: a bundled model by name, a checkpoint by path, or a ``ModelConfig``.

    As ``timm.create_model``: ``pretrained=True`` loads the weights (bundled or the checkpoint's own);
    ``pretrained=False`` builds the same architecture randomly initialised. ``None`` is ``DEFAULT_MODEL``;
    a ``ModelConfig`` has no weights, so it is always built fresh.
    """
    if isinstance(model, ModelConfig):
        return build_from_spec(model.to_spec())
    path = resolve_model_path(model)
    if pretrained:
        return load_checkpoint(path)
    return build_from_spec(read_spec(path) if path.suffix == ".safetensors" else model_spec(load_checkpoint(path)),
                           source=str(path))


def list_models() -> list[str]:
    """Names of the bundled models that ``create_model`` loads (files under ``liif/weights``)."""
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
    raise CheckpointError(f"unknown model {str(name_or_path)!r} ({hint}); "
                          "pass a checkpoint path (.pth or .safetensors)")


def load_model(name_or_path: str | Path | None = None) -> LIIF | LMLIIF:
    """Load a bundled model by name (default: ``DEFAULT_MODEL``) or a checkpoint file."""
    return load_checkpoint(resolve_model_path(name_or_path))
