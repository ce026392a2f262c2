"""studio.reports: the verdict first, readable numbers with units, one line for unavailable scores."""
from __future__ import annotations

from dataclasses import replace

import pytest

from iqa import Report, Score
from studio import reports


def _score(key="laplacian_var", name="Laplacian variance", group="sharpness", value=2.0, baseline=1.0,
           direction="higher", range_="0 to unbounded", reading="2.0x the edge contrast of bicubic (sharper)",
           available=True, reason=""):
    return Score(key, name, group, value, baseline, direction, range_, reading, available, reason)


def _report() -> Report:
    return Report([
        _score(),
        _score("consistency_psnr", "Consistency with input", "consistency", 41.234, 39.0, "higher",
               "0 to unbounded dB (identical: inf)", "faithful to the input: 41.2 dB shrunk back"),
        _score("colourfulness_change", "Colourfulness change", "tone", 1.2345, -0.5, "none",
               "-100% to unbounded (0 = unchanged)", "colourfulness unchanged (+1.2%)"),
        _score("hf_share", "High-frequency share", "sharpness", 0.007645, 0.001, "higher", "0 to 1", "more detail"),
        _score("musiq", "MUSIQ", "no-reference", None, None, "higher", "~0 to ~100", "unavailable", False,
               "weights not found: /root/.cache/x.pth. Run `liif prefetch musiq` where ..."),
        _score("clip_clarity", "CLIP clarity", "clip-clarity", None, None, "higher", "0 to 1", "unavailable", False,
               "CLIP weights not found; run `liif prefetch clip_clarity` ..."),
        _score("psnr_y", "PSNR (Y)", "full-reference", 30.5, 28.25, "higher", "0 to unbounded dB",
               "30.50 dB vs reference: +2.25 dB over bicubic (28.25 dB)"),
    ])


@pytest.mark.parametrize("value, unit, signed, text", [
    (0.007646, "", False, "0.00765"), (-0.01476, "", False, "-0.0148"), (1234.5, "", False, "1,234"),
    (41.234, " dB", False, "41.23 dB"), (1.2345, "%", True, "+1.23%"), (-2.5, " L*", True, "-2.50 L*"),
    (None, "", False, "-"), (float("inf"), " dB", False, "identical (inf)"), (0.0, "", False, "0"),
])
def test_format_number(value, unit, signed, text):
    assert reports.format_number(value, unit, signed) == text


def test_units_come_from_the_catalogue_range():
    assert reports.unit_of("0 to unbounded dB (identical: inf)") == " dB"
    assert reports.unit_of("0 to ~100 dE (<1 invisible)") == " dE"
    assert reports.unit_of("-100 to 100 L* (0 = unchanged)") == " L*"
    assert reports.unit_of("-100% to unbounded") == "%"
    assert reports.unit_of("0 to 1") == ""


class _NoVerdict(Report):
    """A report from an iqa without ``Report.verdict``."""

    verdict = None


def test_verdict_is_iqa_s_when_present_else_the_headline_readings():
    report = _report()
    if isinstance(getattr(Report, "verdict", None), property):
        assert reports.verdict(report) == report.verdict.strip() and report.verdict.strip()
    fallback = reports.verdict(_NoVerdict(report.rows))
    assert fallback.startswith("Compared with bicubic") and "30.50 dB vs reference" in fallback
    assert fallback.index("30.50 dB") < fallback.index("edge contrast")  # full-reference first


def test_html_puts_the_verdict_first_and_folds_unavailable_scores():
    html = reports.report_html(_report(), fetch_note="They are downloading.")
    assert html.index("studio-verdict") < html.index("<table") < html.index("studio-unavailable")
    assert html.count('<td data-label="Score">') == 5  # the available rows only
    assert "Not shown: MUSIQ, CLIP clarity need model weights that are not on this server yet." in html
    assert "They are downloading." in html
    assert "liif prefetch musiq" not in html and "/root/.cache" not in html
    assert "<strong>2.00</strong>" in html  # LIIF's value is bold where it beats bicubic
    assert "+1.23%" in html and "41.23 dB" in html and "0.00764" in html


def test_html_names_the_inputs_condition_under_the_verdict():
    report = _report()
    assert "studio-input" not in reports.report_html(report)
    report.meta["input_condition"] = "input: JPEG, quality about 50 - its block artefacts were removed"
    html = reports.report_html(report)
    assert html.index("studio-verdict") < html.index("studio-input") < html.index("<table")
    assert "Input: JPEG, quality about 50 - its block artefacts were removed.</p>" in html


def test_reference_scores_come_first_when_asked():
    html = reports.report_html(_report(), reference_first=True)
    assert html.index("PSNR (Y)") < html.index("Laplacian variance")
    html = reports.report_html(_report())
    assert html.index("Laplacian variance") < html.index("PSNR (Y)")


def test_scores_needing_a_reference_say_so():
    report = Report([_score(), replace(_score("lpips", "LPIPS", "full-reference"), available=False,
                                       reason="needs a reference image (--reference)")])
    assert "LPIPS need a reference image" in reports.unavailable_line(report)


def test_html_escapes_text_and_json_carries_the_verdict():
    report = Report([_score(reading="<b>x</b>")])
    assert "&lt;b&gt;x&lt;/b&gt;" in reports.report_html(report)
    data = reports.report_json(_report())
    assert data["verdict"] == reports.verdict(_report()) and len(data["rows"]) == 7
    assert reports.report_html(None) == "" and reports.report_json(None) is None


def test_the_report_says_what_it_cost():
    report = _report()
    assert reports.cost_line(report) == ""  # no timings: nothing said
    report.meta.update(seconds=0.9, row_seconds={"laplacian_var": 0.05, "piqe": 0.21})
    line = reports.cost_line(report)
    assert line.startswith("Computed in 0.90 s; slowest rows: ")
    assert line.index("0.21 s") < line.index("0.05 s")  # the slowest first
    assert line in reports.report_html(report)


def test_the_report_warm_up_runs_offline():
    assert reports.warm_up() is True
