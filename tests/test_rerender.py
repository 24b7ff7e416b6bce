"""Every render setting, changed alone, re-draws from the stored snapshots (no training) and shows the change.

The settings drawn come from the config being rendered, never from the copy stored with the snapshots:
a stale setting would show here as an unchanged picture.
"""
import dataclasses
import json

import imageio_ffmpeg
import numpy as np
import pytest
from matplotlib.image import imread

from nnviz.config import LandscapeConfig, RenderConfig
from nnviz.experiment import load_config
from nnviz.pipeline import render

BASE = """\
title: Render settings
seed: 3
data: {name: sine, samples: 30, noise: 0.1}
model: {hidden: [4], activation: tanh}
train: {optimizer: {name: adam, lr: 0.05}, iterations: 200, snapshot_every: 10}
render:
  size: [480, 360]
  fps: 10
  hold: 0.5
  preset: ultrafast
  formats: [mp4, gif]
  gif_width: 320
  frames: 8
  panels: [fit, landscape, loss]
  landscape: {weights: ["w0[0,0]", "w0[0,1]"], span: 4, resolution: 10}
"""


def frames_of(video):
    reader = imageio_ffmpeg.read_frames(str(video))
    meta = next(reader)
    w, h = meta["size"]
    return [np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader], meta


def manifest(out):
    return json.loads((out / "r" / "r.json").read_text())


def differs(before, after):
    return not np.array_equal(before, after)


def poster_changed(o, before):
    return differs(imread(o / "r" / "r.png"), before["poster"])


# key -> (--set value, what a viewer would see change: shows(out folder, before) -> bool)
CASES = {
    "fps": ("12", lambda o, b: frames_of(o / "r" / "r.mp4")[1]["fps"] == 12),
    "size": ("[640, 480]", lambda o, b: imread(o / "r" / "r.png").shape[:2] == (480, 640)
             and frames_of(o / "r" / "r.mp4")[1]["size"] == (640, 480)),
    "hold": ("1", lambda o, b: len(frames_of(o / "r" / "r.mp4")[0]) == 8 + 10),
    "crf": ("45", lambda o, b: differs(frames_of(o / "r" / "r.mp4")[0][3], b["frames"][3])),
    "preset": ("veryslow", lambda o, b: (o / "r" / "r.mp4").read_bytes() != b["mp4"]),
    "formats": ("[webm]", lambda o, b: (o / "r" / "r.webm").is_file() and not (o / "r" / "r.mp4").exists()
                and not (o / "r" / "r.gif").exists() and manifest(o)["files"].get("webm") == "r.webm"),
    "gif_width": ("160", lambda o, b: manifest(o)["gif_size"] == [160, 120]
                  and frames_of(o / "r" / "r.gif")[1]["size"] == (160, 120)),
    "panels": ("[fit, loss]", poster_changed),
    "frames": ("5", lambda o, b: len(frames_of(o / "r" / "r.mp4")[0]) == 5 + 5),
    "spacing": ("linear", lambda o, b: manifest(o)["timeline"] != b["timeline"]
                and differs(frames_of(o / "r" / "r.mp4")[0][1], b["frames"][1])),
    "captions": ('[{at: 100, text: "half way", pause: 0.5}]',
                 lambda o, b: len(frames_of(o / "r" / "r.mp4")[0]) == 8 + 5 + 5 and (o / "r" / "r.vtt").is_file()
                 and "half way" in (o / "r" / "r.vtt").read_text()),
    "theme": ("dark", lambda o, b: imread(o / "r" / "r.png")[:, :, :3].mean() < 0.5 < b["poster"][:, :, :3].mean()),
    "landscape.weights": ('["w0[0,0]", "b0[1]"]', poster_changed),
    "landscape.span": ("9", poster_changed),
    "landscape.resolution": ("30", poster_changed),
}


def test_every_render_key_has_a_case():
    keys = {f.name for f in dataclasses.fields(RenderConfig) if f.name != "landscape"}
    keys |= {f"landscape.{f.name}" for f in dataclasses.fields(LandscapeConfig)}
    assert keys == set(CASES)


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(CASES))
def test_a_render_key_changed_alone_redraws_without_training(write, tmp_path, key):
    path = write("r.yaml", BASE)
    out = tmp_path / "out"
    first = render(load_config(path), out)
    assert first.retrained
    before = {"poster": imread(out / "r" / "r.png"), "frames": frames_of(out / "r" / "r.mp4")[0],
              "mp4": (out / "r" / "r.mp4").read_bytes(), "timeline": manifest(out)["timeline"]}
    assert len(before["frames"]) == 8 + 5
    snaps = (out / "r" / "r.npz").stat().st_mtime_ns
    value, shows = CASES[key]
    again = render(load_config(path, [f"render.{key}={value}"]), out)
    assert not again.retrained and not again.up_to_date
    assert (out / "r" / "r.npz").stat().st_mtime_ns == snaps
    assert shows(out, before), key
    # and the manifest now holds this config's key: rendering it again does nothing
    assert render(load_config(path, [f"render.{key}={value}"]), out).up_to_date


def test_the_title_changed_alone_redraws(write, tmp_path):
    path = write("r.yaml", BASE)
    render(load_config(path), tmp_path)
    poster = imread(tmp_path / "r" / "r.png")
    again = render(load_config(path, ["title=Another title"]), tmp_path)
    assert not again.retrained and differs(imread(tmp_path / "r" / "r.png"), poster)
