"""The report's rows, readings and verdicts on fixed images, recorded: a restructure must not change them.

The cases are the example references (examples/reference) reduced x4, enlarged by the validity suite's
alterations (noise, blur, JPEG, halos, pixelation, banding, tone changes, ...), plus the example inputs
(one a JPEG) enlarged plainly, and a tiny input: together every warning fires at least once
(checked below). Only the metrics that need no weights are recorded, so the fixture holds on every machine; of the line
about the input only what the report adds to ``liif.inspect``'s (the engine's) description is compared.

When a change is *meant* to alter the report (a re-fitted threshold, a new cue), re-record and review the
diff of the fixture: ``python tests/test_iqa_snapshot.py --record``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "iqa_snapshot.json"
# Floats agree to this relative tolerance: the same code on another CPU may round its last bits differently.
REL = 1e-6

ALTERED = ("bicubic", "unsharp_strong", "noise_8", "blur", "jpeg_q30", "shift_1px", "colour_cast", "nearest",
           "median_5", "down_up_2", "posterise_4", "posterise_smooth", "gamma_0.75", "contrast_1.35",
           "saturation_1.5")


def _rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def _cases() -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray | None]]:
    """(name, output, input, reference) of every recorded case."""
    import cv2

    from iqa.validity import alteration
    from iqa.validity.damages import ringing
    from liif.resize import pil_bicubic

    cases = []
    for i, path in enumerate(sorted((REPO / "examples" / "reference").glob("*.png"))[:2]):
        hr = _rgb(path)
        low = pil_bicubic(hr, (hr.shape[1] // 4, hr.shape[0] // 4))
        cases.append((f"{path.stem}/truth", hr, low, hr))
        for key in ALTERED if i == 0 else ALTERED[1:5]:
            cases.append((f"{path.stem}/{key}", alteration(key).make(hr, low), low, None))
        if i == 0:  # softer than bicubic, and further from the truth; what draws the eye moved
            softer = cv2.GaussianBlur(pil_bicubic(low, (hr.shape[1], hr.shape[0])), (0, 0), 2.0)
            cases.append((f"{path.stem}/softer", softer, low, hr))
            cases.append((f"{path.stem}/flipped", np.ascontiguousarray(hr[::-1, ::-1]), low, None))
            speckled = hr.copy()  # salt and pepper: 0.3% of the pixels black, 0.3% white
            picked = np.random.default_rng(0).choice(speckled.shape[0] * speckled.shape[1], 1 + 2 * 197, replace=False)
            speckled.reshape(-1, 3)[picked[::2]] = 0
            speckled.reshape(-1, 3)[picked[1::2]] = 255
            cases.append((f"{path.stem}/salt_and_pepper", speckled, low, None))
            cases.append((f"{path.stem}/gibbs_ringing", ringing(hr), low, None))
    for name, scale in (("chelsea_jpeg.jpg", 2), ("camera.png", 3)):
        low = _rgb(REPO / "examples" / name)
        cases.append((f"{name}/bicubic_x{scale}", pil_bicubic(low, (low.shape[1] * scale, low.shape[0] * scale)),
                      low, None))
    tiny = np.zeros((6, 6, 3), np.uint8)
    tiny[::2] = 255
    cases.append(("tiny", pil_bicubic(tiny, (24, 24)), tiny, None))
    return cases


def _offline_keys() -> list[str]:
    import iqa

    return [k for k in iqa.list_metrics() if not iqa.catalog.get(k).needs_weights]


def _record(output: np.ndarray, low: np.ndarray, reference: np.ndarray | None) -> dict:
    import iqa

    report = iqa.assess(output, low, reference=reference, metrics=_offline_keys())
    judged = iqa.judge(report)
    payload = json.loads(report.to_json())
    return {
        "verdict": payload["verdict"],
        "level": judged.level,
        "problems": list(judged.problems),
        "reference": judged.reference,
        # What the report adds to liif.inspect's line about the input (the line itself is the engine's).
        "input_note": payload["meta"]["input_condition"].partition(" - ")[2],
        "not_judged": payload["meta"]["not_judged"],
        "rows": [[r["key"], r["value"], r["baseline"], r["warning"], r["reading"], r["available"], r["reason"]]
                 for r in payload["rows"]],
        "order": [r["key"] for r in payload["rows"]],
    }


def _catalogue() -> dict:
    import iqa

    return {k: [m.name, m.group, m.direction, m.range, m.kind] for k, m in iqa.catalog.METRICS.items()}


def record() -> None:
    """Write the fixture from the current code."""
    data = {"catalogue": _catalogue(), "cases": {name: _record(out, low, ref) for name, out, low, ref in _cases()}}
    lines = ",\n".join(f"  {json.dumps(name)}: {json.dumps(case)}" for name, case in data["cases"].items())
    FIXTURE.write_text('{"catalogue": ' + json.dumps(data["catalogue"]) + ',\n "cases": {\n' + lines + "\n}}\n")


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isfinite(a) and math.isfinite(b) and math.isclose(a, b, rel_tol=REL, abs_tol=1e-12))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.fixture(scope="module")
def snapshot() -> dict:
    if not FIXTURE.is_file():
        pytest.fail(f"{FIXTURE} is missing: python tests/test_iqa_snapshot.py --record")
    return json.loads(FIXTURE.read_text())


def test_the_snapshot_fires_every_warning(snapshot):
    """The recorded cases exercise every warning the offline cues can raise (else a rule could change unseen)."""
    fired = {row[3] for case in snapshot["cases"].values() for row in case["rows"] if row[3]}
    expected = {"added noise", "halos", "block artefacts", "pixelation", "banding", "departs from the input",
                "texture lost", "resolution lost", "colour shift", "brightness changed", "contrast changed",
                "colourfulness changed", "JPEG blocks magnified", "saliency moved", "softer than bicubic",
                "isolated pixels", "ringing", "no sharper than bicubic", "further from the reference than bicubic"}
    assert expected <= fired, expected - fired
    assert any(case["not_judged"] for case in snapshot["cases"].values())


def test_the_catalogue_is_unchanged(snapshot):
    assert _catalogue() == snapshot["catalogue"]


def test_rows_readings_and_verdicts_are_unchanged(snapshot):
    cases = _cases()
    assert [name for name, *_ in cases] == list(snapshot["cases"])
    for name, output, low, reference in cases:
        got, want = _record(output, low, reference), snapshot["cases"][name]
        assert got["order"] == want["order"], name
        for row, expected in zip(got["rows"], want["rows"], strict=True):
            assert _same(row, expected), f"{name}: {row} != {expected}"
        for field in ("verdict", "level", "problems", "reference", "input_note", "not_judged"):
            assert got[field] == want[field], f"{name} {field}: {got[field]!r} != {want[field]!r}"


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python tests/test_iqa_snapshot.py --record")
    record()
    print(f"wrote {FIXTURE}")
