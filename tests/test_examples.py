"""The examples run as a user runs them (few iterations here): PyTorch and Keras training recorded into
videos, and the notebook executed cell by cell, its videos inline."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run_example(name, *args, env=None):
    return subprocess.run([sys.executable, str(EXAMPLES / name), *map(str, args)], capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})})


def test_the_pytorch_example_records_seed_001s_neuron(tmp_path):
    pytest.importorskip("torch")
    r = run_example("torch_neuron.py", "--epochs", "3", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "torch-neuron" / "torch-neuron.mp4").is_file() and "y = relu(" in r.stdout


def test_the_keras_example_records_seed_000s_sine(tmp_path):
    if importlib.util.find_spec("keras") is None:
        pytest.skip("keras is not installed (pip install -e '.[test]')")
    r = run_example("keras_sine.py", "--epochs", "40", "--out", tmp_path, env={"KERAS_BACKEND": "torch"})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "keras-sine" / "keras-sine.mp4").is_file() and "after 40 updates" in r.stdout


@pytest.mark.slow
def test_the_notebook_plays_its_videos_inline(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    (tmp_path / "examples").mkdir()
    nb = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    setup = next(c for c in nb.cells if "QUICK = False" in c.source)
    setup.source = setup.source.replace("QUICK = False", "QUICK = True")
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path / "examples")}}).execute()
    shown = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
             if o.get("output_type") == "execute_result" and "text/html" in o.get("data", {})]
    assert len(shown) == 3 and all(s.startswith("<video") and "data:video/mp4;base64," in s for s in shown)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
    assert not errors
    assert (tmp_path / "examples" / "outputs" / "numpy-loop.npz").is_file()
