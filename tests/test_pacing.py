"""Pacing: the videos spread the learning over their frames (benchmarks/bench_pacing.py measures it), the
frame count asked for is the frame count made, and the manifest says which iteration each frame shows."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from nnviz.config import RenderConfig
from nnviz.draw.pacing import pick, progress
from nnviz.experiment import load_config
from nnviz.pipeline import render
from nnviz.train import snapshot_count, snapshots_at

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
SHIPPED = sorted((ROOT / "configs").glob("*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_video_spreads_its_learning(path):
    """Half of the picture's total change is not reached before 20 % of the animated frames, 90 % not
    before 50 % (the measure is bench_pacing's: the predictions on the plot grid, frame to frame)."""
    if "digits" in path.name:
        pytest.importorskip("sklearn")
    from bench_pacing import measure

    r = measure(path)
    assert r["frames"] == round(6 * RenderConfig().fps)  # the default: 6 seconds of animation
    assert r["half"] >= 0.2 and r["ninety"] >= 0.5, r


def test_auto_snapshots_are_dense_early_and_reach_the_end():
    at = snapshots_at(None, 60_000)
    assert at[0] == 0 and at[-1] == 60_000 and np.all(np.diff(at) > 0)
    assert list(at[:20]) == list(range(20))  # every update at the start
    assert np.sum(at <= 600) > np.sum(at > 30_000)  # more in the first 1 % than in the second half
    assert len(at) == snapshot_count(None, 60_000) <= 402
    assert list(snapshots_at(None, 50)) == list(range(51))  # short runs: every update
    assert list(snapshots_at(20, 95)) == [0, 20, 40, 60, 80, 95] and snapshot_count(20, 95) == 6
    assert snapshot_count(7, 10**12) == 10**12 // 7 + 2  # counted without making them


def test_exactly_the_frames_asked_for_and_first_and_last():
    its = snapshots_at(None, 20_000)
    moved = np.minimum(its / 500, 1.0)  # a picture that changes until 500, then stays
    for spacing in ("auto", "linear", "log"):
        for n in (2, 3, 37, 180, len(its) - 1):
            frames = pick(its, n, spacing, moved)
            assert len(frames) == n and frames[0] == 0 and frames[-1] == 20_000, (spacing, n)
            assert np.all(np.diff(frames) >= 0)
            if spacing != "auto":
                assert len(set(frames)) == n  # linear and log: distinct snapshots
    auto = pick(its, 180, "auto", moved)
    assert np.sum(auto <= 500) >= 0.6 * 180  # most frames where the picture moves


def test_a_single_big_update_is_shown_in_slow_motion_not_skipped():
    its = np.arange(0, 1001)
    moved = np.where(its >= 10, 1.0, its * 0.01)  # update 10 does nine tenths of all the change
    frames = pick(its, 100, "auto", moved)
    assert np.sum((frames == 9) | (frames == 10)) >= 50  # the video dwells on the states around the big step
    assert np.all(np.diff(frames) >= 0) and np.sum(frames > 10) >= 20  # and the rest still shows


def test_progress_averages_runs_and_holds_ended_runs(tmp_path):
    from nnviz.snapshots import History
    from nnviz.model import Net

    def run(its, pred):
        its = np.asarray(its)
        return History(iteration=its, loss=np.ones(len(its)), mae=np.ones(len(its)), net=Net((1, 1), ("linear",), True),
                       loss_name="mse", summary="", x_names=("x",), y_names=("y",), config="{}", diverged_at=-1,
                       train_key="k", grid_x=np.zeros((1, 1)), grid_pred=np.asarray(pred, float).reshape(-1, 1, 1))

    a = run([0, 1, 2], [0, 1, 2])  # moves evenly, ends at 2
    b = run([0, 1, 2, 3, 4], [0, 0, 0, 0, 8])  # moves only at the end
    done = progress([a, b], np.arange(5))
    assert done.tolist() == pytest.approx([0, 0.25, 0.5, 0.5, 1.0])


def test_the_manifest_timeline_is_what_the_video_shows(write, tmp_path):
    path = write("t.yaml", "data: {name: sine, samples: 30}\ntrain: {iterations: 3000}\n"
                           "render: {size: [320, 240], fps: 10, hold: 0.5, preset: ultrafast}\n")
    result = render(load_config(path), tmp_path)
    m = json.loads(result.outputs.manifest.read_text())
    assert len(m["timeline"]) == 60 and m["timeline"][0] == 0 and m["timeline"][-1] == 3000  # 6 s at 10 fps
    assert m["frames"] == 60 + 5 == imageio_ffmpeg.count_frames_and_secs(str(result.outputs.video))[0]
    assert m["timeline"] == sorted(m["timeline"])


def test_a_comparison_has_a_timeline_too(write, tmp_path):
    path = write("c.yaml", "data: {name: sine, samples: 30}\ntrain: {iterations: 400}\n"
                           "render: {size: [640, 360], fps: 10, hold: 0, preset: ultrafast, frames: 12}\n"
                           "sweep: {train.optimizer.lr: [0.01, 0.1]}\n")
    result = render(load_config(path), tmp_path)
    m = json.loads(result.outputs.manifest.read_text())
    assert len(m["timeline"]) == 12 == m["frames"] and m["timeline"][-1] == 400


def test_fewer_snapshots_than_frames_warns_with_both_numbers(write, tmp_path, caplog):
    path = write("f.yaml", "data: {name: sine, samples: 30}\ntrain: {iterations: 100, snapshot_every: 10}\n"
                           "render: {size: [320, 240], fps: 10, hold: 0, preset: ultrafast, frames: 50}\n")
    with caplog.at_level(logging.WARNING):
        result = render(load_config(path), tmp_path)
    assert result.frames == 11
    assert "asks for 50 frames but training recorded 11 snapshots" in caplog.text
