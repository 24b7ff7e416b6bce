"""nnviz from Python: nnviz.render(...) -> nnviz.Video, as the command line renders, and inline in a notebook."""
from __future__ import annotations

import base64
import json
import subprocess
import sys

import imageio_ffmpeg
import numpy as np
import pytest

import nnviz
from nnviz import snapshots

SMALL = {"title": "From Python", "data": {"name": "sine", "samples": 30}, "model": {"hidden": (6,)},
         "train": {"iterations": np.int64(150)},
         "render": {"size": [320, 240], "fps": 10, "hold": 0.5, "preset": "ultrafast"}}


def test_import_nnviz_stays_light():
    code = "import sys, nnviz; print('matplotlib' in sys.modules, 'nnviz.pipeline' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split() == \
        ["False", "False"]


def test_a_dict_renders_like_a_file_and_twice_in_one_process(tmp_path):
    v = nnviz.render(SMALL, out=tmp_path, name="mine")
    assert isinstance(v, nnviz.Video) and v.video == tmp_path / "mine" / "mine.mp4"
    assert v.poster.is_file() and v.snapshots.is_file() and v.final_loss > 0 and v.diverged_at == -1
    frames = imageio_ffmpeg.count_frames_and_secs(str(v.video))[0]
    assert frames == v.manifest.frames == len(v.timeline) + 5
    again = nnviz.render(SMALL, out=tmp_path, name="mine")  # up to date: nothing redone, the same answer
    assert again.manifest == v.manifest
    other = nnviz.render(SMALL, out=tmp_path, name="mine", overrides=["train.optimizer.lr=0.1"])
    assert other.final_loss != v.final_loss and other.manifest.overrides == ("train.optimizer.lr=0.1",)


def test_a_file_renders_into_a_folder_named_after_it(write, tmp_path):
    path = write("c.yaml", json.dumps(SMALL | {"train": {"iterations": 100}}))
    v = nnviz.render(path, out=tmp_path / "o", formats=["webm"])
    assert v.video == tmp_path / "o" / "c" / "c.webm" and v.video.is_file()
    with pytest.raises(nnviz.ConfigError, match="named after it"):
        nnviz.render(path, out=tmp_path / "o", name="other")


def test_the_name_comes_from_the_title_or_must_be_given(tmp_path):
    v = nnviz.render(SMALL, out=tmp_path)
    assert v.folder == tmp_path / "From-Python"
    with pytest.raises(nnviz.ConfigError, match="give name="):
        nnviz.render({"data": {"name": "sine"}}, out=tmp_path)
    for bad in ("../up", ".hidden", "a/b", "x" * 201, "", "v1.2"):
        with pytest.raises(nnviz.ConfigError, match="give name="):
            nnviz.render(SMALL, out=tmp_path, name=bad)
    assert not (tmp_path / "up").exists()


def test_bad_input_is_a_config_error_with_the_clis_lines(tmp_path):
    with pytest.raises(nnviz.ConfigError) as info:
        nnviz.render({"train": {"loss": "nope", "iterations": 0}}, out=tmp_path, name="bad")
    lines = str(info.value).splitlines()
    assert lines == ["bad: train.loss: unknown loss 'nope'; valid: bce, cross_entropy, mae, mse, sse",
                     "bad: train.iterations: must be >= 1, got 0"]
    assert not (tmp_path / "bad").exists()
    with pytest.raises(TypeError):
        nnviz.render(42, out=tmp_path)


def test_the_video_plays_inline_when_small_and_by_path_when_large(tmp_path, monkeypatch):
    v = nnviz.render(SMALL, out=tmp_path, name="inline")
    page = v._repr_html_()
    assert page.startswith("<video") and 'style="max-width: 100%; height: auto;"' in page
    src = page.split('<source src="data:video/mp4;base64,')[1].split('"')[0]
    assert base64.b64decode(src) == v.video.read_bytes()
    assert 'poster="data:image/png;base64,' in page
    monkeypatch.setattr("nnviz.api.INLINE_BYTES", 10)
    page = v._repr_html_()
    assert f'src="{v.video.as_posix()}"' in page and "base64" not in page


def test_numpy_arrays_as_the_data(tmp_path):
    x = np.linspace(-2, 2, 50)
    y = np.tanh(2 * x) + 0.05 * np.cos(7 * x)
    config = {"title": "My data", "data": {"name": "sine", "samples": 10, "test_fraction": 0.2},
              "model": {"hidden": [5]}, "train": {"iterations": 100}, "render": SMALL["render"]}
    v = nnviz.render(config, data=(x, y), out=tmp_path, name="mine")
    kept = np.load(v.folder / "mine.data.npz")
    assert np.array_equal(kept["x"][:, 0], x) and v.final_loss is not None
    h = snapshots.load(v.snapshots)
    assert len(h.x) == 40 and h.test is not None  # 50 samples, a fifth held out: test_fraction still applies
    changed = nnviz.render(config, data=(x, -y), out=tmp_path, name="mine")
    assert changed.final_loss != v.final_loss  # other arrays: trained again, not taken for up to date


@pytest.mark.parametrize("data,says", [
    ((np.zeros(5), np.zeros(6)), "x has 5 rows but y has 6"),
    ((np.array([0.0, np.nan]), np.zeros(2)), "x has a value that is not finite (NaN or infinite) in row 1"),
    ((np.zeros((2, 2, 2)), np.zeros(2)), "x must have one or two dimensions"),
    ((np.zeros(3),), "data= must be a pair (x, y) of arrays"),
    ((["a", "b"], [1, 2]), "x is not an array of numbers"),
    ((np.zeros(0), np.zeros(0)), "some values"),
    ((np.zeros(101), np.zeros(101)), "the rows of x is 101, over the limit of 100"),
])
def test_bad_arrays_are_one_clear_error_and_nothing_is_written(tmp_path, monkeypatch, data, says):
    monkeypatch.setenv("NNVIZ_LIMITS", "samples=100")
    with pytest.raises(nnviz.ConfigError) as info:
        nnviz.render(SMALL, data=data, out=tmp_path, name="bad")
    assert str(info.value).startswith("bad: data: ") and says in str(info.value)
    assert not (tmp_path / "bad").exists()
