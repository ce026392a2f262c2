"""Re-create the example images from scikit-image's bundled public-domain / CC0 photographs.

Run from the repository root:  python examples/make_examples.py

Low-resolution inputs (``*.png`` here) are the photographs downscaled with an area filter
(PIL's ``reduce`` followed by a Lanczos resize to the exact size, which never aliases); the
``reference/`` images are crops at the photographs' native resolution, used by the
"With a reference" tab, which makes its own low-resolution input from them.
Output is deterministic for a given scikit-image and Pillow version.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

HERE = Path(__file__).resolve().parent

# name -> (scikit-image loader, low-resolution width)
LOW_RES = {
    "astronaut": (data.astronaut, 160),
    "coffee": (data.coffee, 192),
    "chelsea": (data.chelsea, 180),
    "rocket": (data.rocket, 192),
    "camera": (data.camera, 128),  # grayscale: the app keeps the mode (L in, L out)
}

# name -> (loader, low-resolution width, JPEG quality): what most uploads are (--model auto, the report's
# input line); saved once by PIL at that quality, 4:2:0 chroma, as cameras and phones do
JPEG = {
    "chelsea_jpeg": (data.chelsea, 180, 45),
}

# name -> (loader, (left, top, size)): native-resolution crops for the reference tab
REFERENCE = {
    "chelsea_face": (data.chelsea, (96, 20, 256)),
    "coffee_cup": (data.coffee, (150, 40, 256)),
    "astronaut_badge": (data.astronaut, (150, 200, 256)),
}


def downscale(img: Image.Image, width: int) -> Image.Image:
    height = round(img.height * width / img.width)
    factor = max(1, min(img.width // width, img.height // height))
    if factor > 1:
        img = img.reduce(factor)  # exact box filter over factor x factor blocks
    return img.resize((width, height), Image.Resampling.LANCZOS)


def main() -> None:
    (HERE / "reference").mkdir(exist_ok=True)
    for name, (load, width) in LOW_RES.items():
        img = Image.fromarray(np.asarray(load()))
        out = downscale(img, width)
        out.save(HERE / f"{name}.png", optimize=True)
        print(f"{name}.png  {out.size[0]}x{out.size[1]} {out.mode}")
    for name, (load, width, quality) in JPEG.items():
        out = downscale(Image.fromarray(np.asarray(load())), width)
        out.save(HERE / f"{name}.jpg", quality=quality)
        print(f"{name}.jpg  {out.size[0]}x{out.size[1]} JPEG quality {quality}")
    for name, (load, (left, top, size)) in REFERENCE.items():
        img = Image.fromarray(np.asarray(load()))
        out = img.crop((left, top, left + size, top + size))
        out.save(HERE / "reference" / f"{name}.png", optimize=True)
        print(f"reference/{name}.png  {out.size[0]}x{out.size[1]} {out.mode}")


if __name__ == "__main__":
    main()
