"""A folder of configs: parallel workers, failures that stay alone, incremental re-renders, formats, embeds."""
import json
import os
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import imageio_ffmpeg
import pytest
from click.testing import CliRunner

from conftest import SMALL
from nnviz import batch
from nnviz.cli import main


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def folder_of(tmp_path, n=3, broken=False):
    d = tmp_path / "configs"
    d.mkdir()
    for i in range(n):
        (d / f"c{i}.yaml").write_text(SMALL.replace("seed: 1", f"seed: {i + 1}").replace("Test run", f"Run {i}"))
    if broken:
        (d / "broken.yaml").write_text("train:\n  optimizer: {name: adamm}\n")
    return d


def mtimes(out):
    return {p: p.stat().st_mtime_ns for p in Path(out).rglob("*") if p.is_file()}


@pytest.mark.slow
def test_folder_renders_in_parallel_and_a_broken_config_fails_alone(tmp_path):
    d = folder_of(tmp_path, broken=True)
    out = tmp_path / "out"
    r = run("render", d, "--out", out, "-j", "2")
    assert r.exit_code == 1, r.output
    assert f"Error: {d / 'broken.yaml'}:2: train.optimizer.name: unknown optimizer 'adamm'" in r.output
    table = r.output[r.output.index("config "):]
    assert re.search(r"broken\.yaml\s+failed\s+-\s+.*unknown optimizer", table)
    for i in range(3):
        assert re.search(rf"c{i}\.yaml\s+rendered\s+[\d.]+ s\s+\S+c{i}\.mp4", table)
        assert (out / f"c{i}" / f"c{i}.mp4").is_file()
    assert "3 rendered, 1 failed" in table
    assert (out / "index.html").is_file()


@pytest.mark.slow
def test_second_run_renders_nothing_and_render_changes_redraw_only(tmp_path):
    d = folder_of(tmp_path)
    out = tmp_path / "out"
    assert run("render", d, "--out", out, "-j", "2").exit_code == 0
    before = mtimes(out)
    r = run("render", d, "--out", out)
    assert r.exit_code == 0 and "3 up to date" in r.output  # (how fast: benchmarks/bench_batch.py)
    assert {p: t for p, t in mtimes(out).items() if p.name != "index.html"} == \
        {p: t for p, t in before.items() if p.name != "index.html"}
    # only render: changes -> the video is drawn again, the snapshots are reused
    (d / "c0.yaml").write_text((d / "c0.yaml").read_text().replace("fps: 10", "fps: 12"))
    r = run("render", d, "--out", out)
    assert r.exit_code == 0 and "1 rendered" in r.output and "2 up to date" in r.output
    now = mtimes(out)
    assert now[out / "c0" / "c0.npz"] == before[out / "c0" / "c0.npz"]
    assert now[out / "c0" / "c0.mp4"] != before[out / "c0" / "c0.mp4"]
    # a training change retrains; --force redoes everything
    (d / "c1.yaml").write_text((d / "c1.yaml").read_text().replace("lr: 0.02", "lr: 0.03"))
    assert run("render", d, "--out", out).exit_code == 0
    assert mtimes(out)[out / "c1" / "c1.npz"] != before[out / "c1" / "c1.npz"]
    r = run("render", d, "--out", out, "--force", "-j", "2")
    assert "3 rendered" in r.output


def test_data_file_content_is_part_of_the_key(tmp_path):
    import numpy as np

    d = tmp_path / "configs"
    d.mkdir()
    np.savez(d / "data.npz", x=np.linspace(0, 1, 20)[:, None], y=np.linspace(0, 1, 20))
    (d / "f.yaml").write_text(SMALL.replace("data: {name: sine, samples: 40, noise: 0.1}",
                                            "data: {name: file, path: data.npz}"))
    out = tmp_path / "out"
    assert run("render", d, "--out", out).exit_code == 0
    assert "up to date" in run("render", d, "--out", out).output
    np.savez(d / "data.npz", x=np.linspace(0, 1, 20)[:, None], y=np.linspace(1, 0, 20))
    assert "rendered" in run("render", d, "--out", out).output


def test_same_output_name_is_an_error_before_anything_runs(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "same.yaml").write_text(SMALL)
    r = run("render", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "out")
    assert r.exit_code == 1 and "would both write" in r.output
    assert not (tmp_path / "out").exists()


def test_globs(tmp_path):
    d = folder_of(tmp_path, n=2)
    assert batch.find_configs([str(d / "*.yaml")]) == [d / "c0.yaml", d / "c1.yaml"]
    assert batch.find_configs([str(tmp_path / "**" / "c1.yaml")]) == [d / "c1.yaml"]
    with pytest.raises(batch.BatchError, match="no file matches"):
        batch.find_configs([str(d / "*.yml")])


@pytest.mark.slow
def test_a_crashing_worker_fails_only_its_own_config(tmp_path, monkeypatch):
    from nnviz.experiment import load_config

    real = batch.render

    def render(cfg, *args, **kwargs):
        if cfg.source.endswith("c1.yaml"):
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
        return real(cfg, *args, **kwargs)

    monkeypatch.setattr(batch, "render", render)  # the forked workers inherit it
    d = folder_of(tmp_path)
    configs = [load_config(d / f"c{i}.yaml") for i in range(3)]
    rows = batch.run_local(configs, tmp_path / "out", 2, False)
    assert [r.status for r in rows] == ["rendered", "failed", "rendered"]
    assert "died (signal 9)" in rows[1].output


def probe(path):
    out = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                         capture_output=True, text=True).stderr
    return re.search(r"Video: (\w+).*?, (\d+)x(\d+)", out).groups(), out


def test_webm_and_gif_formats_and_embeds(tmp_path):
    d = folder_of(tmp_path, n=1)
    out = tmp_path / "out"
    r = run("render", d, "--out", out, "--format", "mp4", "--format", "webm", "--format", "gif")
    assert r.exit_code == 0, r.output
    o = out / "c0"
    (codec, w, h), _ = probe(o / "c0.webm")
    assert (codec, w, h) == ("vp9", "320", "240")
    assert imageio_ffmpeg.count_frames_and_secs(str(o / "c0.webm"))[0] == 16
    (codec, w, h), text = probe(o / "c0.gif")
    assert codec == "gif" and (w, h) == ("320", "240")
    assert "10 fps" in text  # 10 fps is a rate GIF keeps exactly
    gif = (o / "c0.gif").read_bytes()
    assert gif.startswith(b"GIF89a") and b"NETSCAPE2.0\x03\x01\x00\x00" in gif  # loops forever
    html = (o / "embed.html").read_text()
    assert '<video controls loop muted playsinline preload="metadata" poster="c0.png" width="320" height="240"' in html
    assert html.index('src="c0.webm" type="video/webm"') < html.index('src="c0.mp4" type="video/mp4"')
    assert (o / "embed.md").read_text().strip() == "[![Run 0](c0.png)](c0.mp4)"
    assert not [p for p in o.iterdir() if p.name.startswith(".")]


def test_gif_rate_divides_100():
    from nnviz.draw.formats import gif_fps, gif_size

    assert [gif_fps(f) for f in (30, 25, 24, 60, 10, 7, 0.5)] == [25, 25, 20, 50, 10, 5, 1]
    assert gif_size((1280, 720), 640) == (640, 360) and gif_size((320, 240), 640) == (320, 240)


def test_embed_command_styles(tmp_path):
    d = folder_of(tmp_path, n=1)
    out = tmp_path / "out"
    assert run("render", d, "--out", out, "--format", "webm", "--format", "mp4").exit_code == 0
    r = run("embed", "c0", "--out", out, "--style", "pelican", "--base-url", "/videos")
    assert r.output.splitlines()[0] == "{% video /videos/c0.mp4 320 240 /videos/c0.png %}"
    assert "pelican-liquid-tags" in r.output  # the note says which plugin the tag needs
    r = run("embed", "c0", "--out", out, "--style", "markdown", "--base-url", "/videos/")
    assert r.output.strip() == "[![Run 0](/videos/c0.png)](/videos/c0.mp4)"
    r = run("embed", "c0", "--out", out, "--style", "jekyll", "--base-url", "/videos/")
    assert "src=\"{{ '/videos/c0.webm' | relative_url }}\" type=\"video/webm\"" in r.output
    r = run("embed", "c0", "--out", out, "--style", "html", "--base-url", "https://example.org/v/")
    assert 'poster="https://example.org/v/c0.png"' in r.output
    r = run("embed", "c0", "--out", out, "--style", "hugo")
    assert "<video" in r.output and "unsafe" in r.output
    r = run("embed", "nothing", "--out", out)
    assert r.exit_code == 1 and "no rendered output named 'nothing'" in r.output


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src", "poster"):
                self.urls.append(v)


def test_gallery_lists_every_output_with_working_links(tmp_path):
    d = folder_of(tmp_path, n=2)
    out = tmp_path / "out"
    assert run("render", d, "--out", out, "-j", "2").exit_code == 0
    page = (out / "index.html").read_text()
    assert "Run 0" in page and "Run 1" in page and "final mse loss" in page
    assert "2-8-1 tanh net" not in page and "1-8-1 tanh net" in page  # the one-line summary
    parser = Links()
    parser.feed(page)
    assert len(parser.urls) >= 2 * 6
    for url in parser.urls:
        assert (out / url).is_file(), url


def test_list_and_new(tmp_path, monkeypatch):
    r = run("list")
    assert r.exit_code == 0
    for word in ("sine", "tanh", "sse", "rmsprop", "he_normal", "fit", "loss", "webm", "gif"):
        assert re.search(rf"^  {word}\s", r.output, re.M), word
    monkeypatch.chdir(tmp_path)
    r = run("new", "my-first-net")
    assert r.exit_code == 0 and (tmp_path / "my-first-net.yaml").is_file()
    assert run("validate", "my-first-net.yaml").exit_code == 0
    assert run("new", "my-first-net").exit_code == 1


@pytest.mark.slow
def test_ctrl_c_mid_batch_exits_130_and_leaves_no_partial_file(tmp_path):
    d = folder_of(tmp_path, n=4)
    for f in d.iterdir():  # long enough to be interrupted while drawing
        f.write_text(f.read_text().replace("iterations: 200", "iterations: 20000").replace("snapshot_every: 20",
                                                                                          "snapshot_every: 40"))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "nnviz", "render", str(d), "--out", str(out), "-j", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.rglob(".*.part.*")):
        time.sleep(0.05)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Interrupted" in err
    assert not [p for p in out.rglob("*") if p.name.startswith(".")], list(out.rglob(".*"))
    for m in out.rglob("*.json"):  # whatever finished is whole
        files = json.loads(m.read_text())["files"]
        assert all((m.parent / f).is_file() for f in files.values())
