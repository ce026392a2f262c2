"""CLIP: the families clarity, tone, emotion and semantic retention (open_clip, ``iqa.backends.open_clip``).

One CLIP pass per assessment scores the input, the bicubic baseline and the output for every family
(``Views.shared``); each family returns its family row and, as ``parts``, one row per prompt pair or
emotion (the prompts: ``iqa.cues.clip_prompts``). Deep rows: the verdict quotes clarity and semantic
retention in a clause of their own, and judges them only once the validity suite has measured them.
"""

from __future__ import annotations

import numpy as np

from ..backends.open_clip import ClipCues, ClipResult, ClipUnavailable, default_clip
from .base import Cue, CueUnavailable, Part, Views, Warns, register
from .clip_prompts import EMOTIONS, PAIR_GROUPS
from .readings import compare_reading

__all__ = ["clip_model", "clarity", "tone", "emotion", "semantic_retention"]


def clip_model(views: Views) -> ClipCues:
    """The CLIP cues of this assessment: the one given, or the configured default."""
    return views.clip if views.clip is not None else default_clip()


def _result(views: Views) -> ClipResult:
    def run() -> ClipResult | str:
        cues = clip_model(views)
        ok, reason = cues.status()
        if not ok:
            return reason
        try:
            return cues.cues(views.lowres, views.bicubic, views.output)
        except ClipUnavailable as error:
            return str(error)

    result = views.shared("clip", run)  # a reason is shared too: every family says it without retrying
    if isinstance(result, str):
        raise CueUnavailable(result)
    return result


def _pair_parts(family: str, result: ClipResult) -> tuple[np.ndarray, tuple[Part, ...]]:
    probs, pairs = result.pairs[family], PAIR_GROUPS[family]
    parts = tuple(
        Part(pair.key, f"{pair.positive} / {pair.negative}", p_out, p_bic,
             f"reads '{pair.positive}' {p_out:.0%} vs '{pair.negative}' (bicubic {p_bic:.0%}, input {p_in:.0%})",
             "higher" if family == "clip_clarity" else "none", "0 to 1")
        for pair in pairs for p_in, p_bic, p_out in [probs[pair.key]])
    return np.stack([probs[p.key] for p in pairs]), parts  # (P, 3): input, bicubic, output


LESS_CLEAR = Warns("reads less clear than bicubic", "reads less clear than bicubic to CLIP")
_CLIP = {"kind": "clip", "needs_weights": True, "learned": True}


def _clarity_summary(row) -> str:
    if row.baseline is None:
        return ""
    reads = LESS_CLEAR.name if row.warning else (
        "reads clearer than bicubic" if row.value > row.baseline else "reads as clear as bicubic")
    return f"{reads} ({row.value:.2f} vs {row.baseline:.2f})"


@register("clip_clarity", "CLIP clarity", "clip-clarity",
          "CLIP antonym prompts sharp/blurry, clear/unclear, detailed/smooth, "
          "clean/noisy: probability of the positive word; the family row is their mean.",
          "higher", "0 to 1", warns=(LESS_CLEAR,), summary=_clarity_summary, aside="CLIP", **_CLIP)
def clarity(views: Views) -> Cue:
    """Mean probability of sharp/clear/detailed/clean over the clarity pairs, output vs bicubic."""
    stack, parts = _pair_parts("clip_clarity", _result(views))
    v, b = float(stack[:, 2].mean()), float(stack[:, 1].mean())
    reading = (compare_reading(v, b, "higher", "clarity")
               .replace("better than", "reads clearer than").replace("worse than", "reads less clear than"))
    return Cue(v, b, reading, LESS_CLEAR.name if "less clear" in reading else "", parts)


@register("clip_tone", "CLIP tone", "clip-tone",
          "CLIP antonym prompts bright/dark, colourful/dull, high/low contrast, "
          "natural/synthetic: probability of the first word (no better direction); the "
          "family row is the mean absolute change of these from the input (tone kept = "
          "low).", "lower", "0 to 1", **_CLIP)
def tone(views: Views) -> Cue:
    """Mean absolute change of the tone pairs' probabilities from the input's (tone kept = low)."""
    stack, parts = _pair_parts("clip_tone", _result(views))
    v = float(np.abs(stack[:, 2] - stack[:, 0]).mean())
    b = float(np.abs(stack[:, 1] - stack[:, 0]).mean())
    kept = "tone kept" if v < 0.05 else ("tone shifted slightly" if v < 0.15 else "tone changed")
    return Cue(v, b, f"{kept}: mean change {v:.2f} from the input (bicubic {b:.2f})", parts=parts)


@register("clip_emotion", "CLIP emotion", "clip-emotion",
          "Distribution over AIGI-VC's eight emotions; the family row is emotion "
          "retention, 1 - Jensen-Shannon divergence from the input's distribution.",
          "higher", "0 to 1", **_CLIP)
def emotion(views: Views) -> Cue:
    """Emotion retention (1 - Jensen-Shannon divergence from the input's eight-emotion distribution)."""
    result = _result(views)
    dist = result.emotion
    v, b = result.emotion_retention_output, result.emotion_retention_bicubic
    top_in, top_out = EMOTIONS[int(dist[0].argmax())], EMOTIONS[int(dist[2].argmax())]
    verdict = "feeling kept" if top_in == top_out and v >= 0.9 else (
        "feeling shifted" if top_in == top_out else "feeling changed")
    parts = tuple(Part(name, name, float(dist[2, i]), float(dist[1, i]),
                       f"{name} {dist[2, i]:.0%} (bicubic {dist[1, i]:.0%}, input {dist[0, i]:.0%})",
                       "none", "0 to 1 (the eight sum to 1)") for i, name in enumerate(EMOTIONS))
    return Cue(v, b, f"{verdict}: strongest {top_out} {dist[2].max():.0%} (input {top_in} {dist[0].max():.0%}); "
                     f"retention {v:.2f}, bicubic {b:.2f}", parts=parts)


@register("semantic_retention", "Semantic retention", "semantic",
          "Cosine similarity of the CLIP image embeddings of input and output: is it "
          "still the same picture?", "higher", "-1 to 1 (typ. 0.8 to 1)", aside="CLIP",
          summary=lambda r: f"{'same picture' if r.value >= 0.9 else 'content changed'} ({r.value:.2f})", **_CLIP)
def semantic_retention(views: Views) -> Cue:
    """Cosine similarity of the CLIP embeddings of input and output, vs bicubic's."""
    result = _result(views)
    v, b = result.semantic_output, result.semantic_bicubic
    verdict = "same content" if v >= 0.9 else ("mostly the same content" if v >= 0.8 else "content has changed")
    return Cue(v, b, f"{verdict}: similarity {v:.2f} to the input (bicubic {b:.2f})")
