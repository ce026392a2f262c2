"""Scores start at once (issue 38): a row whose weights are absent costs no import of its library.

Checked in a fresh interpreter with an empty weight cache: a default report imports neither pyiqa nor
open_clip (the entropy row is a histogram; the CLIP rows find their weights absent from the file names),
and without a reference not scipy.stats either. How long that takes is benchmarks/bench_startup.py's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = """
import json, sys
import numpy as np
import iqa
low = (np.indices((48, 64)).sum(0) % 7 * 30).astype(np.uint8)[..., None].repeat(3, 2)
report = iqa.assess(np.kron(low, np.ones((4, 4, 1), np.uint8)), low)
rows = {r.key: r.available for r in report.rows}
print(json.dumps({"rows": rows, "loaded": sorted(m for m in ("pyiqa", "open_clip", "scipy.stats", "torchvision")
                                                 if m in sys.modules)}))
"""


def test_a_default_report_without_weights_imports_no_metric_library(tmp_path):
    env = {**os.environ, "LIIF_STUDIO_CACHE": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"]["entropy"] and result["rows"]["laplacian_var"]  # computed
    assert not result["rows"]["niqe"] and not result["rows"]["clip_clarity"]  # weights absent: reported so
    assert result["loaded"] == [], result["loaded"]
