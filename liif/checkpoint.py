"""Load and save LIIF models: official checkpoints (.pth) and the project's own format (.safetensors).

Official: ``torch.load(p)["model"] == {"name": "liif", "args": {...}, "sd": state_dict}``, possibly
beside optimizer/epoch entries. Ours: a safetensors file whose metadata holds the same spec as JSON
(plus an optional model card), so weights load without unpickling anything.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .errors import CheckpointError
from .models import LIIF, LMLIIF, make

FORMAT = "liif-studio/1"
# The model families an image checkpoint may hold (official spec names).
FAMILIES = ("liif", "lmliif")
ImplicitModel = LIIF | LMLIIF
SUFFIXES = (".safetensors", ".pth", ".pt")


def model_spec(model: ImplicitModel) -> dict[str, Any]:
    """The official-style spec ``{"name", "args"}`` that rebuilds ``model``."""
    spec = getattr(model, "spec", None)
    if spec is None:
        raise CheckpointError("this model has no spec attached; build it with liif.create_model")
    return json.loads(json.dumps(spec))


def build_from_spec(spec: dict[str, Any], state_dict: dict[str, torch.Tensor] | None = None,
                    source: str = "spec") -> ImplicitModel:
    """Build a LIIF-family model from a spec, load ``state_dict`` strictly, and attach the spec."""
    if not isinstance(spec, dict) or spec.get("name") not in FAMILIES:
        name = spec.get("name") if isinstance(spec, dict) else type(spec).__name__
        raise CheckpointError(f"{source}: the model is {name!r}, not a LIIF-family model ({' or '.join(FAMILIES)})")
    try:
        model = make(spec)
    except ValueError as exc:
        raise CheckpointError(f"{source}: cannot build the model from its spec: {exc}") from exc
    if state_dict is not None:
        state_dict = {k: v.float() if v.is_floating_point() else v for k, v in state_dict.items()}
        try:
            missing, unexpected = model.load_state_dict(state_dict, strict=False)
        except RuntimeError as exc:  # shape mismatches raise even when strict=False
            detail = str(exc).splitlines()[1].strip()
            raise CheckpointError(f"{source}: weights do not match the spec ({detail})") from exc
        if missing or unexpected:
            raise CheckpointError(
                f"{source}: weights do not match the spec (missing: {missing[:5]}, unexpected: {unexpected[:5]})"
            )
    model.spec = {"name": spec["name"], "args": spec.get("args", {})}
    return model.eval()


def _check_file(path: Path) -> None:
    if not path.exists():
        raise CheckpointError(f"checkpoint not found: {path}")
    if not path.is_file():
        raise CheckpointError(f"not a file: {path}")


def load_official(path: str | Path) -> ImplicitModel:
    """Load an official LIIF or LMF checkpoint (``{"model": {"name", "args", "sd"}}``) onto the CPU."""
    path = Path(path)
    _check_file(path)
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle errors, zip errors, disallowed globals: all mean "not loadable"
        raise CheckpointError(
            f"{path}: not a readable PyTorch checkpoint ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"
        ) from exc
    if not isinstance(ckpt, dict) or not isinstance(ckpt.get("model"), dict):
        raise CheckpointError(f"{path}: not an official LIIF/LMF checkpoint (expected a dict with a 'model' entry)")
    entry = ckpt["model"]
    if "sd" not in entry or "name" not in entry:
        raise CheckpointError(f"{path}: the 'model' entry lacks 'name' or 'sd'")
    return build_from_spec({"name": entry["name"], "args": entry.get("args", {})}, entry["sd"], str(path))


def save_checkpoint(model: ImplicitModel, path: str | Path, card: dict[str, Any] | None = None, half: bool = False,
                    overwrite: bool = False) -> Path:
    """Save ``model`` as safetensors with its spec (and an optional model card) in the metadata."""
    path = Path(path)
    if path.suffix != ".safetensors":
        raise CheckpointError(f"our checkpoints end in .safetensors, got {path.name}")
    if path.exists() and not overwrite:
        raise CheckpointError(f"{path} exists; pass overwrite=True to replace it")
    tensors = {}
    for k, v in model.state_dict().items():
        v = v.detach().cpu().contiguous()
        tensors[k] = v.half() if half and v.is_floating_point() else v
    meta = {"format": FORMAT, "spec": json.dumps(model_spec(model))}
    inference = inference_settings(model)
    if inference:
        meta["inference"] = json.dumps(inference)
    if card:
        meta["card"] = json.dumps(card)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".safetensors.tmp")
    save_file(tensors, str(tmp), metadata=meta)
    tmp.replace(path)
    return path


def inference_settings(model: ImplicitModel) -> dict[str, Any]:
    """How the model wants to be queried, where it differs from its family's convention."""
    own = getattr(model, "cell_enlarge_above", None)
    return {} if own == type(model).cell_enlarge_above else {"cell_enlarge_above": own}


def read_spec(path: str | Path) -> dict[str, Any]:
    """The model spec stored in one of our checkpoints, read without loading the weights."""
    meta = _safetensors_metadata(Path(path))
    return json.loads(meta["spec"]) if "spec" in meta else {}


def read_card(path: str | Path) -> dict[str, Any]:
    """The model card stored in one of our checkpoints ({} when there is none)."""
    meta = _safetensors_metadata(Path(path))
    return json.loads(meta["card"]) if "card" in meta else {}


def _safetensors_metadata(path: Path) -> dict[str, str]:
    from safetensors import safe_open

    _check_file(path)
    try:
        with safe_open(str(path), framework="pt") as f:
            return f.metadata() or {}
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: not a readable safetensors file ({exc})") from exc


def load_ours(path: str | Path) -> ImplicitModel:
    """Load a checkpoint in the project's safetensors format."""
    path = Path(path)
    meta = _safetensors_metadata(path)
    if meta.get("format") != FORMAT or "spec" not in meta:
        raise CheckpointError(f"{path}: a safetensors file, but not a liif-studio model "
                              f"(no '{FORMAT}' spec in its metadata)")
    model = build_from_spec(json.loads(meta["spec"]), load_file(str(path)), str(path))
    # Recorded query settings (e.g. a LIIF trained here that decodes best with an enlarged cell).
    for key, value in json.loads(meta.get("inference", "{}")).items():
        if key == "cell_enlarge_above":
            model.cell_enlarge_above = None if value is None else float(value)
    return model


def load_checkpoint(path: str | Path) -> ImplicitModel:
    """Load any supported checkpoint, chosen by content: ours (.safetensors) or official (.pth)."""
    path = Path(path)
    _check_file(path)
    with path.open("rb") as f:
        head = f.read(8)
    # A safetensors file starts with a little-endian header length; torch files are zip or pickle.
    if path.suffix == ".safetensors" or (head[:2] not in (b"PK", b"\x80\x02") and len(head) == 8):
        return load_ours(path)
    return load_official(path)
