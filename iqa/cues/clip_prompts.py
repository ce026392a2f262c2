"""Every prompt the CLIP cues use, in one place.

Antonym pairs are scored as in CLIP-IQA (Wang, Chan and Loy, 2023): the softmax of
the image's similarity to the two prompts gives the probability of the first
(positive) word. Each side may list several phrasings; their text embeddings are
averaged. Emotions follow AIGI-VC's eight categories and are scored by one softmax
over all eight, giving a distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PromptPair", "CLARITY_PAIRS", "TONE_PAIRS", "EMOTIONS", "EMOTION_PROMPTS", "PAIR_GROUPS"]


@dataclass(frozen=True)
class PromptPair:
    key: str  # row key suffix, e.g. "sharp"
    positive: str  # the word the probability is about
    negative: str
    positive_prompts: tuple[str, ...]
    negative_prompts: tuple[str, ...]


def _pair(positive: str, negative: str, key: str | None = None) -> PromptPair:
    return PromptPair(
        key or positive.replace(" ", "_"),
        positive,
        negative,
        (f"a {positive} photo.", f"a {positive} image."),
        (f"a {negative} photo.", f"a {negative} image."),
    )


# Information clarity: does the enlarged picture still read clearly?
CLARITY_PAIRS: tuple[PromptPair, ...] = (
    _pair("sharp", "blurry"),
    _pair("clear", "unclear"),
    _pair("detailed", "smooth"),
    _pair("clean", "noisy"),
)

# Tone: the first word is not "better"; compare the output with bicubic.
TONE_PAIRS: tuple[PromptPair, ...] = (
    _pair("bright", "dark"),
    _pair("colourful", "dull"),
    _pair("high contrast", "low contrast", key="high_contrast"),
    _pair("natural", "synthetic"),
)

PAIR_GROUPS: dict[str, tuple[PromptPair, ...]] = {
    "clip_clarity": CLARITY_PAIRS,
    "clip_tone": TONE_PAIRS,
}

# Emotional interaction: AIGI-VC's eight emotion categories.
EMOTIONS: tuple[str, ...] = (
    "amusement",
    "awe",
    "contentment",
    "excitement",
    "anger",
    "disgust",
    "fear",
    "sadness",
)

EMOTION_PROMPTS: dict[str, tuple[str, ...]] = {
    emotion: (f"a photo that evokes {emotion}.", f"an image that makes people feel {emotion}.")
    for emotion in EMOTIONS
}
