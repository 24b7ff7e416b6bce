"""End to end: the MP4 read back by ffmpeg, the poster, reuse of snapshots, atomic outputs."""
import json
import os
import re
import subprocess
import sys

import imageio_ffmpeg
import numpy as np
import pytest
from matplotlib.image import imread

from conftest import SMALL
from nnviz import snapshots
from nnviz.experiment import load_config
from nnviz.errors import RenderError
from nnviz.pipeline import render


def probe(path):
    """(codec, pix_fmt, width, height, fps) from ffmpeg's own reading of the file."""
    out = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                         capture_output=True, text=True).stderr
    m = re.search(r"Video: (\w+).*?, (\w+)(?:\(.*?\))?, (\d+)x(\d+).*?, ([\d.]+) fps", out)
    assert m, out
    return m.group(1), m.group(2), int(m.group(3)), int(m.group(4)), float(m.group(5))


def test_render_writes_a_web_ready_mp4_poster_and_snapshots(write, tmp_path):
    cfg = load_config(write("small.yaml", SMALL))
    result = render(cfg, tmp_path / "out")
    o = result.outputs
    assert o.video == tmp_path / "out" / "small" / "small.mp4"
    assert sorted(p.name for p in o.video.parent.iterdir()) == [
        "embed.html", "embed.md", "small.json", "small.mp4", "small.npz", "small.png", "small.weights.npz"]
    assert probe(o.video) == ("h264", "yuv420p", 320, 240, 10.0)
    frames, secs = imageio_ffmpeg.count_frames_and_secs(str(o.video))
    assert frames == 11 + 5 == result.frames  # 11 snapshots + 0.5 s hold at 10 fps
    data = o.video.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart: the index comes first
    poster = imread(o.poster)
    assert poster.shape[:2] == (240, 320)
    h = snapshots.load(o.snapshots)
    assert h.iteration.tolist() == list(range(0, 201, 20)) and h.diverged_at == -1
    assert json.loads(h.config)["train"]["optimizer"]["params"]["lr"] == 0.02
    assert h.net.sizes == (1, 8, 1) and h.net.activations == ("tanh", "linear") and h.loss_name == "mse"
    assert not [p for p in o.video.parent.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_poster_is_the_last_frame(write, tmp_path):
    cfg = load_config(write("small.yaml", SMALL))
    o = render(cfg, tmp_path).outputs
    every = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(o.video),
                            "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True).stdout
    frame = np.frombuffer(every, np.uint8).reshape(-1, 240, 320, 3)[-1].astype(float)
    poster = imread(o.poster)[:, :, :3] * 255
    assert np.abs(frame - poster).mean() < 4  # equal up to x264's lossy yuv420p coding


def test_render_only_change_reuses_snapshots(write, tmp_path):
    path = write("small.yaml", SMALL)
    first = render(load_config(path), tmp_path)
    assert first.retrained
    stamp = os.stat(first.outputs.snapshots).st_mtime_ns
    again = render(load_config(path, ["render.size=[480, 270]", "title=Another title"]), tmp_path)
    assert not again.retrained and os.stat(first.outputs.snapshots).st_mtime_ns == stamp
    assert probe(again.outputs.video)[2:4] == (480, 270)
    changed = render(load_config(path, ["train.optimizer.lr=0.03"]), tmp_path)
    assert changed.retrained
    forced = render(load_config(path, ["train.optimizer.lr=0.03"]), tmp_path, force=True)
    assert forced.retrained


def test_diverged_run_renders_with_finite_axes(write, tmp_path):
    path = write("div.yaml", SMALL.replace("optimizer: {name: adam, lr: 0.02}", "optimizer: {name: sgd, lr: 50}")
                 .replace("data: {name: sine, samples: 40, noise: 0.1}", "data: {name: linear, samples: 40}")
                 .replace("hidden: [8]", "hidden: []"))
    result = render(load_config(path), tmp_path)
    assert result.diverged_at > 0
    assert imageio_ffmpeg.count_frames_and_secs(str(result.outputs.video))[0] == result.frames
    assert snapshots.load(result.outputs.snapshots).diverged_at == result.diverged_at


def test_failing_ffmpeg_keeps_the_older_video_and_leaves_no_partial_file(write, tmp_path, monkeypatch):
    path = write("small.yaml", SMALL)
    good = render(load_config(path), tmp_path).outputs
    before = good.video.read_bytes()
    fake = tmp_path / "ffmpeg"
    fake.write_text(f"#!{sys.executable}\nimport sys\nsys.stdin.buffer.read(1000)\n"
                    "sys.stderr.write('Encoder exploded\\n')\nsys.exit(3)\n")
    fake.chmod(0o755)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", lambda: str(fake))
    with pytest.raises(RenderError, match="Encoder exploded|ffmpeg"):
        render(load_config(path, ["render.hold=1"]), tmp_path)
    assert good.video.read_bytes() == before
    assert not [p for p in good.video.parent.iterdir() if p.name.startswith(".")]


def test_interrupt_mid_render_leaves_no_partial_file(write, tmp_path, monkeypatch):
    from nnviz.draw import scene

    path = write("small.yaml", SMALL)
    calls = {"n": 0}
    real = scene.Scene.frame

    def frame(self, i):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(self, i)

    monkeypatch.setattr(scene.Scene, "frame", frame)
    with pytest.raises(KeyboardInterrupt):
        render(load_config(path), tmp_path)
    folder = tmp_path / "small"
    assert not (folder / "small.mp4").exists() and not (folder / "small.png").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_every_frame_is_the_configured_size(write, tmp_path):
    for size in ([320, 240], [1280, 720], [642, 362]):
        cfg = load_config(write("s.yaml", SMALL), [f"render.size={size}", "train.iterations=20"])
        o = render(cfg, tmp_path).outputs
        assert probe(o.video)[2:4] == tuple(size)


def test_outputs_are_ordinary_files(write, tmp_path):
    old = os.umask(0o022)
    try:
        o = render(load_config(write("small.yaml", SMALL)), tmp_path).outputs
    finally:
        os.umask(old)
    for f in (o.video, o.poster, o.snapshots, o.weights):
        assert f.stat().st_mode & 0o777 == 0o644, f


def test_full_disk_while_saving_keeps_the_older_snapshots(write, tmp_path, monkeypatch):
    import errno

    path = write("small.yaml", SMALL)
    good = render(load_config(path), tmp_path).outputs
    before = good.snapshots.read_bytes()

    def full_disk(fh, **arrays):
        fh.write(b"half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", full_disk)
    with pytest.raises(RenderError, match="No space left on device"):
        render(load_config(path, ["train.iterations=100"]), tmp_path)
    assert good.snapshots.read_bytes() == before
    assert not [p for p in good.video.parent.iterdir() if p.name.startswith(".")]
