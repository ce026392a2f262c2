"""CLIP cue mechanics with a tiny randomly initialised open_clip model.

Random weights give meaningless numbers, so these tests check mechanics only: shapes,
softmax pairs, the emotion distribution, text-feature caching, local checkpoints and
the unavailable path (which must never fall back to random weights).
"""

from __future__ import annotations

import json
import socket

import numpy as np
import pytest
import torch
from conftest import eval_triplet

import iqa
from iqa import weights as paths
from iqa.backends.open_clip import ClipCues, crop_boxes, js_divergence
from iqa.cues.clip_prompts import CLARITY_PAIRS, EMOTIONS, TONE_PAIRS

open_clip = pytest.importorskip("open_clip")

FAMILIES = ["clip_clarity", "clip_tone", "clip_emotion", "semantic_retention"]
TINY_CFG = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 64, "layers": 1, "width": 32, "head_width": 16, "patch_size": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}


def tiny_model(seed: int = 0):
    from open_clip.model import CLIPTextCfg, CLIPVisionCfg

    torch.manual_seed(seed)
    return open_clip.CLIP(
        embed_dim=TINY_CFG["embed_dim"],
        vision_cfg=CLIPVisionCfg(**TINY_CFG["vision_cfg"]),
        text_cfg=CLIPTextCfg(**TINY_CFG["text_cfg"]),
    ).eval()


def tiny_cues(model=None) -> ClipCues:
    return ClipCues.from_model(
        model or tiny_model(), open_clip.image_transform(64, is_train=False),
        open_clip.get_tokenizer("ViT-B-32"), name="tiny-random",
    )


@pytest.fixture(scope="module")
def images():
    return eval_triplet("bird", 3)


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_prompt_lists():
    assert [p.positive for p in CLARITY_PAIRS] == ["sharp", "clear", "detailed", "clean"]
    assert [p.negative for p in CLARITY_PAIRS] == ["blurry", "unclear", "smooth", "noisy"]
    assert [p.positive for p in TONE_PAIRS] == ["bright", "colourful", "high contrast", "natural"]
    assert EMOTIONS == ("amusement", "awe", "contentment", "excitement",
                        "anger", "disgust", "fear", "sadness")


def test_shapes_and_softmax_pairs(images):
    hr, lr, bic = images
    cues = tiny_cues()
    feats = cues.encode_images([lr, bic, hr])
    assert tuple(feats.shape) == (3, 32)
    assert torch.allclose(feats.norm(dim=-1), torch.ones(3), atol=1e-5)
    text = cues.text_features()
    assert tuple(text["clip_clarity"].shape) == (4, 2, 32)
    assert tuple(text["clip_emotion"].shape) == (8, 32)
    probs = cues.pair_probabilities(feats, "clip_clarity")
    assert probs.shape == (3, 4) and np.all((probs > 0) & (probs < 1))
    # P(positive) is the softmax of the two prompt similarities: recompute it by hand,
    # and P(negative) = 1 - P(positive)
    scale = cues.logit_scale()
    sims = torch.einsum("nd,pkd->npk", feats, text["clip_clarity"]).numpy()
    expected = 1.0 / (1.0 + np.exp(-scale * (sims[..., 0] - sims[..., 1])))
    np.testing.assert_allclose(probs, expected, rtol=1e-5)
    p_neg = np.exp(scale * sims[..., 1]) / np.exp(scale * sims).sum(-1)
    np.testing.assert_allclose(probs + p_neg, 1.0, rtol=1e-6)


def test_emotion_distribution_sums_to_one(images):
    hr, lr, bic = images
    cues = tiny_cues()
    dist = cues.emotion_distribution(cues.encode_images([lr, bic, hr]))
    assert dist.shape == (3, 8) and np.all(dist > 0)
    np.testing.assert_allclose(dist.sum(axis=1), 1.0, rtol=1e-6)
    result = cues.cues(lr, bic, hr)  # retention: 1 - JS divergence (bits) between the input's and the output's
    assert result.emotion_retention_output == pytest.approx(1 - js_divergence(dist[0], dist[2]), abs=1e-6)


def test_js_divergence():
    assert js_divergence([0.5, 0.5], [0.5, 0.5]) == pytest.approx(0.0)
    assert js_divergence([1.0, 0.0], [0.0, 1.0]) == pytest.approx(1.0)


def test_text_features_are_computed_once(images):
    hr, lr, _ = images
    model = tiny_model()
    calls = []
    original = model.encode_text

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    model.encode_text = counting
    cues = tiny_cues(model)
    first = iqa.assess(hr, lr, metrics=FAMILIES, clip=cues)
    second = iqa.assess(hr, lr, metrics=FAMILIES, clip=cues)
    assert len(calls) == 1
    assert [r.value for r in first.rows] == [r.value for r in second.rows]


def test_report_rows_for_clip_families(images):
    hr, lr, bic = images
    report = iqa.assess(hr, lr, metrics=FAMILIES, clip=tiny_cues())
    keys = [r.key for r in report.rows]
    assert keys == (
        ["clip_clarity"] + [f"clip_clarity.{p.key}" for p in CLARITY_PAIRS]
        + ["clip_tone"] + [f"clip_tone.{p.key}" for p in TONE_PAIRS]
        + ["clip_emotion"] + [f"clip_emotion.{e}" for e in EMOTIONS]
        + ["semantic_retention"]
    )
    for row in report.rows:
        assert row.available and row.value is not None and row.baseline is not None
        assert row.reading and row.direction in ("higher", "lower", "none")
    emotions = [report[f"clip_emotion.{e}"].value for e in EMOTIONS]
    assert sum(emotions) == pytest.approx(1.0)
    clarity = np.mean([report[f"clip_clarity.{p.key}"].value for p in CLARITY_PAIRS])
    assert report["clip_clarity"].value == pytest.approx(clarity)
    direct = tiny_cues().cues(lr, bic, hr)
    assert report["semantic_retention"].value == pytest.approx(direct.semantic_output, abs=1e-6)
    assert report["semantic_retention"].baseline == pytest.approx(direct.semantic_bicubic, abs=1e-6)
    assert report.meta["clip_model"] == "tiny-random"


def test_unavailable_without_weights_never_uses_random_weights(images, tmp_path, monkeypatch, no_network):
    hr, lr, _ = images
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path))
    cues = ClipCues("ViT-B-32", "laion2b_s34b_b79k")
    ok, reason = cues.status()
    assert not ok and "liif prefetch" in reason and str(tmp_path) in reason
    report = iqa.assess(hr, lr, metrics=FAMILIES, clip=cues)
    assert [r.key for r in report.rows] == FAMILIES
    assert all(not r.available and r.value is None for r in report.rows)
    assert cues._model is None  # nothing was built
    with pytest.raises(iqa.ClipUnavailable):
        cues.encode_images([lr])
    # the configured default behaves the same
    monkeypatch.delenv("LIIF_STUDIO_CLIP_CHECKPOINT", raising=False)
    default = iqa.assess(hr, lr, metrics=["semantic_retention"])["semantic_retention"]
    assert not default.available and "CLIP" in default.reason


def test_bad_configuration_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path))
    assert "unknown pretrained tag" in ClipCues("ViT-B-32", "no-such-tag").status()[1]
    assert "unknown open_clip architecture" in ClipCues("NoSuchArch").status()[1]
    assert "not found" in ClipCues("ViT-B-32", checkpoint=tmp_path / "missing.bin").status()[1]


def test_local_checkpoint_file_is_loaded(images, tmp_path, no_network):
    hr, lr, bic = images
    config_dir = tmp_path / "configs"
    config_dir.mkdir()
    (config_dir / "IqaTinyTest.json").write_text(json.dumps(TINY_CFG))
    open_clip.add_model_config(config_dir)
    source = tiny_model(seed=3)
    checkpoint = tmp_path / "tiny.pt"
    torch.save(source.state_dict(), checkpoint)

    cues = ClipCues("IqaTinyTest", checkpoint=checkpoint)
    assert cues.status() == (True, "")
    loaded = cues.encode_images([lr, hr])
    reference = tiny_cues(source).encode_images([lr, hr])
    assert torch.allclose(loaded, reference, atol=1e-5)
    assert "tiny.pt" in cues.name


# --- clarity on native-resolution crops (issue 13) ---------------------------------------
def test_the_default_model_s_hub_file_is_open_clip_s():
    """``status`` finds the default weights absent without importing open_clip, from a copy of its Hub address."""
    from iqa.backends.open_clip import DEFAULT_ARCH, DEFAULT_PRETRAINED, KNOWN_HUB

    for (arch, tag), hub in KNOWN_HUB.items():
        assert open_clip.get_pretrained_cfg(arch, tag)["hf_hub"] == hub
    assert (DEFAULT_ARCH, DEFAULT_PRETRAINED) in KNOWN_HUB


def test_crop_boxes_placement():
    boxes = crop_boxes(600, 500, 224)
    assert len(boxes) == 9
    assert sorted({y for y, _, _, _ in boxes}) == [0, 188, 376]  # first at the top, last at the bottom
    assert sorted({x for _, x, _, _ in boxes}) == [0, 138, 276]
    assert all(h == w == 224 for _, _, h, w in boxes)
    assert all(y + h <= 600 and x + w <= 500 for y, x, h, w in boxes)
    # A side that fits fewer crops gets fewer; a short side one crop of the whole side.
    assert crop_boxes(100, 300, 224) == [(0, 0, 100, 224), (0, 76, 100, 224)]
    assert crop_boxes(224, 224, 224) == [(0, 0, 224, 224)]
    assert crop_boxes(50, 40, 224) == [(0, 0, 50, 40)]


def test_clarity_uses_the_same_native_crops_of_output_and_bicubic(images):
    hr, lr, bic = images  # bird x3: 288x288 output, tiny model input 64 px
    cues = tiny_cues()
    assert cues.input_size() == 64
    seen = []
    encode = cues.encode_images

    def recording(batch):
        seen.append([np.array(im) for im in batch])
        return encode(batch)

    cues.encode_images = recording
    result = cues.cues(lr, bic, hr)
    boxes = crop_boxes(hr.shape[0], hr.shape[1], 64)
    assert result.clarity_crops == tuple(boxes) and len(boxes) == 9
    batch = seen[0]
    n = len(boxes)
    assert len(batch) == 3 + 2 * n
    for i, (y, x, h, w) in enumerate(boxes):
        assert np.array_equal(batch[3 + i], bic[y:y + h, x:x + w])  # bicubic crop i
        assert np.array_equal(batch[3 + n + i], hr[y:y + h, x:x + w])  # output crop i, same place
        assert batch[3 + i].shape == (64, 64, 3)  # native resolution: the model's input size

    # Aggregation: the clarity value is the mean of the per-crop probabilities.
    per_crop_out = cues.pair_probabilities(encode([hr[y:y + h, x:x + w] for y, x, h, w in boxes]), "clip_clarity")
    per_crop_bic = cues.pair_probabilities(encode([bic[y:y + h, x:x + w] for y, x, h, w in boxes]), "clip_clarity")
    for i, pair in enumerate(CLARITY_PAIRS):
        got = result.pairs["clip_clarity"][pair.key]
        assert got[2] == pytest.approx(per_crop_out[:, i].mean(), abs=1e-6)
        assert got[1] == pytest.approx(per_crop_bic[:, i].mean(), abs=1e-6)
    # The whole-image view is kept for semantic retention, emotion and tone.
    whole = encode([lr, bic, hr])
    assert result.semantic_output == pytest.approx(float(whole[2] @ whole[0]), abs=1e-5)
    assert result.emotion == pytest.approx(cues.emotion_distribution(whole), abs=1e-6)
    tone = cues.pair_probabilities(whole, "clip_tone")
    assert result.pairs["clip_tone"][TONE_PAIRS[0].key] == pytest.approx(tone[:, 0], abs=1e-6)


def test_clarity_of_identical_images_is_identical(images):
    hr, lr, _ = images
    result = tiny_cues().cues(lr, hr, hr)
    for probs in result.pairs["clip_clarity"].values():
        assert probs[1] == pytest.approx(probs[2], abs=1e-6)
