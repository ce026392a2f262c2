"""precision="auto": bf16 only where measured faster by the margin, cached per machine, overridable."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import liif
from liif import precision
from liif.precision import Measurement, ProbeConfig

CPU = torch.device("cpu")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Each test measures into its own cache, with no LIIF_PRECISION from the caller's shell."""
    monkeypatch.setenv(precision.ENV_CACHE, str(tmp_path))
    monkeypatch.delenv(precision.ENV_PRECISION, raising=False)
    monkeypatch.setattr(precision, "_THIS_PROCESS", {})  # each test is a fresh process
    return tmp_path


def _fake_measure(monkeypatch, fp32: float, bf16: float) -> list[torch.dtype]:
    calls = []

    def measure(device, dtype, cfg=None):
        calls.append(dtype)
        return Measurement(fp32 / 2, fp32 / 2) if dtype == torch.float32 else Measurement(bf16 / 2, bf16 / 2)

    monkeypatch.setattr(precision, "measure", measure)
    monkeypatch.setattr(precision, "_bf16_runs", lambda device: True)
    return calls


@pytest.mark.parametrize(("fp32", "bf16", "expected"), [
    (1.0, 0.5, "bf16"),    # twice as fast: native bf16 (AMX, AVX512-BF16)
    (1.0, 0.95, "exact"),  # 5% faster: under the margin, not worth bf16's rounding
    (1.0, 2.1, "exact"),   # emulated bf16 (issue 38's AVX-512 Xeon): slower
])
def test_bf16_is_chosen_only_when_faster_by_the_margin(monkeypatch, fp32, bf16, expected):
    _fake_measure(monkeypatch, fp32, bf16)
    found = precision.probe(CPU)
    assert found.precision == expected
    assert found.bf16_speedup == pytest.approx(fp32 / bf16)
    assert found.reason().startswith(expected)
    assert f"{fp32 / bf16:.2f}x" in found.reason()


def test_the_answer_is_measured_once_then_read_from_the_user_cache(monkeypatch, isolated_cache):
    calls = _fake_measure(monkeypatch, 1.0, 0.5)
    first = precision.resolve("auto", CPU)
    assert first.precision == "bf16" and calls
    stored = json.loads((isolated_cache / "precision.json").read_text())
    assert stored[precision.machine_key(CPU)]["precision"] == "bf16"
    calls.clear()
    assert precision.resolve("auto", CPU) == first
    assert calls == []  # the second engine does not measure again
    monkeypatch.setattr(precision, "_THIS_PROCESS", {})
    assert precision.resolve("auto", CPU) == first
    assert calls == []  # nor does the next process: it reads the user cache


def test_the_cache_is_keyed_by_the_machine_and_its_isa_caps(monkeypatch):
    plain = precision.machine_key(CPU)
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    assert precision.machine_key(CPU) != plain  # a capped process must not read the uncapped answer


def test_a_corrupt_cache_is_measured_again(monkeypatch, isolated_cache):
    (isolated_cache / "precision.json").write_text("{not json")
    _fake_measure(monkeypatch, 1.0, 2.0)
    assert precision.resolve("auto", CPU).precision == "exact"
    assert json.loads((isolated_cache / "precision.json").read_text())  # rewritten whole


def test_liif_precision_overrides_without_measuring(monkeypatch):
    calls = _fake_measure(monkeypatch, 1.0, 0.5)
    monkeypatch.setenv(precision.ENV_PRECISION, "exact")
    chosen = precision.resolve("auto", CPU)
    assert (chosen.precision, calls) == ("exact", [])
    assert "LIIF_PRECISION" in chosen.reason
    monkeypatch.setenv(precision.ENV_PRECISION, "fast")
    with pytest.raises(liif.InputError, match="LIIF_PRECISION='fast' is not a precision"):
        precision.resolve("auto", CPU)


def test_an_explicit_precision_is_kept():
    assert precision.resolve("exact", CPU).precision == "exact"
    assert precision.resolve("bf16", CPU).reason == "bf16: asked for"


def test_the_real_probe_measures_both_precisions_here():
    cfg = ProbeConfig(conv_side=16, gemm_rows=256, repeats=1)
    for dtype in (torch.float32, torch.bfloat16):
        m = precision.measure(CPU, dtype, cfg)
        assert m.conv_s > 0 and m.gemm_s > 0
    found = precision.probe(CPU, cfg)
    assert found.precision in ("exact", "bf16")
    assert found.threads >= 1 and found.machine


def test_the_probe_leaves_the_global_generator_and_threads_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    threads = torch.get_num_threads()
    torch.manual_seed(123)
    precision.probe(CPU, ProbeConfig(conv_side=8, gemm_rows=64, repeats=1))
    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads


def test_the_engine_runs_auto_as_the_probe_says_and_says_why(monkeypatch, tiny_model):
    image = np.random.default_rng(0).integers(0, 256, (12, 12, 3), dtype=np.uint8)
    for env, expected in (("bf16", "bf16"), ("exact", "exact")):
        monkeypatch.setenv(precision.ENV_PRECISION, env)
        up = liif.Upscaler(tiny_model, precision="auto")
        assert up.config.precision == expected
        assert "LIIF_PRECISION" in up.precision_reason
        assert up.upscale(image, scale=2).shape == (24, 24, 3)
    with pytest.raises(liif.InputError, match="precision must be one of auto"):
        liif.Upscaler(tiny_model, precision="fast")


def test_cpu_class_names_the_instruction_set(monkeypatch):
    named = precision.cpu_class()
    assert any(isa in named for isa in ("AVX2 only", "AVX-512", "x86_64", "aarch64", "arm64"))
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    assert precision.cpu_class().endswith("oneDNN capped at AVX2")


def test_threads_are_lowered_only_where_the_default_oversubscribes(monkeypatch):
    _fake_measure(monkeypatch, 1.0, 0.5)
    monkeypatch.setattr(precision, "_available_cores", lambda: 64)
    assert precision.probe(CPU).thread_timings == {}  # enough cores: nothing measured, nothing changed
    monkeypatch.setattr(precision, "_available_cores", lambda: 1)
    saved = torch.get_num_threads()
    torch.set_num_threads(4)
    try:
        found = precision.probe(CPU)  # the fake measure makes both counts equal: the default stays
        assert set(found.thread_timings) == {"4", "1"} and found.threads == 4
    finally:
        torch.set_num_threads(saved)


def test_an_answer_near_the_margin_is_used_but_measured_again_next_time(monkeypatch, isolated_cache):
    calls = _fake_measure(monkeypatch, 1.0, 1.0 / 1.14)  # 1.14x: bf16, but a busy machine can read that
    assert precision.resolve("auto", CPU).precision == "bf16"
    assert not (isolated_cache / "precision.json").exists()
    calls.clear()
    assert precision.resolve("auto", CPU).precision == "bf16"
    assert calls == []  # within one process the first answer holds: no 0.5 s probe per click, no flip
    monkeypatch.setattr(precision, "_THIS_PROCESS", {})  # the next process
    precision.resolve("auto", CPU)
    assert calls  # probed again, not read from a cache
    monkeypatch.setattr(precision, "_THIS_PROCESS", {})
    _fake_measure(monkeypatch, 1.0, 0.5)  # a clear 2x is kept
    precision.resolve("auto", CPU)
    assert (isolated_cache / "precision.json").exists()
