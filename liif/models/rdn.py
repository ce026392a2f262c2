"""RDN encoder (Zhang et al. 2018), laid out so official LIIF state dicts load unchanged."""
from __future__ import annotations

import torch
from torch import nn

from .registry import register

_CONFIGS = {"A": (20, 6, 32), "B": (16, 8, 64)}  # (blocks D, convs per block C, growth G)


class RDBConv(nn.Module):
    """3x3 conv + ReLU whose output is concatenated to its input (dense connection)."""

    def __init__(self, in_ch: int, growth: int, ksize: int = 3) -> None:
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(in_ch, growth, ksize, padding=(ksize - 1) // 2), nn.ReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat((x, self.conv(x)), 1)


class RDB(nn.Module):
    """Residual dense block: C dense convs, 1x1 local feature fusion, local residual."""

    def __init__(self, g0: int, growth: int, n_convs: int, ksize: int = 3) -> None:
        super().__init__()
        self.convs = nn.Sequential(*[RDBConv(g0 + c * growth, growth, ksize) for c in range(n_convs)])
        self.LFF = nn.Conv2d(g0 + n_convs * growth, g0, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.LFF(self.convs(x)) + x


class RDN(nn.Module):
    """RDN body; with ``no_upsampling`` it is the LIIF feature encoder (out_dim = G0)."""

    def __init__(
        self, G0: int = 64, RDNkSize: int = 3, RDNconfig: str = "B", scale: int = 2,
        no_upsampling: bool = False, n_colors: int = 3,
    ) -> None:
        super().__init__()
        if RDNconfig not in _CONFIGS:
            raise ValueError(f"RDNconfig must be one of {sorted(_CONFIGS)}, got {RDNconfig!r}")
        self.D, n_convs, growth = _CONFIGS[RDNconfig]
        pad = (RDNkSize - 1) // 2
        self.SFENet1 = nn.Conv2d(n_colors, G0, RDNkSize, padding=pad)
        self.SFENet2 = nn.Conv2d(G0, G0, RDNkSize, padding=pad)
        self.RDBs = nn.ModuleList([RDB(G0, growth, n_convs, RDNkSize) for _ in range(self.D)])
        self.GFF = nn.Sequential(nn.Conv2d(self.D * G0, G0, 1), nn.Conv2d(G0, G0, RDNkSize, padding=pad))
        self.no_upsampling = no_upsampling
        if no_upsampling:
            self.out_dim = G0
        else:
            self.out_dim = n_colors
            if scale in (2, 3):
                self.UPNet = nn.Sequential(
                    nn.Conv2d(G0, growth * scale * scale, RDNkSize, padding=pad), nn.PixelShuffle(scale),
                    nn.Conv2d(growth, n_colors, RDNkSize, padding=pad))
            elif scale == 4:
                self.UPNet = nn.Sequential(
                    nn.Conv2d(G0, growth * 4, RDNkSize, padding=pad), nn.PixelShuffle(2),
                    nn.Conv2d(growth, growth * 4, RDNkSize, padding=pad), nn.PixelShuffle(2),
                    nn.Conv2d(growth, n_colors, RDNkSize, padding=pad))
            else:
                raise ValueError(f"RDN upsampler supports scales 2, 3 and 4, got {scale}")
        # One radius per kxk conv on the longest path: SFENet1, SFENet2, C per RDB, GFF's last conv.
        self.receptive_radius = pad * (3 + self.D * n_convs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f1 = self.SFENet1(x)
        x = self.SFENet2(f1)
        outs = []
        for block in self.RDBs:
            x = block(x)
            outs.append(x)
        x = self.GFF(torch.cat(outs, 1)) + f1
        return x if self.no_upsampling else self.UPNet(x)


@register("rdn")
def make_rdn(
    G0: int = 64, RDNkSize: int = 3, RDNconfig: str = "B", scale: int = 2, no_upsampling: bool = False
) -> RDN:
    """RDN with the official defaults (config B, G0 = 64)."""
    return RDN(G0, RDNkSize, RDNconfig, scale, no_upsampling)
