"""Shared fixtures of the demo tests (test_app_api.py, test_app_browser.py): a tiny random LIIF model
in a temporary models folder, the app module, and the demo launched on a free localhost port.

This module has no tests of its own; it is named test_app_* so that it lives with the app's tests.
"""
from __future__ import annotations

import importlib.util
import os
import socket
import sys
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parents[1]
APP_CHOICE = "file: tiny.safetensors"


def load_app_module():
    """Import ``app.py`` from the repository root (it is a script, not an installed module)."""
    if "app" in sys.modules and getattr(sys.modules["app"], "__file__", None) == str(ROOT / "app.py"):
        return sys.modules["app"]
    spec = importlib.util.spec_from_file_location("app", ROOT / "app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
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
    old = os.environ.get("LIIF_MODELS_DIR")
    os.environ["LIIF_MODELS_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("LIIF_MODELS_DIR", None)
    else:
        os.environ["LIIF_MODELS_DIR"] = old


@pytest.fixture(scope="session")
def tiny_checkpoint(models_dir):
    return str(models_dir / "tiny.safetensors")


@pytest.fixture(scope="session")
def app_module(models_dir):
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
    from gradio_client import Client

    return Client(url, verbose=False)
