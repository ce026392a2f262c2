"""The paper's query procedure written straightforwardly, as the official ``LIIF.query_rgb`` does it.

Kept as the test oracle and the benchmark's "official path": it unfolds features, samples them with
grid_sample for every query and ensemble member, and runs the full MLP on 580-wide inputs.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from liif.models import LIIF, make_coord


def official_query_rgb(model: LIIF, feat: torch.Tensor, coord: torch.Tensor, cell: torch.Tensor) -> torch.Tensor:
    """The official query_rgb (yinboc/liif, models/liif.py), CPU version."""
    if model.feat_unfold:
        feat = F.unfold(feat, 3, padding=1).view(feat.shape[0], feat.shape[1] * 9, feat.shape[2], feat.shape[3])
    if model.local_ensemble:
        vx_lst, vy_lst, eps_shift = [-1, 1], [-1, 1], 1e-6
    else:
        vx_lst, vy_lst, eps_shift = [0], [0], 0
    rx = 2 / feat.shape[-2] / 2
    ry = 2 / feat.shape[-1] / 2
    feat_coord = make_coord(feat.shape[-2:], flatten=False).permute(2, 0, 1).unsqueeze(0).expand(
        feat.shape[0], 2, *feat.shape[-2:])
    preds, areas = [], []
    for vx in vx_lst:
        for vy in vy_lst:
            coord_ = coord.clone()
            coord_[:, :, 0] += vx * rx + eps_shift
            coord_[:, :, 1] += vy * ry + eps_shift
            coord_.clamp_(-1 + 1e-6, 1 - 1e-6)
            q_feat = F.grid_sample(feat, coord_.flip(-1).unsqueeze(1), mode="nearest",
                                   align_corners=False)[:, :, 0, :].permute(0, 2, 1)
            q_coord = F.grid_sample(feat_coord, coord_.flip(-1).unsqueeze(1), mode="nearest",
                                    align_corners=False)[:, :, 0, :].permute(0, 2, 1)
            rel_coord = coord - q_coord
            rel_coord[:, :, 0] *= feat.shape[-2]
            rel_coord[:, :, 1] *= feat.shape[-1]
            inp = torch.cat([q_feat, rel_coord], dim=-1)
            if model.cell_decode:
                rel_cell = cell.clone()
                rel_cell[:, :, 0] *= feat.shape[-2]
                rel_cell[:, :, 1] *= feat.shape[-1]
                inp = torch.cat([inp, rel_cell], dim=-1)
            bs, q = coord.shape[:2]
            pred = model.imnet(inp.view(bs * q, -1)).view(bs, q, -1)
            preds.append(pred)
            areas.append(torch.abs(rel_coord[:, :, 0] * rel_coord[:, :, 1]) + 1e-9)
    tot_area = torch.stack(areas).sum(dim=0)
    if model.local_ensemble:
        areas[0], areas[3] = areas[3], areas[0]
        areas[1], areas[2] = areas[2], areas[1]
    ret = 0
    for pred, area in zip(preds, areas, strict=True):
        ret = ret + pred * (area / tot_area).unsqueeze(-1)
    return ret


@torch.no_grad()
def official_upscale(model: LIIF, rgb01: torch.Tensor, out_h: int, out_w: int, bsize: int = 30000) -> torch.Tensor:
    """The official demo's batched_predict: (1, 3, h, w) in [0, 1] -> (1, 3, out_h, out_w) in [0, 1]."""
    inp = (rgb01 - 0.5) / 0.5
    feat = model.gen_feat(inp)
    coord = make_coord((out_h, out_w)).unsqueeze(0)
    cell = torch.ones_like(coord)
    cell[:, :, 0] *= 2 / out_h
    cell[:, :, 1] *= 2 / out_w
    preds = []
    for ql in range(0, coord.shape[1], bsize):
        preds.append(official_query_rgb(model, feat, coord[:, ql:ql + bsize], cell[:, ql:ql + bsize]))
    pred = torch.cat(preds, dim=1)
    return (pred * 0.5 + 0.5).clamp(0, 1).view(1, out_h, out_w, 3).permute(0, 3, 1, 2)
