"""Pictures that answer "what did the enlargement add, and did it keep the tone?" (``liif score --plots DIR``).

* **Spectrum**: the radial power spectrum of the bicubic enlargement and of the output, with the input's
  Nyquist frequency marked: power beyond it is detail the input could not hold, so the model made it.
* **Detail added**: where the output differs from bicubic in its fine detail (the high-passed difference),
  as a map over the image.
* **Tone**: per-pixel colour difference (CIEDE2000) between the output shrunk back and the input, and the
  luma and chroma histograms of the input and the output.

Each picture has its data function (tested) and a one-line caption saying what to look for. Figures are
drawn with matplotlib's object API (no pyplot state), so they are safe in a server.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from liif.imageio import luma_bt601
from liif.resize import pil_bicubic

from ..cues import detail
from ..images import center_crop

__all__ = ["Plot", "detail_added", "figures", "radial_spectrum", "tone_difference", "write_plots"]


@dataclass(frozen=True)
class Plot:
    """One picture: a file name, what to look for, and the matplotlib figure."""

    name: str
    caption: str
    figure: object  # matplotlib.figure.Figure


# The pictures are 640 pixels wide: the maps are computed at full resolution, then reduced to this; the
# spectrum is taken on a centre crop of this side, the histograms on a regular sample of this many pixels.
SHOWN_WIDTH = 640
SPECTRUM_CROP = 1024
HISTOGRAM_PIXELS = 250_000


def radial_spectrum(image: np.ndarray, bins: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """(frequency, mean power) of the Hann-windowed luma: frequency in units of the image's Nyquist (0 to 1)."""
    spec = detail.spectrum(center_crop(image, SPECTRUM_CROP))
    edges = np.linspace(0, 1, bins + 1)
    which = np.digitize(spec.radius.ravel(), edges) - 1
    inside = (which >= 0) & (which < bins)
    total = np.bincount(which[inside], spec.power.ravel()[inside], bins)
    count = np.maximum(np.bincount(which[inside], minlength=bins), 1)
    return 0.5 * (edges[1:] + edges[:-1]), total / count


def _shown(image: np.ndarray) -> np.ndarray:
    """An image or map reduced (area average) to at most SHOWN_WIDTH pixels wide, as the figure shows it."""
    h, w = image.shape[:2]
    if w <= SHOWN_WIDTH:
        return image
    size = (SHOWN_WIDTH, max(1, round(h * SHOWN_WIDTH / w)))
    return cv2.resize(image.astype(np.float32), size, interpolation=cv2.INTER_AREA)


def _sample(image: np.ndarray) -> np.ndarray:
    step = int(np.ceil(np.sqrt(image.shape[0] * image.shape[1] / HISTOGRAM_PIXELS)))
    return image[::step, ::step] if step > 1 else image


def detail_added(output: np.ndarray, bicubic: np.ndarray, sigma: float = 1.5) -> np.ndarray:
    """|high-pass(output - bicubic)| of the luma, smoothed: where the model put fine detail bicubic lacks."""
    diff = luma_bt601(output).astype(np.float32) - luma_bt601(bicubic).astype(np.float32)
    high = diff - cv2.GaussianBlur(diff, (0, 0), sigma * 2)
    return cv2.GaussianBlur(np.abs(high), (0, 0), sigma)


def tone_difference(output: np.ndarray, lowres: np.ndarray) -> np.ndarray:
    """Per-pixel CIEDE2000 between the output shrunk back to the input's size and the input."""
    from skimage.color import deltaE_ciede2000, rgb2lab

    small = pil_bicubic(output, (lowres.shape[1], lowres.shape[0]))
    return deltaE_ciede2000(rgb2lab(lowres[..., :3]), rgb2lab(small[..., :3]))


def _chroma(rgb: np.ndarray) -> np.ndarray:
    from skimage.color import rgb2lab

    lab = rgb2lab(rgb[..., :3])
    return np.hypot(lab[..., 1], lab[..., 2])


def figures(output: np.ndarray, lowres: np.ndarray, bicubic: np.ndarray | None = None) -> list[Plot]:
    """The three pictures for an enlargement ``output`` of ``lowres`` (8-bit RGB arrays; ``bicubic`` if made)."""
    from matplotlib.figure import Figure

    h, w = output.shape[:2]
    bicubic = pil_bicubic(lowres, (w, h)) if bicubic is None else bicubic
    nyquist = float(np.sqrt(lowres.shape[0] * lowres.shape[1] / (h * w)))  # the input's, in output units
    plots = []

    fig = Figure(figsize=(6.4, 4))
    ax = fig.add_subplot()
    for image, label in ((bicubic, "bicubic"), (output, "output")):
        freq, power = radial_spectrum(image)
        ax.semilogy(freq, np.maximum(power, 1e-12), label=label)
    ax.axvline(nyquist, color="grey", linestyle="--", label="input's Nyquist")
    ax.set(xlabel="frequency (1 = the output's Nyquist)", ylabel="power", title="Radial power spectrum")
    ax.legend()
    plots.append(Plot("spectrum", "Right of the dashed line is detail the input could not hold: where the output's "
                      "curve lies above bicubic's, the model added it (noise would show there too).", fig))

    detail = _shown(detail_added(output, bicubic))
    fig = Figure(figsize=(6.4, 6.4 * h / w + 0.6))
    ax = fig.add_subplot()
    ax.imshow(_shown(luma_bt601(output)), cmap="gray", vmin=0, vmax=255)
    shown = ax.imshow(detail, cmap="magma", alpha=0.6, vmin=0, vmax=max(float(np.percentile(detail, 99.5)), 1e-6))
    fig.colorbar(shown, ax=ax, label="grey levels")
    ax.set(title="Detail added over bicubic", xticks=[], yticks=[])
    plots.append(Plot("detail", "Bright where the model drew fine detail bicubic lacks: it should follow edges "
                      "and textures, not flat areas (there it would be noise).", fig))

    delta = tone_difference(output, lowres)
    fig = Figure(figsize=(9.6, 3.6))
    ax_map, ax_luma, ax_chroma = fig.subplots(1, 3)
    shown = ax_map.imshow(delta, cmap="viridis", vmin=0, vmax=max(5.0, float(delta.max())))
    fig.colorbar(shown, ax=ax_map, label="CIEDE2000")
    ax_map.set(title=f"Colour difference (mean {delta.mean():.2f})", xticks=[], yticks=[])
    for ax, values, title in ((ax_luma, luma_bt601, "Luma"), (ax_chroma, _chroma, "Chroma")):
        for image, label in ((lowres, "input"), (output, "output")):
            ax.hist(values(_sample(image)[..., :3]).ravel(), bins=64, density=True, histtype="step", label=label)
        ax.set(title=title, yticks=[])
        ax.legend()
    fig.tight_layout()
    plots.append(Plot("tone", "Colour difference of the output shrunk back against the input (under 1 is "
                      "invisible, over 5 a changed colour), and whether the luma and chroma histograms kept "
                      "their shape.", fig))
    return plots


def write_plots(output: np.ndarray, lowres: np.ndarray, folder: str | Path) -> list[tuple[Path, str]]:
    """The three pictures as PNG files in ``folder`` (created), each with its caption."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for plot in figures(output, lowres):
        path = folder / f"{plot.name}.png"
        plot.figure.savefig(path, dpi=100)
        written.append((path, plot.caption))
    return written
