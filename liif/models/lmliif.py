"""LM-LIIF: LIIF with a Latent Modulated Function decoder (He and Jin, LMF, CVPR 2024).

The heavy MLP runs once per *low-resolution* pixel: a hypernet turns the 3x3-unfolded feature
(plus the relative cell) into a latent code and per-layer scale/shift modulations. A tiny render
MLP (``lmmlp``: 16 wide, 6 hidden layers in the paper) runs per output pixel on the latent code,
the relative coordinate and cell, each hidden layer's linear output multiplied by ``1 + scale``
and shifted by ``shift`` before its ReLU. Numerically this is the official ``query_rgb``.

As in ``LIIF``, everything that depends only on the low-resolution pixel is computed once per
pixel and stored as one *table* row: the render MLP's first layer on the latent code (plus its
bias and cell term), then the scales, then the shifts. A query gathers its pixel's row, adds its
coordinate term and runs the small layers (``autograd_tail``; the engine has a fused kernel).
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .liif import DecoderTail, FirstLayer, decode_local_ensemble
from .mlp import MLP
from .registry import make, register

# The official demo enlarges the cell beyond the training range: cell * max(scale / 4, 1).
TRAINING_MAX_SCALE = 4.0


@register("lmmlp")
class LMMLP(nn.Module):
    """The render MLP: ``hidden_depth`` modulated Linear+ReLU layers, then an output Linear."""

    def __init__(self, in_dim: int, out_dim: int, hidden_dim: int, hidden_depth: int, mod_scale: bool = True,
                 mod_shift: bool = True, mod_up_merge: bool = False, use_conv: bool = False) -> None:
        super().__init__()
        if use_conv:
            raise ValueError("lmmlp with use_conv=True (1x1-conv layers) is not supported; use the Linear form")
        # mod_up_merge only changes how the official code upsamples modulations on GPUs: same numbers.
        layers: list[nn.Module] = []
        last = in_dim
        for _ in range(hidden_depth):
            layers += [nn.Linear(last, hidden_dim), nn.ReLU()]
            last = hidden_dim
        layers.append(nn.Linear(last, out_dim))
        self.layers = nn.Sequential(*layers)
        self.in_dim, self.out_dim = in_dim, out_dim
        self.hidden_dim, self.hidden_depth = hidden_dim, hidden_depth
        self.mod_scale, self.mod_shift = mod_scale, mod_shift

    @property
    def linears(self) -> list[nn.Linear]:
        """The Linear layers in order (first, hidden..., output)."""
        return [m for m in self.layers if isinstance(m, nn.Linear)]

    @property
    def mod_dim(self) -> int:
        """Modulation channels the hypernet provides: scales then shifts, ``hidden_dim`` per layer."""
        return self.hidden_dim * self.hidden_depth * (int(self.mod_scale) + int(self.mod_shift))

    def split_mods(self, mods: torch.Tensor) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """(scales, shifts), each (..., depth, hidden) or None, from (..., mod_dim) modulations."""
        n = self.hidden_dim * self.hidden_depth
        shape = (*mods.shape[:-1], self.hidden_depth, self.hidden_dim)
        scales = mods[..., :n].reshape(shape) if self.mod_scale else None
        off = n if self.mod_scale else 0
        shifts = mods[..., off:off + n].reshape(shape) if self.mod_shift else None
        return scales, shifts

    def forward(self, x: torch.Tensor, mod: torch.Tensor) -> torch.Tensor:
        """Render ``x`` (N, in_dim) with per-row modulations ``mod`` (N, mod_dim)."""
        return self.render_from_first(self.linears[0](x), *self.split_mods(mod))

    def render_from_first(self, pre: torch.Tensor, scales: torch.Tensor | None,
                          shifts: torch.Tensor | None) -> torch.Tensor:
        """The rest of the MLP from the first layer's linear output ``pre`` (N, hidden_dim).

        Each hidden layer's linear output is multiplied by ``1 + scale`` and shifted, then ReLU.
        """
        linears = self.linears
        x = pre
        for i in range(self.hidden_depth):
            if i:
                x = linears[i](x)
            if scales is not None:
                x = x * (scales[:, i] + 1.0)
            if shifts is not None:
                x = x + shifts[:, i]
            x = torch.relu(x)
        return linears[-1](x)


class LMLIIF(nn.Module):
    """Encoder + hypernet (per low-resolution pixel) + modulated render MLP (per query)."""

    family = "LM-LIIF"  # how the CLI and the demo name the model's family (LMF's decoder on LIIF)

    # The engine enlarges the cell beyond this scale, as the official LMF demo does.
    cell_enlarge_above: float | None = TRAINING_MAX_SCALE
    # Inference builds the table in bands of about this many low-resolution pixels: the hypernet's
    # 200-channel activations for a whole tile would otherwise outweigh the table itself.
    table_band_pixels: int = 4096

    def __init__(
        self,
        encoder_spec: dict[str, Any],
        imnet_spec: dict[str, Any] | None = None,
        hypernet_spec: dict[str, Any] | None = None,
        local_ensemble: bool = True,
        feat_unfold: bool = True,
        cell_decode: bool = True,
        mod_input: bool = False,
        cmsr_spec: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if imnet_spec is None or hypernet_spec is None:
            raise ValueError("LM-LIIF needs both a render MLP (imnet_spec) and a hypernet (hypernet_spec)")
        if cmsr_spec is not None:
            raise ValueError("CMSR (the official approximate multi-scale rendering) is not supported")
        self.local_ensemble, self.feat_unfold = local_ensemble, feat_unfold
        self.cell_decode, self.mod_input = cell_decode, mod_input
        self.encoder = make(encoder_spec)
        render_args = imnet_spec.get("args", {})
        if "hidden_dim" not in render_args or "hidden_depth" not in render_args:
            raise ValueError("the render MLP's spec needs hidden_dim and hidden_depth")
        hidden = int(render_args["hidden_dim"])
        mod_dim = hidden * int(render_args["hidden_depth"]) * (
            int(render_args.get("mod_scale", True)) + int(render_args.get("mod_shift", True)))
        c = self.encoder.out_dim
        hyper_in = c * (9 if feat_unfold else 1) + (2 if cell_decode else 0)
        hyper_out = mod_dim + (hidden if mod_input else 0)
        self.hypernet = make(hypernet_spec, args={"in_dim": hyper_in, "out_dim": hyper_out})
        if not isinstance(self.hypernet, MLP):
            raise ValueError("the LM-LIIF hypernet must be an 'mlp'")
        render_in = (hidden if mod_input else c) + 2 + (2 if cell_decode else 0)
        self.imnet = make(imnet_spec, args={"in_dim": render_in, "mod_up_merge": False})
        if not isinstance(self.imnet, LMMLP):
            raise ValueError("the LM-LIIF render MLP must be an 'lmmlp'")

    @property
    def receptive_radius(self) -> int:
        """Input pixels on each side that influence one low-resolution table row."""
        return self.encoder.receptive_radius + (1 if self.feat_unfold else 0)

    def gen_feat(self, inp: torch.Tensor) -> torch.Tensor:
        """Encode a normalised image batch (B, 3, h, w) into features (B, C, h, w)."""
        return self.encoder(inp)

    def modulations(self, feat: torch.Tensor, rel_cell: torch.Tensor | None,
                    rows: tuple[int, int] | None = None) -> torch.Tensor:
        """Hypernet output (B, h, w, mod_dim [+ latent]) for every low-resolution pixel (of ``rows`` only, if given).

        ``rel_cell`` (B, 2) is the query cell times the *whole* feature grid's (h, w) (tiles
        pass the global grid's). The hypernet's first layer on the unfolded feature is a 3x3
        convolution, so no unfolded tensor is ever built; a band of rows reads one more row each side.
        """
        first, rest = self.hypernet.linears[0], self.hypernet.linears[1:]
        c, k = feat.shape[1], 3 if self.feat_unfold else 1
        r0, r1 = rows or (0, feat.shape[-2])
        a, b = max(0, r0 - k // 2), min(feat.shape[-2], r1 + k // 2)
        n_feat = c * k * k
        weight = first.weight[:, :n_feat].reshape(first.out_features, c, k, k)  # F.unfold's (c, ky, kx) order
        x = F.conv2d(feat[:, :, a:b], weight.to(feat.dtype), first.bias.to(feat.dtype), padding=k // 2)
        x = x[:, :, r0 - a:r1 - a].permute(0, 2, 3, 1)
        inplace = not torch.is_grad_enabled()  # without autograd, transients need not be kept
        if self.cell_decode:
            if rel_cell is None:
                raise ValueError("this model decodes the cell size: pass cell")
            term = (rel_cell.to(x.dtype) @ first.weight[:, n_feat:].t().to(x.dtype))[:, None, None, :]
            x = x.add_(term) if inplace else x + term
        for lin in rest:
            x = F.linear(torch.relu_(x) if inplace else torch.relu(x), lin.weight.to(x.dtype), lin.bias.to(x.dtype))
        return x

    def first_layer(self, feat: torch.Tensor, rel_cell: torch.Tensor | None = None) -> FirstLayer:
        """Per-pixel table rows [render layer-1 term | scales | shifts] and the query weights."""
        h, w = feat.shape[-2:]
        band = max(1, self.table_band_pixels // w)
        if torch.is_grad_enabled() or band >= h:
            return self._table(feat, rel_cell, (0, h))
        bands = [(r, min(h, r + band)) for r in range(0, h, band)]
        head = self._table(feat, rel_cell, bands[0])
        table = head.feat_map.new_empty((feat.shape[0], h, w, head.feat_map.shape[-1]))
        table[:, :band] = head.feat_map
        for r0, r1 in bands[1:]:
            table[:, r0:r1] = self._table(feat, rel_cell, (r0, r1)).feat_map
        return FirstLayer(table, head.w_query)

    def _table(self, feat: torch.Tensor, rel_cell: torch.Tensor | None, rows: tuple[int, int]) -> FirstLayer:
        """``first_layer`` of feature rows ``rows``."""
        mods = self.modulations(feat, rel_cell, rows).float()  # bf16 under autocast: per-LR-pixel work
        with torch.autocast(mods.device.type, enabled=False):  # the table itself stays float32
            render = self.imnet
            lin0 = render.linears[0]
            mod_dim = render.mod_dim
            latent = mods[..., mod_dim:] if self.mod_input else feat[:, :, rows[0]:rows[1]].float().permute(0, 2, 3, 1)
            n_lat = latent.shape[-1]
            w_lat, w_query = lin0.weight[:, :n_lat], lin0.weight[:, n_lat:]
            base = F.linear(latent, w_lat, lin0.bias)
            if self.cell_decode:  # the render MLP's cell term is the same for every query of an image
                base = base + (rel_cell.float() @ w_query[:, 2:].t())[:, None, None, :]
                w_query = w_query[:, :2]
            return FirstLayer(torch.cat([base, mods[..., :mod_dim]], dim=-1).contiguous(), w_query)

    def decode(self, first: FirstLayer, coord: torch.Tensor, cell: torch.Tensor | None = None,
               region: tuple[int, int, int, int] | None = None, tail: DecoderTail | None = None) -> torch.Tensor:
        """RGB (normalised, unclamped) at ``coord`` (B, Q, 2) from a table made by ``first_layer``.

        As ``LIIF.decode``, but ``cell`` is unused: the table already holds the image's cell term,
        so queries carry only their relative coordinate.
        """
        return decode_local_ensemble(first, coord, None, region, tail or self.autograd_tail,
                                     self.local_ensemble, cell_decode=False)

    def autograd_tail(self, flat: torch.Tensor, idx: torch.Tensor, query_in: torch.Tensor,
                      w_query: torch.Tensor) -> torch.Tensor:
        """The render MLP from gathered table rows and the relative coordinates ``query_in``."""
        render = self.imnet
        rows = flat.index_select(0, idx)
        hidden = render.hidden_dim
        pre = torch.addmm(rows[:, :hidden], query_in, w_query.t())
        return render.render_from_first(pre, *render.split_mods(rows[:, hidden:]))

    def rel_cell(self, cell: torch.Tensor | None, hw: tuple[int, int]) -> torch.Tensor | None:
        """The per-image cell (B, 2) in units of the (h, w) feature grid (the official uses the first query's)."""
        if not self.cell_decode:
            return None
        if cell is None:
            raise ValueError("this model decodes the cell size: pass cell")
        return cell[:, 0, :] * torch.tensor(hw, dtype=cell.dtype, device=cell.device)

    def query_rgb(self, feat: torch.Tensor, coord: torch.Tensor, cell: torch.Tensor | None = None) -> torch.Tensor:
        """Decode RGB at ``coord`` from encoder features ``feat``."""
        first = self.first_layer(feat, self.rel_cell(cell, feat.shape[-2:]))
        return self.decode(first, coord)

    def forward(self, inp: torch.Tensor, coord: torch.Tensor, cell: torch.Tensor | None = None) -> torch.Tensor:
        """Encode ``inp`` and decode RGB at ``coord`` (the official ``forward`` without CMSR)."""
        return self.query_rgb(self.gen_feat(inp), coord, cell)


@register("lmliif")
def make_lmliif(**kwargs: Any) -> LMLIIF:
    """LM-LIIF from the official argument names."""
    return LMLIIF(**kwargs)
