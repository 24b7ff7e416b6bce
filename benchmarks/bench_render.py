"""Rendering speed and memory: nnviz against the FuncAnimation way and against encoding alone, side by side.

    python benchmarks/bench_render.py            # medians of 3 runs each
    python benchmarks/bench_render.py --quick    # 1 run each, 100 frames

The same 300-frame 1280x720 two-panel video (data + prediction, log-scale loss), x264 crf 20 preset
medium yuv420p, made
  (a) by nnviz (pipeline.draw: draw once, then blit only the moving artists; frames stream to ffmpeg),
  (b) the way a typical script does it: matplotlib FuncAnimation whose update clears and re-plots both
      axes, saved with FFMpegWriter,
  (c) by encoding alone: the same frames, already in memory, piped to the same ffmpeg.
Targets: (a) at least 10x faster than (b), and at most 1.5x the time of (c).
Memory: peak RSS of nnviz drawing 3000 frames against 300 (target: within 30 MB).
Panels: the boundary + network + loss picture of a 2-2x8-1 net on the spiral, by nnviz and by a
FuncAnimation that clears and re-draws the heat map, the network diagram and the loss each frame.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg
import matplotlib
import numpy as np
from matplotlib.animation import FFMpegWriter, FuncAnimation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nnviz.config import RenderConfig
from nnviz.experiment import load_config
from nnviz.pipeline import Outputs, draw, prepare, run_training
from nnviz.draw.formats import FORMATS
from nnviz.draw.scene import Scene
from nnviz.draw.video import VideoWriter

CONFIG = """\
title: Benchmark
seed: 1
data: {name: sine, samples: 100, noise: 0.2}
model: {hidden: [10, 10], activation: tanh, bias: false}
train: {optimizer: {name: adam, lr: 0.01}, iterations: ITER, snapshot_every: EVERY}
render: {fps: 30, size: [1280, 720], hold: 0, crf: 20, preset: medium, frames: all}
"""


PANELS_CONFIG = """\
title: Benchmark, panels
seed: 1
data: {name: spiral, samples: 200, noise: 0.3}
model: {hidden: [8, 8], activation: tanh, output: sigmoid}
train: {loss: bce, optimizer: {name: adam, lr: 0.02}, iterations: ITER, snapshot_every: 10}
render: {fps: 30, size: [1280, 720], hold: 0, crf: 20, preset: medium, frames: all, panels: [boundary, network, loss]}
"""


def make_panels_history(frames: int, folder: Path):
    path = folder / "panels.yaml"
    path.write_text(PANELS_CONFIG.replace("ITER", str(10 * (frames - 1))))
    cfg = load_config(path)
    history, _ = run_training(prepare(cfg), "bench")
    return cfg, history


def panels_nnviz_way(cfg, history, folder):
    draw(cfg, [history], outputs(folder, "d"))


def panels_funcanimation_way(cfg, history, folder):
    """The same three panels, cleared and re-drawn every frame."""
    from nnviz.model import Net, unflatten

    matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    fig = Figure(figsize=(12.8, 7.2), dpi=100)
    FigureCanvasAgg(fig)
    gs = fig.add_gridspec(2, 2, width_ratios=[1.2, 1])
    ax1, ax2, ax3 = fig.add_subplot(gs[:, 0]), fig.add_subplot(gs[0, 1]), fig.add_subplot(gs[1, 1])
    g = int(round(np.sqrt(len(history.grid_x))))
    net = Net((2, 8, 8, 1), ("tanh", "tanh", "sigmoid"), True)
    layers_x = [np.full(n, c) for c, n in enumerate(net.sizes)]
    layers_y = [np.linspace(0, 1, n) for n in net.sizes]

    def update(i):
        ax1.clear()
        ax1.imshow(history.grid_pred[i, :, 0].reshape(g, g), origin="lower", cmap="RdBu", vmin=0, vmax=1,
                   extent=(history.grid_x[:, 0].min(), history.grid_x[:, 0].max(), history.grid_x[:, 1].min(),
                           history.grid_x[:, 1].max()), aspect="auto")
        ax1.scatter(history.x[:, 0], history.x[:, 1], c=history.y[:, 0], cmap="RdBu", edgecolors="white")
        ax1.set_title("decision boundary")
        ax2.clear()
        v = unflatten(net, history.theta[i])
        for k in range(3):
            w = v[f"w{k}"]
            for a in range(w.shape[0]):
                for b in range(w.shape[1]):
                    ax2.plot([k, k + 1], [layers_y[k][a], layers_y[k + 1][b]], color="C0" if w[a, b] > 0 else "C1",
                             lw=0.5 + 2 * abs(w[a, b]) / (np.abs(w).max() or 1))
        for xs, ys in zip(layers_x, layers_y):
            ax2.scatter(xs, ys, s=200, color="white", edgecolors="grey", zorder=3)
        ax2.axis("off")
        ax3.clear()
        ax3.semilogy(history.iteration[: i + 1], history.loss[: i + 1])
        ax3.set_xlim(0, history.iteration[-1])
        ax3.set_title(f"loss {history.loss[i]:.4g}")
        fig.suptitle(f"{cfg.title}   iteration {history.iteration[i]}")

    anim = FuncAnimation(fig, update, frames=history.n)
    writer = FFMpegWriter(fps=30, codec="libx264", extra_args=["-preset", "medium", "-crf", "20", "-pix_fmt", "yuv420p"])
    anim.save(str(folder / "e.mp4"), writer=writer, dpi=100)


def make_history(frames: int, folder: Path):
    path = folder / "bench.yaml"
    path.write_text(CONFIG.replace("ITER", str(10 * (frames - 1))).replace("EVERY", "10"))
    cfg = load_config(path)
    history, _ = run_training(prepare(cfg), "bench")
    assert history.n == frames, history.n
    return cfg, history


def outputs(folder: Path, name: str) -> Outputs:
    return Outputs(folder, name)  # folder/name.mp4, folder/name.png


def nnviz_way(cfg, history, folder):
    draw(cfg, [history], outputs(folder, "a"))


def funcanimation_way(cfg, history, folder):
    """What a typical script does: clear and re-plot both axes in every frame."""
    matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    fig = Figure(figsize=(12.8, 7.2), dpi=100)
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.35, 1])
    x, y, gx = history.x[:, 0], history.y[:, 0], history.grid_x[:, 0]

    def update(i):
        ax1.clear()
        ax1.plot(x, y, "o", color="grey", alpha=0.5, label="data")
        ax1.plot(gx, history.grid_pred[i, :, 0], color="C1", lw=3, label="prediction")
        ax1.set_ylim(-2, 2)
        ax1.set_xlabel("x")
        ax1.set_ylabel("y")
        ax1.legend()
        ax1.set_title("data and prediction")
        ax2.clear()
        ax2.semilogy(history.iteration[: i + 1], history.loss[: i + 1], color="C0")
        ax2.plot(history.iteration[i], history.loss[i], "o", color="C0")
        ax2.set_xlim(0, history.iteration[-1])
        ax2.set_ylim(history.loss.min() / 1.5, history.loss.max() * 1.5)
        ax2.set_xlabel("iteration")
        ax2.set_title(f"loss {history.loss[i]:.4g}")
        fig.suptitle(f"{cfg.title}   iteration {history.iteration[i]}")

    anim = FuncAnimation(fig, update, frames=history.n)
    writer = FFMpegWriter(fps=30, codec="libx264", extra_args=["-preset", "medium", "-crf", "20", "-pix_fmt", "yuv420p"])
    anim.save(str(folder / "b.mp4"), writer=writer, dpi=100)


def frames_in_memory(cfg, history):
    scene = Scene(history, cfg.title, cfg.render)
    frames = [scene.frame(i).copy() for i in range(scene.n)]
    scene.close()
    return frames


def encode_only(frames, folder):
    with VideoWriter(folder / "c.mp4", (1280, 720), 30, FORMATS["mp4"].args(RenderConfig(crf=20, preset="medium"))) as w:
        for f in frames:
            w.write(f)


def peak_rss_mb(frames: int) -> float:
    """Peak resident memory of a fresh process that trains briefly and draws `frames` frames."""
    code = f"""
import sys, tempfile
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).parent)!r})
import bench_render as b
with tempfile.TemporaryDirectory() as d:
    cfg, h = b.make_history({frames}, Path(d))
    b.nnviz_way(cfg, h, Path(d))
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent, which holds frames in memory
print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return float(out.strip().splitlines()[-1])


def timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1 run each, 100 frames")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    args = ap.parse_args()
    n_frames, repeats = (100, 1) if args.quick else (300, 3)
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        cfg, history = make_history(n_frames, folder)
        frames = frames_in_memory(cfg, history)
        a, b, c = [], [], []
        for _ in range(repeats):  # in turn, so that machine noise hits all three alike
            a.append(timed(nnviz_way, cfg, history, folder))
            c.append(timed(encode_only, frames, folder))
            b.append(timed(funcanimation_way, cfg, history, folder))
        del frames
        counts = {k: imageio_ffmpeg.count_frames_and_secs(str(folder / f"{k}.mp4"))[0] for k in "abc"}
    ta, tb, tc = (statistics.median(t) for t in (a, b, c))
    print(f"{n_frames} frames 1280x720, x264 crf 20 preset medium; medians of {repeats} runs "
          f"(frames read back: {counts})")
    print(f"(a) nnviz                 {ta:7.2f} s  {1000 * ta / n_frames:6.1f} ms/frame")
    print(f"(b) FuncAnimation + clear {tb:7.2f} s  {1000 * tb / n_frames:6.1f} ms/frame   (b)/(a) = {tb / ta:.1f}x")
    print(f"(c) encoding alone        {tc:7.2f} s  {1000 * tc / n_frames:6.1f} ms/frame   (a)/(c) = {ta / tc:.2f}x")
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        pcfg, ph = make_panels_history(n_frames, folder)
        dd, ee = [], []
        for _ in range(repeats):
            dd.append(timed(panels_nnviz_way, pcfg, ph, folder))
            ee.append(timed(panels_funcanimation_way, pcfg, ph, folder))
    td, te = statistics.median(dd), statistics.median(ee)
    print(f"boundary+network+loss: nnviz {td:.2f} s ({1000 * td / n_frames:.1f} ms/frame), FuncAnimation + clear "
          f"{te:.2f} s ({1000 * te / n_frames:.1f} ms/frame): {te / td:.1f}x")
    small, big = peak_rss_mb(300), peak_rss_mb(3000)
    print(f"peak memory drawing 300 frames {small:.0f} MB, 3000 frames {big:.0f} MB: +{big - small:.0f} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(dict(frames=n_frames, a=ta, b=tb, c=tc, d=td, e=te, rss300=small,
                                                   rss3000=big)))


if __name__ == "__main__":
    main()
