"""Lay the held-out image sets into the user cache: content the project's thresholds and models never saw.

    python tools/heldout_sets.py --from PATH     # PATH: a clone of majedelhelou/denoising_datasets (or its git dir)
    python tools/heldout_sets.py --list          # what is cached, and where

    python tools/heldout_sets.py --faces PATH    # PATH: a clone of IBM/MAX-Image-Resolution-Enhancer
    python tools/heldout_sets.py --faces-from PATH...   # clones of the further face sources below, any order

The sets are public research benchmarks collected in the first repository (commit d3636716c8e3, 2021):
colour BSD68 (the BSDS300 *test* images, disjoint from the BSD200 training split in ../shared), Urban100
(buildings, regular structure), Manga109 (line art and screentone) and Sun-Hays 80 (scenes; JPEG
originals). Faces are the portraits among the second repository's sample originals (Pexels, CC0; commit
8485fabcf16a). More faces are face-centred square crops (scikit-image's frontal-face cascade finds them; 400 px
a side or three face widths, within the photo, never under 320) of chosen photos from three more repositories:

* cjdowner/interfaces (commit 2166b2273fd0, 2018): 26 of its 100 avatars (the 1000 x 1000 versions), from
  Pexels, Unsplash and Visualhunt, CC0 as its README states; its CREDITS.md links each original.
* davisking/dlib (commit 3d40bf5790ca, 2026), examples/faces: four PASCAL VOC 2011 photos (its training
  and testing xml say; Flickr's, under their owners' terms) and Tom_Cruise_avp_2014_4.jpg (from Wikimedia
  Commons; "in the public domain", its python_examples/face_jitter.py says). Not bald_guys.jpg: film stills.
* scikit-image/scikit-image (commit cd0a3d22b9f3, 2026): astronaut.png, Eileen Collins (NASA; "no known
  copyright restrictions, released into the public domain", its data module says).

They are never committed to this project: they land in ``$LIIF_STUDIO_CACHE/heldout``
(default ``~/.cache/liif-studio/heldout``), one folder per family, and whatever reads them skips with a
reason where they are absent (CI has none of them).
"""
from __future__ import annotations

import argparse
import io
import subprocess
import tarfile
from pathlib import Path

import numpy as np

# family -> folder in the source repository (its colour versions carry a leading C)
FAMILIES = {"natural": "CBSD68", "urban": "CUrban100", "manga": "CManga109", "scenes": "CSun_Hays80",
            "faces": "faces"}
SOURCE = "majedelhelou/denoising_datasets @ d3636716c8e3fb806f4395bbb3f2e4c0fde50700"
FACES_SOURCE = "IBM/MAX-Image-Resolution-Enhancer @ 8485fabcf16a8877a267eb3f4575da16832ce867"
FACES_FOLDER = "samples/test_examples/original"
FACE_FILES = ("face.png", "face_paint.png", "woman.png", "monkey_and_man.png")
# short name (the crops' prefix) -> (repository @ commit, folder, the photos taken from it)
FACE_SOURCES = {
    # varied in age, skin, light and setting; each one's largest detection is its face (checked by eye)
    "interfaces": ("cjdowner/interfaces @ 2166b2273fd050699e112e95a251f0519cce58c3", "1000 x 1000",
                   tuple(f"{n:03d}.jpg" for n in (1, 5, 6, 9, 14, 16, 21, 23, 25, 28, 30, 32, 36, 41, 46, 47, 49,
                                                  51, 57, 62, 66, 67, 73, 83, 93, 99))),
    # the VOC photos whose people are their subject (the others: a dinner table, crowds of small faces)
    "dlib": ("davisking/dlib @ 3d40bf5790ca9073c160cebb898800d9f33e12ab", "examples/faces",
             ("Tom_Cruise_avp_2014_4.jpg", "2008_001009.jpg", "2008_001322.jpg", "2008_002470.jpg",
              "2008_002506.jpg")),
    "skimage": ("scikit-image/scikit-image @ cd0a3d22b9f359f05618d75d5c7a29b91b4951ca", "src/_skimage2/data",
                ("astronaut.png",)),
}
FACE_MIN_WIDTH = 60  # px: a smaller face holds too little detail to judge a model's enlargement by
FACE_CROP, FACE_CROP_MIN = 400, 320  # px: the crop's side where the photo allows, and the least kept
CROPS_PER_PHOTO = 3
DETECT_SIDE = 400  # px: faces are sought on a copy this small (short side)


def heldout_root() -> Path:
    """Where the held-out families live: the project's user cache (iqa's, where its weights go too)."""
    from iqa.weights import cache_root

    return cache_root() / "heldout"


def family_dir(family: str) -> Path:
    """One family's folder (it may not exist: callers skip with a reason)."""
    return heldout_root() / FAMILIES[family]


def _git(source: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    git_dir = source / ".git" if (source / ".git").exists() else source
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True)


def _archive(source: Path, *paths: str) -> tarfile.TarFile:
    archived = _git(source, "archive", "HEAD", *paths)
    archived.check_returncode()
    return tarfile.open(fileobj=io.BytesIO(archived.stdout))


def extract(source: Path) -> None:
    """Copy each benchmark family's images out of a clone (or bare git dir) of the first source."""
    for family, folder in FAMILIES.items():
        if family == "faces":
            continue
        with _archive(source, folder) as tar:
            tar.extractall(heldout_root(), filter="data")
        print(f"{family}: {len(list(family_dir(family).iterdir()))} images in {family_dir(family)}")


def extract_faces(source: Path) -> None:
    """Copy the portraits out of a clone (or bare git dir) of the faces' source."""
    target = family_dir("faces")
    target.mkdir(parents=True, exist_ok=True)
    with _archive(source, FACES_FOLDER) as tar:
        for name in FACE_FILES:
            member = tar.extractfile(f"{FACES_FOLDER}/{name}")
            (target / name).write_bytes(member.read())
    print(f"faces: {len(FACE_FILES)} images in {target}")


def face_boxes(image: np.ndarray) -> list[tuple[int, int, int]]:
    """Square crops (top, left, side) centred on a BGR photo's faces, largest face first, overlapping little."""
    import cv2
    from skimage import data
    from skimage.feature import Cascade

    # scikit-image's LBP frontal-face cascade: it ships with a dependency, where OpenCV 5 dropped the Haar
    # cascades' CascadeClassifier (and its bundled files) from the main package
    cascade = Cascade(data.lbp_frontal_face_cascade_filename())
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    # found on a copy at most DETECT_SIDE px on its short side: faster, and the cascade's 24 px windows need
    # fewer scales
    scale = min(1.0, DETECT_SIDE / min(h, w))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    least = max(24, round(FACE_MIN_WIDTH * scale))
    faces = cascade.detect_multi_scale(img=small.astype(np.float32) / 255, scale_factor=1.1, step_ratio=1,
                                       min_size=(least, least), max_size=small.shape)
    boxes: list[tuple[int, int, int]] = []
    for face in sorted(faces, key=lambda f: -f["width"]):
        y, x, width = (round(face[key] / scale) for key in ("r", "c", "width"))
        # three face widths keep hair, ears and some background: the texture a face photo is judged on
        side = min(max(FACE_CROP, 3 * width), h, w)
        if side < FACE_CROP_MIN:
            continue
        top = min(max(0, y + width // 2 - side // 2), h - side)
        left = min(max(0, x + width // 2 - side // 2), w - side)
        # crops sharing more than a quarter of their pixels would count the same face twice
        if any(_shared((top, left, side), box) > side * side / 4 for box in boxes):
            continue
        boxes.append((top, left, side))
        if len(boxes) == CROPS_PER_PHOTO:
            break
    return boxes


def _shared(a: tuple[int, int, int], b: tuple[int, int, int]) -> int:
    rows = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    cols = min(a[1] + a[2], b[1] + b[2]) - max(a[1], b[1])
    return max(0, rows) * max(0, cols)


def face_source(source: Path) -> str:
    """Which of FACE_SOURCES a local copy is: the one whose first photo its HEAD holds."""
    for short, (_, folder, files) in FACE_SOURCES.items():
        if _git(source, "cat-file", "-e", f"HEAD:{folder}/{files[0]}").returncode == 0:
            return short
    raise SystemExit(f"{source}: none of {', '.join(FACE_SOURCES)} (no known photo at its HEAD)")


def extract_face_crops(source: Path) -> None:
    """Write face-centred crops of one further face source's photos (a clone or bare git dir) as PNG."""
    import cv2

    short = face_source(source)
    repo, folder, files = FACE_SOURCES[short]
    head, chosen = _git(source, "rev-parse", "HEAD").stdout.decode().strip(), repo.split(" @ ")[1]
    if head != chosen:  # the photos may have changed since: say so, the crops are still written
        print(f"{short}: HEAD is {head[:12]}, the set was chosen at {chosen[:12]}")
    target = family_dir("faces")
    target.mkdir(parents=True, exist_ok=True)
    written = 0
    with _archive(source, *(f"{folder}/{name}" for name in files)) as tar:
        for name in files:
            data = np.frombuffer(tar.extractfile(f"{folder}/{name}").read(), np.uint8)
            image = cv2.imdecode(data, cv2.IMREAD_COLOR)
            boxes = face_boxes(image)
            if not boxes:
                print(f"{short}: no face kept in {name}")
            for k, (top, left, side) in enumerate(boxes, 1):
                crop = image[top:top + side, left:left + side]
                cv2.imwrite(str(target / f"{short}-{Path(name).stem}-{k}.png"), crop)
                written += 1
    print(f"faces: {written} crops of {len(files)} {short} photos in {target}")


def main() -> None:
    """Extract, or list what is cached."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", type=Path, help=f"a local copy of {SOURCE.split(' @')[0]}")
    ap.add_argument("--faces", type=Path, help=f"a local copy of {FACES_SOURCE.split(' @')[0]}")
    ap.add_argument("--faces-from", nargs="+", type=Path, default=[], metavar="PATH",
                    help=f"local copies of {', '.join(repo.split(' @')[0] for repo, _, _ in FACE_SOURCES.values())}")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.source:
        extract(args.source)
    if args.faces:
        extract_faces(args.faces)
    for source in args.faces_from:
        extract_face_crops(source)
    for family in FAMILIES:
        folder = family_dir(family)
        count = len(list(folder.iterdir())) if folder.is_dir() else 0
        print(f"{family:8s} {count:4d} images  {folder}" + ("" if count else "  (absent)"))


if __name__ == "__main__":
    main()
