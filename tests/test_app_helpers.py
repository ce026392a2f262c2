"""Fixtures and helpers of the demo tests (test_app_api.py, test_app_browser.py): a tiny random LIIF model
in a temporary models folder, the app module, and the demo served on a free localhost port.

Test modules load the fixtures with ``pytest_plugins = ["test_app_helpers"]``; this module has no tests.
"""
from __future__ import annotations

import importlib
import os
import socket
import sys
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parents[1]
APP_CHOICE = "tiny.safetensors (models folder)"
UPLOAD_CAP_MB = 2  # small, so that the test of the upload cap sends little


def load_app_module():
    """``import app`` (the repository root is on sys.path: pyproject's pytest ``pythonpath``)."""
    if str(ROOT) not in sys.path:  # run as a script: python tests/test_app_browser.py
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("app")


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory):
    """A models folder holding a tiny random LIIF checkpoint; LIIF_MODELS_DIR points at it."""
    import torch

    import liif

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("models")
    liif.save_checkpoint(liif.build_model(liif.ModelConfig.tiny()), folder / "tiny.safetensors")
    saved = {k: os.environ.get(k) for k in ("LIIF_MODELS_DIR", "LIIF_MAX_UPLOAD_MB")}
    os.environ["LIIF_MODELS_DIR"] = str(folder)
    os.environ["LIIF_MAX_UPLOAD_MB"] = str(UPLOAD_CAP_MB)
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def tiny_checkpoint(models_dir):
    """Path of the tiny random checkpoint."""
    return str(models_dir / "tiny.safetensors")


@pytest.fixture(scope="session")
def app_module(models_dir):
    """The app module, imported after the environment points at the tiny model."""
    return load_app_module()


@pytest.fixture(scope="module")
def launch_app(app_module):
    """The demo, served on a free localhost port; yields its URL."""
    demo = app_module.build_demo(default_model=APP_CHOICE)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **app_module.LAUNCH_OPTIONS)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def client_for(url: str):
    """A gradio_client for the served demo."""
    from gradio_client import Client

    return Client(url, verbose=False)
