"""Make the README's pictures from the shipped configs, so they always show what the code draws.

    python docs/make_images.py [NAME ...]      (default: every picture below)

Each picture is rendered with `nnviz render` into a temporary folder and either its poster (the last
frame) is copied, or a frame from the middle of the learning is read back from the video (the README
should show learning, not only its end). Pictures are written to docs/images/NAME.png.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import imageio_ffmpeg

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"

# name -> (config, --set overrides, where: "poster" or a fraction of the animated frames)
PICTURES = {
    "sine-1x60-adam": ("sine-1x60-adam.yaml", [], 0.6),
    "xor3-alpha-sweep": ("xor3-alpha-sweep.yaml", [], "poster"),
    "circle-one-layer-of-3": ("circle-one-layer-of-3.yaml", [], 0.45),
    "xor3-error-surface": ("xor3-error-surface.yaml", [], 0.7),
    "digits-mlp": ("digits-mlp.yaml", [], "poster"),
    "sine-2x10-neurons": ("sine-2x10-adam.yaml", ["render.panels=[fit, neurons, loss]"], 0.5),
    "spiral-dark-captions": ("spiral-two-layers.yaml", ["render.theme=dark"], 0.42),
    "xor3-hidden-4": ("xor3-hidden-4.yaml", [], 0.45),
}


def frame_at(folder: Path, name: str, where) -> Path:
    """The poster, or a PNG of the frame `where` (a fraction) of the way through the animated frames."""
    if where == "poster":
        return folder / f"{name}.png"
    manifest = json.loads((folder / f"{name}.json").read_text())
    t = (where * len(manifest["timeline"]) + 0.5) / manifest["fps"]  # (pauses are short: near enough)
    out = folder / f"{name}.frame.png"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-ss", f"{t:.3f}", "-i",
                    str(folder / manifest["files"]["mp4"]), "-frames:v", "1", str(out)], check=True)
    return out


def make(name: str, out_root: Path) -> Path:
    config, overrides, where = PICTURES[name]
    args = [sys.executable, "-m", "nnviz", "-q", "render", str(ROOT / "configs" / config), "--out", str(out_root / name)]
    for item in overrides:
        args += ["--set", item]
    subprocess.run(args, check=True)
    stem = Path(config).stem
    target = IMAGES / f"{name}.png"
    shutil.copyfile(frame_at(out_root / name / stem, stem, where), target)
    return target


def main(names) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            target = make(name, Path(tmp))
            print(f"{target.relative_to(ROOT)}  {target.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main(sys.argv[1:] or list(PICTURES))
