"""EDSR encoder (Lim et al. 2017), laid out so official LIIF state dicts load unchanged."""
from __future__ import annotations

import torch
from torch import nn

from .registry import register


def _conv(in_ch: int, out_ch: int, kernel_size: int = 3) -> nn.Conv2d:
    return nn.Conv2d(in_ch, out_ch, kernel_size, padding=kernel_size // 2, bias=True)


class MeanShift(nn.Conv2d):
    """Fixed 1x1 conv kept only because official checkpoints carry its weights (unused in forward)."""

    def __init__(self, rgb_range: float = 1.0, sign: int = -1) -> None:
        super().__init__(3, 3, kernel_size=1)
        mean = torch.tensor((0.4488, 0.4371, 0.4040))
        self.weight.data = torch.eye(3).view(3, 3, 1, 1)
        self.bias.data = sign * rgb_range * mean
        for p in self.parameters():
            p.requires_grad = False


class ResBlock(nn.Module):
    """conv-ReLU-conv with a scaled identity skip."""

    def __init__(self, n_feats: int, res_scale: float = 1.0) -> None:
        super().__init__()
        self.body = nn.Sequential(_conv(n_feats, n_feats), nn.ReLU(inplace=True), _conv(n_feats, n_feats))
        self.res_scale = res_scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # In place: the body ends in a conv, whose output autograd does not keep, and a fresh
        # tensor per block would raise the encoder's peak memory by a feature map.
        res = self.body(x)
        if self.res_scale != 1:
            res.mul_(self.res_scale)
        return res.add_(x)


class Upsampler(nn.Sequential):
    """Sub-pixel upsampler (only for EDSR used as a plain SR network)."""

    def __init__(self, scale: int, n_feats: int) -> None:
        layers: list[nn.Module] = []
        if scale & (scale - 1) == 0:
            for _ in range(scale.bit_length() - 1):
                layers += [_conv(n_feats, 4 * n_feats), nn.PixelShuffle(2)]
        elif scale == 3:
            layers += [_conv(n_feats, 9 * n_feats), nn.PixelShuffle(3)]
        else:
            raise ValueError(f"EDSR upsampler supports scales 2^n and 3, got {scale}")
        super().__init__(*layers)


class EDSR(nn.Module):
    """EDSR body; with ``no_upsampling`` it is the LIIF feature encoder (out_dim = n_feats)."""

    def __init__(
        self,
        n_resblocks: int = 16,
        n_feats: int = 64,
        res_scale: float = 1.0,
        scale: int = 2,
        no_upsampling: bool = False,
        rgb_range: float = 1.0,
        n_colors: int = 3,
    ) -> None:
        super().__init__()
        self.sub_mean = MeanShift(rgb_range)
        self.add_mean = MeanShift(rgb_range, sign=1)
        self.head = nn.Sequential(_conv(n_colors, n_feats))
        self.body = nn.Sequential(
            *[ResBlock(n_feats, res_scale) for _ in range(n_resblocks)], _conv(n_feats, n_feats)
        )
        self.no_upsampling = no_upsampling
        if no_upsampling:
            self.out_dim = n_feats
        else:
            self.out_dim = n_colors
            self.tail = nn.Sequential(Upsampler(scale, n_feats), _conv(n_feats, n_colors))
        # Receptive-field radius in input pixels: one per 3x3 conv (head, 2 per block, body tail).
        self.receptive_radius = 2 + 2 * n_resblocks

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.head(x)
        res = self.body(x).add_(x)  # in place, as in ResBlock
        return res if self.no_upsampling else self.tail(res)


@register("edsr-baseline")
def make_edsr_baseline(
    n_resblocks: int = 16, n_feats: int = 64, res_scale: float = 1.0, scale: int = 2,
    no_upsampling: bool = False, rgb_range: float = 1.0,
) -> EDSR:
    """EDSR-baseline (16 blocks, 64 features), the paper's default LIIF encoder."""
    return EDSR(n_resblocks, n_feats, res_scale, scale, no_upsampling, rgb_range)


@register("edsr")
def make_edsr(
    n_resblocks: int = 32, n_feats: int = 256, res_scale: float = 0.1, scale: int = 2,
    no_upsampling: bool = False, rgb_range: float = 1.0,
) -> EDSR:
    """Full EDSR (32 blocks, 256 features, residual scaling 0.1)."""
    return EDSR(n_resblocks, n_feats, res_scale, scale, no_upsampling, rgb_range)
