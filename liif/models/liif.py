"""LIIF: a local implicit image function over encoder features (Chen et al., CVPR 2021).

Numerically this is the official ``query_rgb``; the arithmetic is rearranged for speed. The first
decoder layer is linear in the (unfolded) feature vector, so its feature part is a 3x3 convolution
(1x1 without ``feat_unfold``) computed once per low-resolution pixel instead of once per query and
ensemble member: each query then gathers one precomputed row and adds its coordinate and cell
terms. This removes ~40% of the decoder's multiply-adds and all the large unfolded tensors.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .mlp import MLP
from .registry import make, register

_ENSEMBLE_EPS = 1e-6  # the official eps_shift: breaks ties between neighbouring features
AREA_EPS = 1e-9
_CLAMP = 1 - 1e-6


def make_coord(shape: tuple[int, ...], ranges: Any = None, flatten: bool = True) -> torch.Tensor:
    """Pixel-centre coordinates of a grid in [-1, 1] ([y, x] order), exactly as the official code."""
    seqs = []
    for i, n in enumerate(shape):
        v0, v1 = (-1, 1) if ranges is None else ranges[i]
        r = (v1 - v0) / (2 * n)
        seqs.append(v0 + r + (2 * r) * torch.arange(n).float())
    ret = torch.stack(torch.meshgrid(*seqs, indexing="ij"), dim=-1)
    return ret.view(-1, ret.shape[-1]) if flatten else ret


def axis_centres(n: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """The 1-D pixel-centre coordinates of an axis of ``n`` pixels (make_coord along one axis)."""
    r = 2 / (2 * n)
    return -1 + r + (2 * r) * torch.arange(n, device=device).float()


def nearest_index(c: torch.Tensor, n: int) -> torch.Tensor:
    """Index of the pixel whose cell holds coordinate ``c``, as grid_sample(mode='nearest') picks it."""
    # Same unnormalisation as grid_sample with align_corners=False, then round-half-to-even.
    pos = ((c + 1) * n - 1) / 2
    return torch.round(pos).clamp_(0, n - 1).long()


def axis_neighbours(c: torch.Tensor, n: int, local_ensemble: bool = True) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(pixel index, offset in pixels) of each local-ensemble neighbour of coordinates ``c`` on an n-pixel axis.

    The ensemble's geometry is separable: rows and columns are found independently, which lets
    the engine compute it once per output row and column instead of once per query.
    """
    shifts, eps = ([-1, 1], _ENSEMBLE_EPS) if local_ensemble else ([0], 0.0)
    centres = axis_centres(n, c.device)
    out = []
    for v in shifts:
        i = nearest_index((c + (v / n + eps)).clamp_(-_CLAMP, _CLAMP), n)
        out.append((i, (c - centres[i]) * n))
    return out


# (flat first-layer rows, gather index, per-query first-layer inputs, their weights) -> prediction
DecoderTail = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class FirstLayer:
    """The first decoder layer split into its per-pixel (feature) part and per-query part."""

    feat_map: torch.Tensor  # (B, h, w, hidden): W_feat * feature neighbourhood + bias
    w_query: torch.Tensor  # (hidden, 2 or 4): weights of rel_coord (and rel_cell)


def decode_local_ensemble(
    first: FirstLayer, coord: torch.Tensor, cell: torch.Tensor | None, region: tuple[int, int, int, int] | None,
    tail: DecoderTail, local_ensemble: bool = True, cell_decode: bool = True,
) -> torch.Tensor:
    """The local ensemble of the official ``query_rgb``: up to 4 neighbours, area-weighted.

    Shared by every model of the LIIF family: ``first`` holds one table row per low-resolution
    pixel and ``tail`` turns gathered rows plus per-query inputs (relative coordinate and cell)
    into RGB. ``region`` is as in ``LIIF.decode``.
    """
    fmap = first.feat_map
    bsz, th, tw, hidden = fmap.shape
    y0, x0, h, w = region if region is not None else (0, 0, th, tw)
    q = coord.shape[1]
    flat = fmap.reshape(bsz * th * tw, hidden)
    base = (torch.arange(bsz, device=coord.device) * (th * tw) - y0 * tw - x0).view(bsz, 1)
    rel_cell = None
    if cell_decode:
        if cell is None:
            raise ValueError("this model decodes the cell size: pass cell")
        rel_cell = cell * torch.tensor([h, w], dtype=cell.dtype, device=cell.device)
    preds, areas = [], []
    cols = axis_neighbours(coord[..., 1], w, local_ensemble)
    for iy, rel_y in axis_neighbours(coord[..., 0], h, local_ensemble):
        for ix, rel_x in cols:
            rel = torch.stack([rel_y, rel_x], dim=-1)
            query_in = rel if rel_cell is None else torch.cat([rel, rel_cell], dim=-1)
            idx = (base + iy * tw + ix).reshape(-1)
            pred = tail(flat, idx, query_in.reshape(-1, query_in.shape[-1]), first.w_query)
            preds.append(pred.view(bsz, q, -1))
            areas.append((rel_y * rel_x).abs_() + AREA_EPS)
    if not local_ensemble:
        return preds[0]
    total = areas[0] + areas[1] + areas[2] + areas[3]
    # Each prediction is weighted by the area of the diagonally opposite sub-rectangle.
    ret = preds[0] * (areas[3] / total).unsqueeze(-1)
    for pred, area in zip(preds[1:], (areas[2], areas[1], areas[0]), strict=True):
        ret = ret + pred * (area / total).unsqueeze(-1)
    return ret


class LIIF(nn.Module):
    """Encoder + MLP decoder queried at continuous coordinates."""

    family = "LIIF"  # how the CLI and the demo name the model's family

    def __init__(
        self,
        encoder_spec: dict[str, Any],
        imnet_spec: dict[str, Any] | None = None,
        local_ensemble: bool = True,
        feat_unfold: bool = True,
        cell_decode: bool = True,
    ) -> None:
        super().__init__()
        self.local_ensemble = local_ensemble
        self.feat_unfold = feat_unfold
        self.cell_decode = cell_decode
        self.encoder = make(encoder_spec)
        if imnet_spec is None:
            raise ValueError("LIIF without an imnet (plain feature sampling) is not supported")
        in_dim = self.encoder.out_dim * (9 if feat_unfold else 1) + 2 + (2 if cell_decode else 0)
        self.imnet = make(imnet_spec, args={"in_dim": in_dim})
        if not isinstance(self.imnet, MLP):
            raise ValueError("the LIIF decoder must be an 'mlp'")

    # Official LIIF checkpoints decode the cell as given at every scale (the LIIF paper's protocol).
    cell_enlarge_above: float | None = None

    @property
    def receptive_radius(self) -> int:
        """Input pixels on each side that influence one feature of the first decoder layer."""
        return self.encoder.receptive_radius + (1 if self.feat_unfold else 0)

    def gen_feat(self, inp: torch.Tensor) -> torch.Tensor:
        """Encode a normalised image batch (B, 3, h, w) into features (B, C, h, w)."""
        return self.encoder(inp)

    def first_layer(self, feat: torch.Tensor) -> FirstLayer:
        """Precompute the first decoder layer's feature term for every low-resolution pixel."""
        lin = self.imnet.linears[0]
        c = feat.shape[1]
        k = 3 if self.feat_unfold else 1
        n_feat_in = c * k * k
        # F.unfold orders the patch as (channel, ky, kx): exactly a conv weight's layout.
        weight = lin.weight[:, :n_feat_in].reshape(lin.out_features, c, k, k)
        fmap = F.conv2d(feat, weight, lin.bias, padding=k // 2)
        return FirstLayer(fmap.permute(0, 2, 3, 1).contiguous(), lin.weight[:, n_feat_in:])

    def decode(
        self, first: FirstLayer, coord: torch.Tensor, cell: torch.Tensor | None,
        region: tuple[int, int, int, int] | None = None, tail: DecoderTail | None = None,
    ) -> torch.Tensor:
        """RGB (normalised, unclamped) at ``coord`` (B, Q, 2) in [-1, 1] with pixel size ``cell``.

        ``region = (y0, x0, h, w)`` says that ``first`` covers only rows/columns starting at
        (y0, x0) of an h x w feature grid (a tile): coordinates stay global, gathers are local.
        ``tail`` evaluates the MLP from the gathered first-layer rows (default: autograd-friendly).
        """
        return decode_local_ensemble(first, coord, cell, region, tail or self.autograd_tail,
                                     self.local_ensemble, self.cell_decode)

    def autograd_tail(self, flat: torch.Tensor, idx: torch.Tensor, query_in: torch.Tensor,
                      w_query: torch.Tensor) -> torch.Tensor:
        """First layer completed from gathered rows + query terms, then ReLU and the other layers."""
        x = torch.relu(torch.addmm(flat.index_select(0, idx), query_in, w_query.t()))
        linears = self.imnet.linears
        for lin in linears[1:-1]:
            x = torch.relu(F.linear(x, lin.weight, lin.bias))
        return F.linear(x, linears[-1].weight, linears[-1].bias)

    def query_rgb(self, feat: torch.Tensor, coord: torch.Tensor, cell: torch.Tensor | None = None) -> torch.Tensor:
        """Decode RGB at ``coord`` from encoder features ``feat`` (the official query_rgb)."""
        return self.decode(self.first_layer(feat), coord, cell)

    def forward(self, inp: torch.Tensor, coord: torch.Tensor, cell: torch.Tensor | None = None) -> torch.Tensor:
        """Encode ``inp`` and decode RGB at ``coord``."""
        return self.query_rgb(self.gen_feat(inp), coord, cell)


@register("liif")
def make_liif(**kwargs: Any) -> LIIF:
    """LIIF from the official argument names."""
    return LIIF(**kwargs)
