"""``liif space export DIR``: exactly the files a Hugging Face Space needs, ready for ``hf upload``.

A Space (``sdk: gradio``) installs ``requirements.txt``, then runs ``app.py`` from the folder, so the
folder holds the app, the three packages with the bundled weights and cards, the example photos, the
requirements, the How-it-works page (``docs/how-it-works.md``, which the How tab reads), a README that is
the Space's card for its visitors (front matter, what the demo does, each tab, the models and licences, how
to run it: commands that work in the folder itself), and a ``.gitattributes`` that stores
binary files through LFS/Xet (Spaces refuse plain pushes of files over 10 MB and want binaries in LFS).
Nothing of the development tree goes (tests, runs, benchmarks, docs tooling). The front matter's
``preload_from_hub`` downloads the CLIP model and the quality metrics' weights at build time, so a
visitor's first report has the CLIP and deep no-reference rows.
"""
from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from liif.errors import LiifError

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("liif", "iqa", "studio")
SPACE_FILE_LIMIT = 10 * 1024 * 1024  # a Space refuses a pushed file over 10 MB
# The data files the packages ship beside their code (pyproject's package-data).
PACKAGE_DATA = ("*.py", "weights/*.safetensors", "weights/*.md", "weights/*.json")
EXAMPLE_FILES = ("*.png", "*.jpg", "*.jpeg", "*.webp", "README.md")
# Stored through LFS: every binary the export can hold.
LFS_PATTERNS = ("*.safetensors", "*.png", "*.jpg", "*.jpeg", "*.webp", "*.pth", "*.pt", "*.bin")


@dataclass(frozen=True)
class SpaceCard:
    """The Space's front matter (https://huggingface.co/docs/hub/spaces-config-reference)."""

    title: str = "liif-studio"
    emoji: str = "🔍"
    color_from: str = "indigo"
    color_to: str = "pink"
    license: str = "mit"
    short_description: str = "Upscale to any size with LIIF, and measure what it keeps"
    sdk_version: str = field(default_factory=lambda: metadata.version("gradio"))
    python_version: str = f"{sys.version_info.major}.{sys.version_info.minor}"
    # (repository, files) downloaded into the Space's Hugging Face cache when it is built.
    preload: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def front_matter(self) -> str:
        """The YAML block that opens the Space's README.md."""
        lines = ["---", f"title: {self.title}", f"emoji: {self.emoji}", f"colorFrom: {self.color_from}",
                 f"colorTo: {self.color_to}", "sdk: gradio", f"sdk_version: {self.sdk_version}",
                 f'python_version: "{self.python_version}"', "app_file: app.py", "pinned: false",
                 f"license: {self.license}", f"short_description: {self.short_description}"]
        if self.preload:
            lines.append("preload_from_hub:")
            lines += [f"  - {repo} {','.join(files)}" for repo, files in self.preload]
        return "\n".join([*lines, "---", ""])


def preload_from_hub() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The Hub files behind the report's CLIP cues and learned metrics, grouped by repository."""
    from iqa import catalog
    from iqa.backends.open_clip import default_clip

    # torchvision backbones and OpenAI's CLIP (pyiqa's CLIP-IQA) come from their own servers: the app's
    # start-up download (LIIF_PREFETCH, "all" on a Space) fetches those.
    hub = [default_clip().hub_file()] + [w.hub() for m in catalog.METRICS.values() for w in m.weights]
    wanted: dict[str, list[str]] = {}
    for repo, name in filter(None, hub):
        if name not in wanted.setdefault(repo, []):
            wanted[repo].append(name)
    return tuple((repo, tuple(files)) for repo, files in wanted.items())


@dataclass
class Export:
    """What ``export`` wrote."""

    folder: Path
    files: list[Path]

    @property
    def total_bytes(self) -> int:
        """The size of every written file together."""
        return sum((self.folder / f).stat().st_size for f in self.files)


def space_files(root: Path = ROOT) -> list[Path]:
    """The files copied from the checkout (relative paths): the app, the packages, the examples, the How page."""
    files = [Path("app.py")]
    for package in PACKAGES:
        for pattern in PACKAGE_DATA:
            files += [p.relative_to(root) for p in (root / package).rglob(pattern) if "__pycache__" not in p.parts]
    for pattern in EXAMPLE_FILES:
        files += [p.relative_to(root) for p in (root / "examples").rglob(pattern)]
    files += [Path(doc) for doc in DOCS]
    return sorted(set(files))


# The files of the development tree the Space ships: the How tab reads this page, and the card links to it.
DOCS = ("docs/how-it-works.md",)
_CARD_TITLE = re.compile(r"\A# (\S+) \((.*)\)\s*$", re.M)  # "# name (what it is)", a model card's first line


def model_rows(root: Path = ROOT) -> list[str]:
    """One line per bundled model for the card: name, what it is for (its card's title), and a link to the card."""
    rows = []
    for card in sorted((root / "liif" / "weights").glob("*.md")):
        match = _CARD_TITLE.match(card.read_text(encoding="utf-8"))
        what = match.group(2) if match else "see its card"
        rows.append(f"* **`{card.stem}`**: {what}. [Model card]({card.relative_to(root).as_posix()}).")
    return rows


def clone_commands(repository: str | None) -> str:
    """How to run the demo from the project's repository: commands when its address is known, else a sentence."""
    if not repository:
        return ("The project's repository (liif-studio) adds the `liif` command line, the Python API, the tests and "
                "the training code; its README's set-up serves this same demo from a clone.")
    name = repository.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1]
    return ("The project's repository adds the `liif` command line, the Python API, the tests and the training "
            f"code. From any folder:\n\n```bash\ngit clone {repository}\ncd {name}\n"
            "pip install -e . && python app.py     # the same demo, with the command line installed\n```")


def space_readme(card: SpaceCard, root: Path = ROOT, repository: str | None = None) -> str:
    """The Space's README.md, its card for visitors: what the demo does, its tabs, models, licences, running it."""
    from studio.tabs import TABS  # the tabs' catalogue: no gradio

    tabs = "\n".join(f"* **{t.label}**{'' if t.label == t.name else f' ({t.name})'}: {t.summary}" for t in TABS)
    body = f"""# liif-studio

Enlarge a photo to **any** size (x2.7, x4, x12, or exactly 1920x1080) with
[LIIF](https://arxiv.org/abs/2012.09161) (Chen et al., CVPR 2021) or its fast descendant LM-LIIF
([LMF](https://arxiv.org/abs/2404.16451), He and Jin, CVPR 2024), see it beside bicubic
interpolation at the same size, and read honest quality scores: a one-sentence verdict, then each
cue against bicubic's. Drop a photo in a tab, or click an example; the model and its precision are
under the *Model* panel at the top.

## The tabs

{tabs}

How the models work, why detail and tone survive and where they do not:
[How it works](docs/how-it-works.md).

## The models

The bundled models, trained by the project on 2-core CPUs (no GPU); *auto*, the default, picks the
one for compressed or noisy photos when the input is one:

{chr(10).join(model_rows(root))}

## Licences

* **The code and the bundled weights**: MIT. **The example photos**: public domain or CC0
  ([examples/README.md](examples/README.md)).
* **pyiqa**, which computes some of the report's scores, is licensed for **non-commercial use
  only** (PolyForm Noncommercial 1.0.0 and the NTU S-Lab License 1.0), and the weights it downloads
  (MUSIQ, TOPIQ, MANIQA, ...) are CC-BY-NC-SA-4.0. This demo is for research and other
  non-commercial use; the project's README says what a commercial deployment must drop.

## Run it on your machine

This folder runs as it is, with Python 3.10 or later (a CPU is enough):

```bash
pip install -r requirements.txt "gradio=={card.sdk_version}"
python app.py                         # then open http://127.0.0.1:7860
```

{clone_commands(repository)}
"""
    return card.front_matter() + "\n" + body


def export(folder: str | Path, overwrite: bool = False, root: Path = ROOT, card: SpaceCard | None = None,
           repository: str | None = None) -> Export:
    """Write the Space into ``folder`` (new or empty; a previous export with ``overwrite``); ``repository``: the
    project's address, for the card's commands that run the demo from a clone."""
    folder = Path(folder)
    if not (root / "app.py").is_file():
        raise LiifError(f"no app.py in {root}: run liif space export from a clone of the project")
    if folder.exists() and any(folder.iterdir()):
        if not overwrite:
            raise LiifError(f"{folder} is not empty: choose a new folder, or pass --overwrite to replace "
                            "a previous export there")
        if not ((folder / "app.py").is_file() and (folder / "liif").is_dir() and (folder / "README.md").is_file()):
            raise LiifError(f"{folder} does not hold a previous export (app.py, liif/, README.md): refusing to "
                            "replace it; choose a new folder")
        shutil.rmtree(folder)
    files = space_files(root)
    big = [f"{f} ({(root / f).stat().st_size / 2**20:.1f} MB)" for f in files
           if (root / f).stat().st_size > SPACE_FILE_LIMIT]
    if big:
        raise LiifError(f"a Space refuses files over 10 MB: {', '.join(big)}")
    for rel in files:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, folder / rel)
    card = card or SpaceCard(preload=preload_from_hub())
    written = {
        "README.md": space_readme(card, root, repository),
        "requirements.txt": (root / "requirements.txt").read_text(encoding="utf-8"),
        ".gitattributes": "".join(f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in LFS_PATTERNS),
    }
    for name, text in written.items():
        (folder / name).write_text(text, encoding="utf-8")
    return Export(folder, sorted([*files, *map(Path, written)]))


def export_command(args: object) -> int:
    """``liif space export DIR``: write the folder, then say its size and how to publish it."""
    result = export(args.folder, overwrite=args.overwrite, repository=args.repository)  # type: ignore[attr-defined]
    print(f"wrote {len(result.files)} files, {result.total_bytes / 2**20:.1f} MB in all, to {result.folder}")
    print(f"publish it (after `hf auth login`): hf upload USER/NAME {result.folder} . --repo-type space")
    return 0


def add_space_parser(sub: object) -> None:
    """Register ``liif space export`` on the ``liif`` command's subparsers."""
    space = sub.add_parser("space", help="deploy the demo to Hugging Face Spaces")  # type: ignore[attr-defined]
    actions = space.add_subparsers(dest="space_command", required=True)
    p = actions.add_parser("export", help="write exactly the files a Space needs into a folder",
                           description="Write the demo as a Hugging Face Space (app, packages, bundled weights, "
                                       "examples, requirements, README front matter, .gitattributes for LFS).")
    p.add_argument("folder", help="a new or empty folder")
    p.add_argument("--overwrite", action="store_true", help="replace a previous export in that folder")
    p.add_argument("--repository", metavar="URL", help="the project's git address: the Space's card then says how "
                                                        "to clone it and run the same demo")
    p.set_defaults(func=export_command)
