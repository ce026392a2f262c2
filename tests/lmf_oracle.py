"""The official LMF procedure written straightforwardly (HeZongyao/LMF, models/lmliif.py training path).

The test oracle for arbitrary (non-grid) queries and for gradients: it unfolds features, runs the
hypernet on every low-resolution pixel, and samples the latent code and the modulations with
grid_sample for every query and ensemble member.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from liif.models import LMLIIF, make_coord


def official_lmf_query_rgb(model: LMLIIF, inp: torch.Tensor, coord: torch.Tensor, cell: torch.Tensor) -> torch.Tensor:
    """The official ``forward`` in training mode (``query_rgb``), CPU version."""
    feat = model.encoder(inp)
    bs, c, h, w = feat.shape
    rich = F.unfold(feat, 3, padding=1).view(bs, c * 9, h, w) if model.feat_unfold else feat
    hyper_in = rich.permute(0, 2, 3, 1).reshape(bs, h * w, -1)
    if model.cell_decode:
        rel_cell = cell[:, :1, :].expand(bs, h * w, 2).clone()
        rel_cell[:, :, 0] *= h
        rel_cell[:, :, 1] *= w
        hyper_in = torch.cat([hyper_in, rel_cell], dim=-1)
    mod = model.hypernet(hyper_in).view(bs, h, w, -1).permute(0, 3, 1, 2)
    mod_dim = model.imnet.mod_dim
    if model.mod_input:
        feat = mod[:, mod_dim:]
    feat_coord = make_coord((h, w), flatten=False).permute(2, 0, 1).unsqueeze(0).expand(bs, 2, h, w)
    shifts, eps = ([-1, 1], 1e-6) if model.local_ensemble else ([0], 0)
    preds, areas = [], []
    for vx in shifts:
        for vy in shifts:
            coord_ = coord.clone()
            coord_[:, :, 0] += vx / h + eps
            coord_[:, :, 1] += vy / w + eps
            coord_.clamp_(-1 + 1e-6, 1 - 1e-6)
            grid = coord_.flip(-1).unsqueeze(1)
            q_coord = F.grid_sample(feat_coord, grid, mode="nearest", align_corners=False)[:, :, 0, :].permute(0, 2, 1)
            rel_coord = coord - q_coord
            rel_coord[:, :, 0] *= h
            rel_coord[:, :, 1] *= w
            x = F.grid_sample(feat, grid, mode="nearest", align_corners=False)[:, :, 0, :].permute(0, 2, 1)
            x = torch.cat([x, rel_coord], dim=-1)
            if model.cell_decode:
                rc = cell.clone()
                rc[:, :, 0] *= h
                rc[:, :, 1] *= w
                x = torch.cat([x, rc], dim=-1)
            q = coord.shape[1]
            q_mod = F.grid_sample(mod, grid, mode="nearest", align_corners=False)[:, :, 0, :].permute(0, 2, 1)
            preds.append(model.imnet(x.reshape(bs * q, -1), q_mod[..., :mod_dim].reshape(bs * q, -1)).view(bs, q, -1))
            areas.append(torch.abs(rel_coord[:, :, 0] * rel_coord[:, :, 1]) + 1e-9)
    tot = torch.stack(areas).sum(dim=0)
    if model.local_ensemble:
        areas[0], areas[3] = areas[3], areas[0]
        areas[1], areas[2] = areas[2], areas[1]
    return sum(p * (a / tot).unsqueeze(-1) for p, a in zip(preds, areas, strict=True))
