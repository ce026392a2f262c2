"""The MLP decoder f_theta of LIIF."""
from __future__ import annotations

import torch
from torch import nn

from .registry import register


@register("mlp")
class MLP(nn.Module):
    """Linear layers with ReLU between them; ``layers`` matches the official state-dict keys."""

    def __init__(self, in_dim: int, out_dim: int, hidden_list: list[int]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        last = in_dim
        for hidden in hidden_list:
            layers += [nn.Linear(last, hidden), nn.ReLU()]
            last = hidden
        layers.append(nn.Linear(last, out_dim))
        self.layers = nn.Sequential(*layers)
        self.in_dim, self.out_dim = in_dim, out_dim

    @property
    def linears(self) -> list[nn.Linear]:
        """The Linear layers in order (first, hidden..., output)."""
        return [m for m in self.layers if isinstance(m, nn.Linear)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape[:-1]
        return self.layers(x.reshape(-1, x.shape[-1])).view(*shape, -1)
