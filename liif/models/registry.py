"""Name -> constructor registry, keyed like the official LIIF spec dicts ({"name", "args"})."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from torch import nn

_MODELS: dict[str, Callable[..., nn.Module]] = {}


def register(name: str) -> Callable[[Callable[..., nn.Module]], Callable[..., nn.Module]]:
    """Register a model constructor under ``name`` (decorator)."""

    def decorator(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        if name in _MODELS:
            raise ValueError(f"model name {name!r} is registered twice")
        _MODELS[name] = fn
        return fn

    return decorator


def list_architectures() -> list[str]:
    """Architecture names that ``make`` accepts (not weights: ``liif.list_models`` lists those)."""
    return sorted(_MODELS)


def make(spec: dict[str, Any], args: dict[str, Any] | None = None) -> nn.Module:
    """Build a model from a spec ``{"name": str, "args": dict}``; ``args`` override the spec's."""
    if not isinstance(spec, dict) or "name" not in spec:
        raise ValueError(f"a model spec is a dict with a 'name' key, got {spec!r}")
    name = spec["name"]
    if name not in _MODELS:
        raise ValueError(f"unknown model {name!r}; known architectures: {', '.join(list_architectures())}")
    model_args = copy.deepcopy(spec.get("args") or {})
    if args:
        model_args.update(args)
    try:
        model = _MODELS[name](**model_args)
    except TypeError as exc:  # an unknown or missing argument in a hand-written spec
        raise ValueError(f"bad arguments for model {name!r}: {exc}") from exc
    # The spec that rebuilds this model, so that any model from ``make`` can be saved and reloaded.
    model.spec = {"name": name, "args": copy.deepcopy(spec.get("args") or {})}
    return model
