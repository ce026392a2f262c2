"""The README's and the model cards' figures are the committed measurements, and the weights reproduce them."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from conftest import EVAL

import liif
from liif.evaluate import evaluate_folder

ROOT = Path(__file__).resolve().parents[1]


def _docs_script(name: str):
    """Import docs/<name>.py, a script outside the package."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tables = _docs_script("make_eval_tables")

DOCS = [ROOT / "README.md", ROOT / "liif" / "weights" / "edsr-baseline-lmliif.md"]


def _rows(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith(("| Set", "| LM-LIIF"))]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_lmliif_tables_in_docs_are_the_committed_results(doc):
    """Every row `docs/make_eval_tables.py` prints from runs/*/eval*/results.json is in the document."""
    text = doc.read_text()
    main, modes = tables.build_tables("edsr-baseline-lmliif", "LM-LIIF", "edsr-baseline-liif", "bundled LIIF")
    assert {row.split(" | ")[0] for row in _rows(modes)} == {
        "| LM-LIIF, 8x self-ensemble", "| LM-LIIF, back-projection", "| LM-LIIF, self-ensemble + back-projection"}
    for row in _rows(main):
        # a document may add a 'change since' column after these cells
        assert row.removesuffix("|") in text, f"{doc.name} lacks or misquotes: {row}"
    for row in _rows(modes):
        assert row in text, f"{doc.name} lacks or misquotes: {row}"



# The LM-LIIF-over-LIIF range is also quoted in prose; `make_eval_tables --write` rewrites those quotes.
QUOTES_OF_THE_LEAD = {"README.md": 2, "liif/weights/edsr-baseline-lmliif.md": 1, "app.py": 1, "liif/zoo.py": 1}


@pytest.mark.parametrize("path,count", QUOTES_OF_THE_LEAD.items(), ids=list(QUOTES_OF_THE_LEAD))
def test_quoted_lead_over_liif_is_the_committed_range(path, count):
    """Where prose quotes how far LM-LIIF is above LIIF, it is the main table's range, as that table rounds it."""
    low, high = tables.lead(tables.load("edsr-baseline-lmliif"), tables.load("edsr-baseline-liif"))
    lo, hi = f"{low:.2f}", f"{high:.2f}"
    text = (ROOT / path).read_text()
    assert text.count(f"{lo} to +{hi} dB") + text.count(f"{lo} to {hi} dB") == count, \
        f"{path} should quote the lead over LIIF as {lo} to {hi} dB"
    assert tables.put_lead(text, "LIIF", low, high) == (text, count)


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


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
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


def test_committed_results_are_reproduced_by_the_bundled_default_weights():
    """`liif eval` of the shipped default on Set5 x4 and x8 gives the committed table's figures."""
    committed = tables.load("edsr-baseline-lmliif")
    assert liif.DEFAULT_MODEL == "edsr-baseline-lmliif"
    rows = evaluate_folder(liif.load_model(), EVAL / "Set5", [4, 8], precision="exact")
    for row in rows:
        want = committed[("Set5", float(row["scale"]))]
        assert row["psnr"] == pytest.approx(want["psnr"], abs=1e-3)
        assert row["ssim"] == pytest.approx(want["ssim"], abs=1e-4)


def test_write_puts_fresh_tables_in_place_of_the_old_ones_and_nothing_else():
    """`--write`: the main and quality-mode tables are replaced whole; the LIIF tables and prose stay."""
    main, modes = tables.build_tables("edsr-baseline-lmliif", "LM-LIIF", "edsr-baseline-liif", "bundled LIIF",
                                      against_short="LIIF")
    readme = (ROOT / "README.md").read_text()
    stale = readme.replace(_rows(main)[2], "| Set5 | x4 | **30.00** / 0.8000 | stale |")
    stale = stale.replace(_rows(modes)[0], "| LM-LIIF, 8x self-ensemble | Set5 | stale |")
    assert stale != readme
    fresh = tables.put_tables(stale, "LM-LIIF", main, modes)
    assert "stale" not in fresh and all(row in fresh for row in _rows(main) + _rows(modes))
    assert fresh.count("| bundled LIIF | Set5 |") == readme.count("| bundled LIIF | Set5 |") == 1
    assert tables.put_tables(fresh, "LM-LIIF", main, modes) == fresh
    outside = [line for line in fresh.splitlines() if not line.startswith("|")]
    assert outside == [line for line in readme.splitlines() if not line.startswith("|")]
    with pytest.raises(ValueError, match="expected one main table of RDN"):
        tables.put_tables(readme, "RDN", main, [])


def test_training_plot_marks_every_restart_after_the_unfreeze_and_no_warm_up_or_cosine_step(tmp_path):
    """The figure's cycle lines come from the log: a rate jump of over 4x from the last row, after the unfreeze."""
    plot = _docs_script("make_training_plot")
    log = tmp_path / "log.csv"
    rows = [(25, 2.5e-5), (50, 5e-5), (75, 7.5e-5), (100, 1e-4), (125, 2e-6),  # warm-up, then a cosine
            (150, 1e-4), (175, 5e-5), (200, 2e-5), (225, 1e-4), (250, 9e-5)]  # restarts after 125 and 200
    log.write_text("step,loss,lr,val_psnr,elapsed_s,steps_per_s\n"
                   + "".join(f"{s},0.1,{lr},,{s},1\n" for s, lr in rows))
    synthetic = plot.read_log(log)
    assert plot.cycle_restarts(synthetic, after=0) == [125, 200]
    assert plot.cycle_restarts(synthetic, after=150) == [200]
    committed = plot.cycle_restarts(plot.read_log(ROOT / "runs" / "edsr-baseline-lmliif" / "log.csv"),
                                    plot.LMLIIF_UNFROZEN_AT)
    # the README lists the whole-model cycles as "(steps 6163-8404, 1.70 h; 8404-11200, 2.06 h; ...)"; each one
    # after the first must show in the log, at most one 25-step row before the step it began at
    readme = " ".join((ROOT / "README.md").read_text().split())
    cycles = readme[readme.index("(steps 6163-"):]
    starts = [int(a) for a in re.findall(r"(\d+)-\d+, \d+\.\d+ h", cycles[:cycles.index(")")])]
    assert starts[0] == plot.LMLIIF_UNFROZEN_AT and len(starts) >= 8
    assert len(committed) == len(starts) - 1
    assert all(0 <= start - step < 25 for step, start in zip(committed, starts[1:], strict=True))
