"""`liif space export`: exactly the files a Hugging Face Space needs, and the folder runs on its own."""
from __future__ import annotations

import fnmatch
import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest
import yaml
from conftest import REPO, free_port
from PIL import Image

from iqa.weights import PYIQA_HUB
from liif.errors import LiifError
from studio import space
from studio.cli import main

DEV_ONLY = {"tests", "runs", "benchmarks", "tools", "scripts", ".ci", "pyproject.toml"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    return space.export(tmp_path_factory.mktemp("space") / "out")


def _front_matter(folder) -> dict:
    text = (folder / "README.md").read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, "the Space's README.md must open with its front matter"
    return yaml.safe_load(match.group(1))


def test_the_export_holds_the_app_the_packages_and_nothing_of_the_development_tree(exported):
    folder = exported.folder
    top = {p.name for p in folder.iterdir()}
    assert top == {"app.py", "README.md", "requirements.txt", ".gitattributes", "liif", "iqa", "studio", "examples",
                   "docs"}
    assert not top & DEV_ONLY
    # of the documentation, only the page the How tab reads
    assert [p.relative_to(folder).as_posix() for p in (folder / "docs").rglob("*")] == ["docs/how-it-works.md"]
    assert (folder / "docs" / "how-it-works.md").read_bytes() == (REPO / "docs" / "how-it-works.md").read_bytes()
    assert (folder / "studio" / "tabs" / "upscale.py").is_file()  # the tabs travel with the app
    for package in ("liif", "iqa", "studio"):
        ours = {p.relative_to(REPO) for p in (REPO / package).rglob("*.py") if "__pycache__" not in p.parts}
        assert ours and ours <= {p.relative_to(folder) for p in (folder / package).rglob("*.py")}
    weights = sorted(p.name for p in (folder / "liif" / "weights").iterdir())
    shipped = (REPO / "liif" / "weights").glob("*")
    assert weights == sorted(p.name for p in shipped if p.suffix in (".md", ".safetensors", ".json"))
    assert not list(folder.rglob("__pycache__")) and not list(folder.rglob("make_examples.py"))
    on_disk = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert on_disk == exported.files  # what it says it wrote is what is there


def test_every_file_fits_a_space_and_every_binary_goes_through_lfs(exported):
    folder = exported.folder
    patterns = [line.split()[0] for line in (folder / ".gitattributes").read_text().splitlines()]
    assert all("filter=lfs" in line for line in (folder / ".gitattributes").read_text().splitlines())
    binaries = 0
    for path in (p for p in folder.rglob("*") if p.is_file()):
        assert path.stat().st_size < space.SPACE_FILE_LIMIT, path
        if b"\0" in path.read_bytes()[:8192]:
            binaries += 1
            assert any(fnmatch.fnmatch(path.name, pat) for pat in patterns), f"{path} is binary and not in LFS"
    assert binaries >= 5  # the weights and the example photos
    assert exported.total_bytes == sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_the_front_matter_configures_a_gradio_space_and_preloads_the_report_weights(exported):
    from importlib import metadata

    from iqa import catalog

    meta = _front_matter(exported.folder)
    assert meta["sdk"] == "gradio" and meta["app_file"] == "app.py"
    assert meta["sdk_version"] == metadata.version("gradio")
    preload = {entry.split()[0]: entry.split()[1].split(",") for entry in meta["preload_from_hub"]}
    assert preload["laion/CLIP-ViT-B-32-laion2B-s34B-b79K"] == ["open_clip_model.safetensors"]
    pyiqa_files = {w.names[0] for m in catalog.METRICS.values() for w in m.weights if w.store == "pyiqa"}
    assert len(pyiqa_files) >= 5 and set(preload[PYIQA_HUB]) == pyiqa_files
    assert all(files == ["model.safetensors"] for repo, files in preload.items() if repo.startswith("timm/"))


def test_the_space_readme_links_only_to_files_it_has(exported):
    text = (exported.folder / "README.md").read_text(encoding="utf-8")
    assert "## " in text  # the project's README follows the front matter
    for _, _, target in re.findall(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)", text):
        if not re.match(r"[a-z]+:|#", target):
            assert (exported.folder / target.split("#")[0]).exists(), target


def _commands(text: str) -> list[str]:
    """The command lines of the card's bash blocks, comments dropped."""
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines() if line.split("#")[0].strip()]


def test_the_card_is_written_for_visitors(exported):
    """What the demo does, each tab, each model and its card, the licences, and how to run it."""
    import liif
    from studio.tabs import TABS

    text = (exported.folder / "README.md").read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2]
    for tab in TABS:
        assert f"**{tab.label}**" in body and tab.summary in body
    for name in liif.list_models():
        assert f"`{name}`" in body and f"(liif/weights/{name}.md)" in body
    assert "non-commercial" in body and "MIT" in body and "## Run it on your machine" in body
    assert "tests/" not in body and "bash " not in body  # nothing of the development tree


def test_every_command_on_the_card_works_in_the_exported_folder(exported, tmp_path):
    """The commands name files the folder has, and none needs the project's pyproject (the folder has none)."""
    commands = _commands((exported.folder / "README.md").read_text(encoding="utf-8"))
    assert commands == [f'pip install -r requirements.txt "gradio=={space.SpaceCard().sdk_version}"', "python app.py"]
    for command in commands:
        for name in re.findall(r"(?:-r|python)\s+(\S+)", command):
            assert (exported.folder / name).is_file(), command
    with_repository = space.export(tmp_path / "s", repository="https://example.org/someone/liif-studio.git")
    cloned = _commands((with_repository.folder / "README.md").read_text(encoding="utf-8"))
    # from a clone: the clone's folder is entered before anything needs the project's files
    assert cloned[2:] == ["git clone https://example.org/someone/liif-studio.git", "cd liif-studio",
                          "pip install -e . && python app.py"]


def test_export_never_replaces_what_is_not_a_previous_export(tmp_path, exported):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(LiifError, match="not empty"):
        space.export(mine)
    with pytest.raises(LiifError, match="does not hold a previous export"):
        space.export(mine, overwrite=True)
    assert (mine / "notes.txt").read_text() == "keep me"
    with pytest.raises(LiifError, match="not empty"):
        space.export(exported.folder)
    again = space.export(exported.folder, overwrite=True)  # a previous export is replaced
    assert again.files == exported.files


def test_the_command_prints_the_size_and_how_to_publish(tmp_path, capsys):
    assert main(["space", "export", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert re.search(r"wrote \d+ files, \d+\.\d MB in all", out)
    assert f"hf upload USER/NAME {tmp_path / 's'} . --repo-type space" in out
    assert main(["space", "export", str(tmp_path / "s")]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_requirements_are_pyprojects_dependencies_less_the_sdk():
    tomllib = pytest.importorskip("tomllib")
    from packaging.requirements import Requirement

    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    lines = [line.strip() for line in (REPO / "requirements.txt").read_text().splitlines()]
    listed = [Requirement(line) for line in lines if line and not line.startswith(("#", "-"))]
    expected = [Requirement(d) for d in declared if Requirement(d).name != "gradio"]
    assert [str(r) for r in listed] == [str(r) for r in expected]
    assert not any(line.startswith("--") for line in lines)  # no CPU-only index: GPU hardware gets CUDA torch


def test_gpu_task_is_spaces_gpu_where_the_package_is_installed(monkeypatch):
    import types

    from studio import zerogpu

    def handler(x: int) -> int:
        return x + 1

    monkeypatch.setattr(zerogpu, "spaces", None)
    assert zerogpu.gpu_task(handler) is handler
    calls = []
    fake = types.SimpleNamespace(GPU=lambda fn: calls.append(fn) or (lambda *a: fn(*a) * 10))
    monkeypatch.setattr(zerogpu, "spaces", fake)
    assert zerogpu.gpu_task(handler)(1) == 20 and calls == [handler]


@pytest.mark.slow
def test_the_exported_folder_boots_as_a_space_and_upscales(exported, tmp_path):
    """`python app.py` in the folder, as a Space runs it: the packages come from the folder itself."""
    from gradio_client import Client, handle_file

    folder = exported.folder
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LIIF_", "PYTHONPATH", "NUMBA_CACHE_DIR", "PYTHONPYCACHEPREFIX"))}
    cache = tmp_path / "cache"
    env.update(SPACE_ID="someone/liif-studio", LIIF_PREFETCH="none", GRADIO_ANALYTICS_ENABLED="False",
               OMP_NUM_THREADS="1", XDG_CACHE_HOME=str(cache))
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    where = subprocess.run([sys.executable, "-c", "import app, liif, iqa, studio; "
                            "print('\\n'.join(m.__file__ for m in (app, liif, iqa, studio)))"],
                           cwd=folder, env={**env, "PYTHONDONTWRITEBYTECODE": "1"}, capture_output=True, text=True,
                           check=True).stdout.split()
    assert len(where) == 4 and all(path.startswith(str(folder)) for path in where), where
    port = free_port()
    env.update(GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port))
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "app.py"], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline, client = time.time() + 120, None
        while client is None:
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            assert time.time() < deadline, "the exported app did not start within 120 s"
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            except Exception:  # not listening yet
                time.sleep(1)
        photo = tmp_path / "small.png"
        cat = np.asarray(Image.open(folder / "examples" / "chelsea.png").convert("RGB"))
        Image.fromarray(cat[:32, :40]).save(photo)
        result = client.predict(handle_file(str(photo)), "Scale factor", 2, 64, 64, "edsr-baseline-lmliif (bundled)",
                                "", "exact", False, 0.5, 0.5, False, api_name="/upscale")
        with Image.open(result[3]) as out:
            assert out.size == (80, 64)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    # the folder to upload is as it was: numba's kernel and Python's bytecode went to the user's cache
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before
    assert list((cache / "liif-studio" / "numba").rglob("*.nbi")), "numba's cache is not in the user's cache"
