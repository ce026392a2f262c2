"""The model cards' figures are the committed measurements, written once, and the weights reproduce them."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from conftest import EVAL

import liif
from liif.evaluate import evaluate_folder

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str):
    """Import tools/<name>.py, a script outside the packages."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tables = _tool("make_eval_tables")

LMLIIF_CARD = ROOT / "liif" / "weights" / "edsr-baseline-lmliif.md"
LIIF_CARD = ROOT / "liif" / "weights" / "edsr-baseline-liif.md"
OWNERS = [ROOT / doc for doc in tables.DOCS]  # the documents that own LM-LIIF's figures
# Every other place a reader or a developer meets: these link to the owners instead of quoting them.
ELSEWHERE = [ROOT / "README.md", LIIF_CARD, ROOT / "app.py", ROOT / "liif" / "zoo.py",
             *sorted((ROOT / "docs").glob("*.md"))]


def _rows(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith(("| Set", "| LM-LIIF", "| bundled LIIF"))]


def _lmliif_tables() -> tuple[list[str], list[str]]:
    return tables.build_tables("edsr-baseline-lmliif", "LM-LIIF", "edsr-baseline-liif", "bundled LIIF",
                               against_short="LIIF")


def test_the_writer_owns_only_markdown_documents():
    """`--write` has the model card to write into, and no source file: no script rewrites code or comments."""
    assert LMLIIF_CARD in OWNERS
    for doc in OWNERS:
        assert doc.suffix == ".md" and doc.is_file(), doc


@pytest.mark.parametrize("doc", OWNERS, ids=lambda p: p.name)
def test_lmliif_tables_in_docs_are_the_committed_results(doc):
    """Every row `tools/make_eval_tables.py` prints from runs/*/eval*/results.json is in the owning document."""
    text = doc.read_text()
    main, modes = _lmliif_tables()
    assert {row.split(" | ")[0] for row in _rows(modes)} == {
        "| LM-LIIF, 8x self-ensemble", "| LM-LIIF, back-projection", "| LM-LIIF, self-ensemble + back-projection"}
    for row in _rows(main):
        # a document may add a 'change since' column after these cells
        assert row.removesuffix("|") in text, f"{doc.name} lacks or misquotes: {row}"
    for row in _rows(modes):
        assert row in text, f"{doc.name} lacks or misquotes: {row}"


def test_liif_card_tables_are_the_committed_results():
    """The LIIF card's main and back-projection tables are its run's results.json, as the writer rounds them."""
    text = LIIF_CARD.read_text()
    plain = tables.load("edsr-baseline-liif")
    for (dataset, scale), r in plain.items():
        row = (f"| {dataset} | {tables.scale_name(scale)} | **{r['psnr']:.2f}** / {r['ssim']:.4f} | "
               f"{r['bicubic_psnr']:.2f} / {r['bicubic_ssim']:.4f} | {r['psnr'] - r['bicubic_psnr']:+.2f} |")
        assert row in text, f"{LIIF_CARD.name} lacks or misquotes: {row}"
    modes = tables.mode_table({"bundled LIIF": (tables.load("edsr-baseline-liif", "eval-bp3"), plain)})
    assert len(_rows(modes)) == 2
    for row in _rows(modes):
        assert row in text, f"{LIIF_CARD.name} lacks or misquotes: {row}"


@pytest.mark.parametrize("doc", ELSEWHERE, ids=lambda p: str(p.relative_to(ROOT)))
def test_lmliif_figures_are_written_in_one_place(doc):
    """Outside the owning card no page, card or source quotes LM-LIIF's table rows, its lead or its gain."""
    text = doc.read_text()
    main, modes = _lmliif_tables()
    for row in _rows(main) + _rows(modes):
        assert row[:40] not in text, f"{doc.name} restates a table row of the card: {row}"
    low, high = tables.lead(tables.load("edsr-baseline-lmliif"), tables.load("edsr-baseline-liif"))
    assert f"{low:.2f} to +{high:.2f} dB" not in text and f"{low:.2f} to {high:.2f} dB" not in text, \
        f"{doc.name} quotes the lead over LIIF: link to {LMLIIF_CARD.name} instead"
    assert tables.put_lead(text, "LIIF", low, high)[1] == 0
    assert tables.put_gain(text, 0.0, 0.0)[1] == 0, f"{doc.name} quotes the fine-tuning's gain"


@pytest.mark.parametrize("doc", OWNERS, ids=lambda p: p.name)
def test_quoted_lead_over_liif_is_the_committed_range(doc):
    """Where the card says how far LM-LIIF is above LIIF, it is the main table's range, as that table rounds it."""
    low, high = tables.lead(tables.load("edsr-baseline-lmliif"), tables.load("edsr-baseline-liif"))
    lo, hi = f"{low:.2f}", f"{high:.2f}"
    text = doc.read_text()
    assert text.count(f"{lo} to +{hi} dB") + text.count(f"{lo} to {hi} dB") == 1, \
        f"{doc.name} should quote the lead over LIIF once, as {lo} to {hi} dB"
    assert tables.put_lead(text, "LIIF", low, high) == (text, 1)


def test_put_lead_rewrites_the_quotes_of_the_lead_and_no_other_range():
    """Both quote forms get the new range, keeping their sign style; other models' and bare ranges stay."""
    text = ("It beats LIIF on every scale (+0.13 to +0.37 dB). Faster too\n(0.13 to 0.37 dB above LIIF).\n"
            "LM-LIIF gained (+0.01 to +0.04 dB). Fine-tuning gained 0.16 to 0.45 dB at every scale.\n"
            "It is above RDN (0.13 to 0.37 dB above RDN); LIIF came first. Then it gained (+0.02 to +0.03 dB).")
    fresh, count = tables.put_lead(text, "LIIF", -0.02, 0.5)
    assert count == 2
    assert fresh == (text.replace("(+0.13 to +0.37 dB)", "(-0.02 to +0.50 dB)")
                     .replace("(0.13 to 0.37 dB above LIIF)", "(-0.02 to 0.50 dB above LIIF)"))
    assert tables.lead({("Set5", 4.0): {"psnr": 31.5}, ("Set5", 8.0): {"psnr": 26.4}},
                       {("Set5", 4.0): {"psnr": 31.2}, ("Set5", 8.0): {"psnr": 26.3}}) == pytest.approx((0.1, 0.3))


@pytest.mark.parametrize("doc", OWNERS, ids=lambda p: p.name)
def test_quoted_fine_tuning_gain_is_the_committed_range(doc):
    """"The fine-tuning gained lo to hi dB" is today's results against those kept from its start."""
    run = "edsr-baseline-lmliif"
    low, high = tables.lead(tables.load(run), tables.load(run, tables.FINE_TUNING_FROM))
    assert low > 0, "the fine-tuning's range should be a gain at every scale"
    text = doc.read_text()
    fresh, count = tables.put_gain(text, low, high)
    assert count == 1, f"{doc.name} should say once that the fine-tuning gained (a range) dB"
    assert fresh == text, f"{doc.name} should say the fine-tuning gained {low:.2f} to {high:.2f} dB"


def test_put_gain_rewrites_the_fine_tuning_gain_across_a_line_break_and_no_other_range():
    """Only "the fine-tuning gained" quotes change, keeping their line breaks; a cycle's own gain stays."""
    text = ("The fine-tuning gained 0.16 to 0.45 dB at every scale; session 4 gained 0.03 to 0.10 dB.\n"
            "Then the\n  fine-tuning gained 0.18 to\n  0.50 dB (+0.13 to +0.37 dB above LIIF).")
    fresh, count = tables.put_gain(text, 0.2, 0.551)
    assert count == 2
    assert fresh == (text.replace("0.16 to 0.45", "0.20 to 0.55")
                     .replace("0.18 to\n  0.50", "0.20 to\n  0.55"))


@pytest.mark.skipif(not (EVAL / "Set5").is_dir(), reason=f"{EVAL / 'Set5'} is absent (CI has ../shared)")
def test_committed_results_are_reproduced_by_the_bundled_default_weights():
    """`liif eval` of the shipped default on Set5 x4 and x8 gives the committed table's figures."""
    committed = tables.load("edsr-baseline-lmliif")
    assert liif.DEFAULT_MODEL == "edsr-baseline-lmliif"
    rows = evaluate_folder(liif.create_model(), EVAL / "Set5", [4, 8], precision="exact")
    for row in rows:
        want = committed[("Set5", float(row["scale"]))]
        assert row["psnr"] == pytest.approx(want["psnr"], abs=1e-3)
        assert row["ssim"] == pytest.approx(want["ssim"], abs=1e-4)


def test_write_puts_fresh_tables_in_place_of_the_old_ones_and_nothing_else():
    """`put_tables`: the main and quality-mode tables are replaced whole; the LIIF tables and prose stay."""
    main, modes = _lmliif_tables()
    liif_modes = [line for line in LIIF_CARD.read_text().splitlines() if line.startswith("| bundled LIIF | ")]
    assert len(liif_modes) == 2
    # the card, with a LIIF quality-mode table after it: a table that is not LM-LIIF's must survive
    doc = LMLIIF_CARD.read_text() + "\n| model | dataset | x2 |\n|---|---|---|\n" + "\n".join(liif_modes) + "\n"
    stale = doc.replace(_rows(main)[2].removesuffix("|"), "| Set5 | x4 | **30.00** / 0.8000 | stale |")
    stale = stale.replace(_rows(modes)[0], "| LM-LIIF, 8x self-ensemble | Set5 | stale |")
    assert stale.count("stale") == 2
    fresh = tables.put_tables(stale, "LM-LIIF", main, modes)
    assert "stale" not in fresh and all(row in fresh for row in _rows(main) + _rows(modes))
    assert fresh.count("| bundled LIIF | Set5 |") == doc.count("| bundled LIIF | Set5 |") == 1
    assert tables.put_tables(fresh, "LM-LIIF", main, modes) == fresh
    outside = [line for line in fresh.splitlines() if not line.startswith("|")]
    assert outside == [line for line in doc.splitlines() if not line.startswith("|")]
    with pytest.raises(ValueError, match="expected one main table of RDN"):
        tables.put_tables(doc, "RDN", main, [])


def test_write_touches_only_the_owning_documents(tmp_path, monkeypatch, capsys):
    """`make_eval_tables --write` on a copy of the checkout: the stale card is made fresh, every other file
    (README, docs pages, the other card, app.py, liif/zoo.py) keeps its bytes, and no .py file is opened for writing."""
    copied = [Path("README.md"), Path("app.py"), Path("liif/zoo.py"),
              *(p.relative_to(ROOT) for p in (ROOT / "liif" / "weights").glob("*.md")),
              *(p.relative_to(ROOT) for p in (ROOT / "docs").glob("*.md")),
              *(p.relative_to(ROOT) for p in (ROOT / "runs").glob("*/eval*/results.json"))]
    for rel in copied:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes((ROOT / rel).read_bytes())
    card = tmp_path / tables.DOCS[0]
    main, modes = _lmliif_tables()
    low, high = tables.lead(tables.load("edsr-baseline-lmliif"), tables.load("edsr-baseline-liif"))
    stale = (card.read_text().replace(_rows(modes)[0], "| LM-LIIF, 8x self-ensemble | Set5 | stale |")
             .replace(f"(+{low:.2f} to +{high:.2f} dB)", "(+0.01 to +0.02 dB)"))
    assert stale != card.read_text()
    card.write_text(stale)
    before = {rel: (tmp_path / rel).read_bytes() for rel in copied}

    written = []
    real_write_text = Path.write_text

    def recording_write_text(self, *args, **kwargs):
        written.append(Path(self))
        return real_write_text(self, *args, **kwargs)

    monkeypatch.setattr(tables, "ROOT", tmp_path)
    monkeypatch.setattr(Path, "write_text", recording_write_text)
    monkeypatch.setattr(sys, "argv", ["make_eval_tables.py", "--write"])
    tables.main()
    monkeypatch.undo()

    assert written == [card]
    text = card.read_text()
    assert "stale" not in text and all(row in text for row in _rows(main) + _rows(modes))
    assert f"(+{low:.2f} to +{high:.2f} dB)" in text and "(+0.01 to +0.02 dB)" not in text
    committed = (ROOT / tables.DOCS[0]).read_text()  # around the tables, the card is as committed
    assert [line for line in text.splitlines() if not line.startswith("|")] == \
        [line for line in committed.splitlines() if not line.startswith("|")]
    changed = {str(rel) for rel in copied if (tmp_path / rel).read_bytes() != before[rel]}
    assert changed == {tables.DOCS[0]}
    assert "quoted 1x" in capsys.readouterr().out


DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
             *sorted((ROOT / "liif" / "weights").glob("*.md"))]
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _anchors(doc: Path) -> set[str]:
    """GitHub's anchors for a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", doc.read_text(), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_readme_is_short():
    """The README is for newcomers (issue 28): the rest lives in docs/."""
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc):
    """Every relative link and picture of the README, the docs pages and the cards names a file that exists, and
    its #anchor a heading there."""
    for target in _LINK.findall(doc.read_text()):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        file = (doc.parent / path).resolve() if path else doc
        assert file.is_file(), f"{doc.relative_to(ROOT)} links to {target}, which does not exist"
        if anchor and file.suffix == ".md":
            assert anchor in _anchors(file), f"{doc.relative_to(ROOT)} links to {target}: no such heading"


def test_training_plot_marks_every_restart_after_the_unfreeze_and_no_warm_up_or_cosine_step(tmp_path):
    """The figure's cycle lines come from the log: a rate jump of over 4x from the last row, after the unfreeze."""
    plot = _tool("make_training_plot")
    log = tmp_path / "log.csv"
    rows = [(25, 2.5e-5), (50, 5e-5), (75, 7.5e-5), (100, 1e-4), (125, 2e-6),  # warm-up, then a cosine
            (150, 1e-4), (175, 5e-5), (200, 2e-5), (225, 1e-4), (250, 9e-5)]  # restarts after 125 and 200
    log.write_text("step,loss,lr,val_psnr,elapsed_s,steps_per_s\n"
                   + "".join(f"{s},0.1,{lr},,{s},1\n" for s, lr in rows))
    synthetic = plot.read_log(log)
    assert plot.cycle_restarts(synthetic, after=0) == [125, 200]
    assert plot.cycle_restarts(synthetic, after=150) == [200]
    assert plot.ROOT == ROOT  # tools/ is one level down, as docs/ was: the plot still lands in docs/training.png
    committed = plot.cycle_restarts(plot.read_log(ROOT / "runs" / "edsr-baseline-lmliif" / "log.csv"),
                                    plot.LMLIIF_UNFROZEN_AT)
    # the card lists every session as "Session 3 (steps 6163-8404, 1.70 h, ..."; each whole-model cycle after the
    # unfreeze must show in the log, at most one 25-step row before the step it began at
    card = " ".join(LMLIIF_CARD.read_text().split())
    sessions = [(int(a), int(b)) for a, b in re.findall(r"[Ss]ession \d+ \(steps (\d+)-(\d+), \d+\.\d+ h", card)]
    assert sessions[0][0] == 0 and all(b == a2 for (_, b), (a2, _) in zip(sessions, sessions[1:], strict=False))
    starts = [a for a, _ in sessions if a >= plot.LMLIIF_UNFROZEN_AT]
    assert starts[0] == plot.LMLIIF_UNFROZEN_AT and len(starts) >= 8
    assert len(committed) == len(starts) - 1
    assert all(0 <= start - step < 25 for step, start in zip(committed, starts[1:], strict=True))


def test_real_input_card_tables_are_the_committed_results():
    """The real-input model's card holds both models' gains on degraded inputs, as liif eval measured them."""
    inputs = _tool("make_inputs_table")
    text = inputs.CARD.read_text()
    found = inputs.tables()
    assert [begin for begin, _, _ in found] == [inputs.BEGIN, inputs.PHOTOS_BEGIN]
    for begin, end, lines in found:
        assert text.split(begin, 1)[1].split(end, 1)[0].strip() == "\n".join(lines)
        assert len([line for line in lines if line.startswith("| JPEG q50 | x4 |")]) == 1
        assert inputs.put(text, lines, begin, end) == text  # --write would change nothing
    assert "CBSD68" in found[1][2][0]  # the second table is on the held-out photos
