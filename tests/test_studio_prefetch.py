"""studio.prefetch: the background download of quality models, run here where the network is absent."""
from __future__ import annotations

import time

import pytest

import iqa
from studio import prefetch


def test_keys_for_a_spec():
    assert prefetch.keys_for("none") == [] and prefetch.keys_for("") == []
    keys = prefetch.keys_for("all")
    assert set(keys[1:]) == {k for k, m in iqa.METRICS.items() if m.needs_weights and m.kind != "clip"}
    assert iqa.METRICS[keys[0]].kind == "clip"  # the CLIP cues first, fetched once for all families
    assert sum(iqa.METRICS[k].kind == "clip" for k in keys) == 1
    assert prefetch.keys_for("niqe, brisque") == ["niqe", "brisque"]
    with pytest.raises(ValueError, match="unknown metric"):
        prefetch.keys_for("nope")


def test_plain_reasons():
    assert "could not be reached" in prefetch.plain_reason("URLError: <urlopen error [Errno -2] Name or service>")
    assert prefetch.plain_reason("KeyError: x") == "download failed: KeyError: x"


def test_a_failed_download_leaves_a_reason_without_blocking():
    started = time.monotonic()
    state = prefetch.start("niqe")  # no network here
    assert time.monotonic() - started < 1.0  # returns at once
    assert "Downloading in the background: NIQE" in state.summary()
    assert "downloading in the background" in state.report_note()
    deadline = time.monotonic() + 240
    while not state.finished and time.monotonic() < deadline:
        time.sleep(0.2)
    assert state.finished and state.failed == {"niqe": prefetch.plain_reason("URLError: network")}
    assert "Not available: NIQE, because the download servers could not be reached" in state.summary()
    assert "failed" in state.report_note()
    assert prefetch.start("none") is None and "liif prefetch" in prefetch.report_note(None)


def test_an_exception_in_one_download_does_not_stop_the_others(monkeypatch):
    calls = []

    def fake(keys):
        calls.append(keys[0])
        if keys[0] == "niqe":
            raise RuntimeError("boom")
        return [(keys[0], True, "ready")]

    monkeypatch.setattr(iqa, "prefetch", fake)
    state = prefetch.Prefetch(["niqe", "brisque"])
    state.run()
    assert calls == ["niqe", "brisque"] and state.done == ["brisque"]
    assert state.failed == {"niqe": "download failed: RuntimeError: boom"}
    assert "Ready: BRISQUE" in state.summary()
