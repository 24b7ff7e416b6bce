"""Hostile or unlucky input, through the command line as a user meets it: a clean `Error:` line per problem,
never a traceback, never injected markup, never a temporary file left, older outputs kept, the other
configs of a batch rendered."""
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import SMALL
from nnviz import files

TINY = SMALL.replace("iterations: 200", "iterations: 40").replace("snapshot_every: 20", "snapshot_every: 10")


def nnviz(*args, cwd=None, timeout=300):
    """Run the real command in a fresh process: (exit status, stdout + stderr)."""
    done = subprocess.run([sys.executable, "-m", "nnviz", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)
    return done.returncode, done.stdout + done.stderr


def leftovers(folder: Path) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if files.PART in p.name or p.name.startswith(".palette.")
            or p.name == files.LOCK]


def clean(code_out, code=None):
    code_, out = code_out
    assert "Traceback" not in out, out
    if code is not None:
        assert code_ == code, out
    return out


def batch(tmp_path: Path, bad: dict[str, str]) -> Path:
    """A folder of two good configs and the given bad ones."""
    d = tmp_path / "configs"
    d.mkdir(exist_ok=True)
    (d / "good1.yaml").write_text(TINY)
    (d / "good2.yaml").write_text(TINY.replace("seed: 1", "seed: 2"))
    for name, text in bad.items():
        (d / name).write_text(text)
    return d


# --- 1. markup injection ------------------------------------------------------------------------------
HOSTILE_NAME = 'x"><img src=x onerror=alert(1)>'


def test_file_names_cannot_inject_markup(tmp_path):
    d = tmp_path / "configs"
    d.mkdir()
    (d / f"{HOSTILE_NAME}.yaml").write_text(TINY)
    (d / "a b#c%d?e.yaml").write_text(TINY.replace("seed: 1", "seed: 3"))
    out = tmp_path / "out"
    clean(nnviz("render", d, "--out", out), 0)
    pages = [out / "index.html", *out.glob("*/embed.html"), *out.glob("*/embed.md")]
    for style in ("html", "markdown", "pelican", "jekyll", "hugo"):
        code, text = nnviz("embed", HOSTILE_NAME, "--out", out, "--style", style, "--base-url", "/v/")
        assert code == 0, text
        assert "<img src=x" not in text and '"><' not in text, (style, text)
    for page in pages:
        text = page.read_text()
        assert "<img src=x" not in text and 'x"><' not in text, page
    index = (out / "index.html").read_text()
    assert 'href="a%20b%23c%25d%3Fe/a%20b%23c%25d%3Fe.mp4"' in index  # such names link right, too
    assert "x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in index or "x%22%3E%3Cimg" in index


def test_a_manifest_with_wrong_types_is_skipped_with_a_warning(tmp_path):
    out = tmp_path / "out"
    (out / "evil").mkdir(parents=True)
    (out / "evil" / "evil.json").write_text(json.dumps({"name": "evil", "files": "../../etc/passwd", "size": "big"}))
    (out / "other").mkdir()
    (out / "other" / "other.json").write_text(json.dumps({"name": "<script>", "title": 3}))
    (tmp_path / "a.yaml").write_text(TINY)
    text = clean(nnviz("render", tmp_path / "a.yaml", "--out", out), 0)
    assert "evil.json: not a valid nnviz manifest" in text and "other.json: not a valid nnviz manifest" in text
    assert "<script>" not in (out / "index.html").read_text()


# --- 2. one broken config fails alone ------------------------------------------------------------------
def test_configs_yaml_cannot_read_fail_alone(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("x,y\n" + "1" * 140_000 + ",2\n")
    d = batch(tmp_path, {
        "tag.yaml": "title: !foo x\n",
        "merge.yaml": "base: &b {name: sine}\ndata:\n  <<: *b\n",
        "int.yaml": "seed: !!int abc\n",
        "loop.yaml": "title: &a [*a]\n",
        "python.yaml": "title: !!python/object/apply:os.system [echo hacked]\n",
        "csv.yaml": f"data: {{name: file, path: {big}}}\n",
        "keys.yaml": "1: x\ntrue: y\n",
    })
    text = clean(nnviz("render", d, "--out", tmp_path / "out"), 1)
    assert "2 rendered, 7 failed" in text, text
    for name, what in (("tag", "the tag !foo is not plain YAML"), ("merge", "merge keys (<<) are not supported"),
                       ("int", "invalid value"), ("loop", "an alias refers to a value that contains it"),
                       ("python", "is not plain YAML"), ("csv", "not a CSV file nnviz can read"),
                       ("keys", "a key must be a name, got 1")):
        assert any(line.startswith(f"Error: {d / name}.yaml") and what in line for line in text.splitlines()), name
    assert "hacked" not in text
    assert (tmp_path / "out" / "good1" / "good1.mp4").is_file() and (tmp_path / "out" / "good2" / "good2.mp4").is_file()


# --- 3. resource exhaustion ----------------------------------------------------------------------------
BOMB = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8))


@pytest.mark.parametrize("text,where", [
    (BOMB, "more than 100,000"),
    ("train: {iterations: 1e32}\n", "train.iterations: the number of parameter updates is"),
    ("model: {hidden: [100000, 100000]}\n", "model.hidden: the net's number of parameters"),
    ("data: {name: table, x: [[0], [1]], y: [0, 100000]}\nmodel: {output: softmax}\n"
     "train: {loss: cross_entropy}\n", "the number of classes"),
    ("render: {size: [7680, 4320], fps: 240, hold: 60}\n", "render.size: the video's frames x width x height"),
    ("train: {iterations: 9000000, snapshot_every: 1}\n", "train.snapshot_every: the number of snapshots"),
    ("data: {name: sine, samples: 1e12}\n", "data.samples: the number of samples"),
])
def test_what_a_config_asks_for_is_capped_before_any_work(tmp_path, text, where):
    (tmp_path / "c.yaml").write_text(text)
    out = clean(nnviz("validate", tmp_path / "c.yaml"), 1)
    assert where in out, out
    assert "Error:" in out and out.count("\n") <= 3


def test_limits_can_be_raised_and_lowered(tmp_path):
    (tmp_path / "c.yaml").write_text(TINY)
    out = clean(nnviz("render", tmp_path / "c.yaml", "--out", tmp_path / "o", "--limit", "iterations=10"), 1)
    assert "train.iterations: the number of parameter updates is 40, over the limit of 10" in out
    assert "--limit iterations=40" in out
    clean(nnviz("validate", tmp_path / "c.yaml", "--limit", "iterations=100"), 0)
    out = clean(nnviz("validate", tmp_path / "c.yaml", "--limit", "iteratoins=100"), 2)
    assert "unknown limit 'iteratoins'" in out
    (tmp_path / "big.yaml").write_text(TINY + "#" * 200 + "\n")
    out = clean(nnviz("validate", tmp_path / "big.yaml", "--limit", "config_bytes=100"), 1)
    assert "the file is larger than the limit of 100 bytes (raise it with --limit config_bytes=N)" in out


def test_a_small_gz_file_that_expands_hugely_is_refused(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    with gzip.open(folder / "train-images-idx3-ubyte.gz", "wb") as fh:  # 6 MB of zeros in a few KB
        fh.write(bytes([0, 0, 8, 3]) + (10_000).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
                 + bytes(10_000 * 784))
    with gzip.open(folder / "train-labels-idx1-ubyte.gz", "wb") as fh:
        fh.write(bytes([0, 0, 8, 1]) + (10_000).to_bytes(4, "big") + bytes(10_000))
    (tmp_path / "m.yaml").write_text("data: {name: mnist, path: mnist}\nmodel: {output: softmax}\n"
                                     "train: {loss: cross_entropy}\n")
    out = clean(nnviz("validate", tmp_path / "m.yaml", "--limit", "file_bytes=1000000"), 1)
    assert "train-images-idx3-ubyte.gz: the data once read is" in out and "over the limit of 1,000,000" in out


# --- 4. divergence on the last update ------------------------------------------------------------------
def test_divergence_on_the_last_update_is_recorded_and_poisons_nothing(tmp_path):
    (tmp_path / "boom.yaml").write_text(TINY.replace("iterations: 40", "iterations: 1").replace(
        "{name: adam, lr: 0.02}", "{name: sgd, lr: 1e300}"))
    (tmp_path / "fine.yaml").write_text(TINY)
    out = tmp_path / "out"
    text = clean(nnviz("render", tmp_path / "boom.yaml", "--out", out), 0)
    assert "diverged" in text
    m = json.loads((out / "boom" / "boom.json").read_text())
    assert m["diverged_at"] >= 0 and m["final_loss"] is None
    clean(nnviz("render", tmp_path / "fine.yaml", "--out", out), 0)
    assert "boom" in (out / "index.html").read_text() and "fine" in (out / "index.html").read_text()


# --- 5. the gallery ------------------------------------------------------------------------------------
def test_a_gallery_that_cannot_be_written_is_a_warning(tmp_path):
    out = tmp_path / "out"
    (out / "index.html").mkdir(parents=True)
    (tmp_path / "a.yaml").write_text(TINY)
    text = clean(nnviz("render", tmp_path / "a.yaml", "--out", out), 0)
    assert "Warning: cannot write the gallery" in text and (out / "a" / "a.mp4").is_file()


# --- 6. what validate passes must not crash after training -----------------------------------------------
@pytest.mark.parametrize("text,what", [
    ("render: {panels: [fit, landscape]}\n", "render.landscape.weights[1]: this net has no parameter w0[1,0]"),
    ("data: {name: sine, samples: 1, test_fraction: 0.9}\n", "no training samples are left"),
    ("data: {name: sine, noise: 1e308}\n", "not all finite, or span more than a float can hold"),
    ("data: {name: table, x: [0, 1e308, -1e308], y: [0, 1, 2]}\n", "span more than a float can hold"),
])
def test_validate_catches_what_would_crash_later(tmp_path, text, what):
    (tmp_path / "c.yaml").write_text(text)
    out = clean(nnviz("validate", tmp_path / "c.yaml"), 1)
    assert what in out, out
    clean(nnviz("render", tmp_path / "c.yaml", "--out", tmp_path / "out"), 1)
    assert not (tmp_path / "out" / "c" / "c.npz").exists()


def test_a_weights_file_of_strings_is_an_error(tmp_path):
    np.savez(tmp_path / "w.npz", w0=np.array([["a"] * 8]), b0=np.zeros(8), w1=np.zeros((8, 1)), b1=np.zeros(1))
    (tmp_path / "c.yaml").write_text(TINY.replace("activation: tanh}", "activation: tanh, init: {name: file, "
                                                                        "path: w.npz}}"))
    out = clean(nnviz("validate", tmp_path / "c.yaml"), 1)
    assert "w0 holds <U1 values, not numbers" in out


def test_a_pickled_file_gets_no_advice_to_load_it_unsafely(tmp_path):
    np.save(tmp_path / "x.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    import zipfile

    with zipfile.ZipFile(tmp_path / "d.npz", "w") as z:
        z.write(tmp_path / "x.npy", "x.npy")
        z.write(tmp_path / "x.npy", "y.npy")
    (tmp_path / "c.yaml").write_text("data: {name: file, path: d.npz}\n")
    out = clean(nnviz("validate", tmp_path / "c.yaml"), 1)
    assert "never loads" in out and "unsafely" not in out and "allow_pickle" not in out


@pytest.mark.parametrize("where", ["title", "label", "column"])
def test_user_text_is_text_not_mathtext(tmp_path, where):
    bad = r"$\bad{x}^$"
    if where == "title":
        text = TINY.replace("title: Test run", f"title: '{bad}'")
    elif where == "label":
        text = TINY.replace("size: [320, 240]", "size: [640, 360]") + f"runs:\n  - {{label: '{bad}'}}\n"
    else:
        (tmp_path / "d.csv").write_text(f"{bad},y\n1,2\n2,3\n3,5\n")
        text = TINY.replace("data: {name: sine, samples: 40, noise: 0.1}", "data: {name: file, path: d.csv}")
    (tmp_path / "c.yaml").write_text(text)
    clean(nnviz("render", tmp_path / "c.yaml", "--out", tmp_path / "out"), 0)


# --- 7. signals ----------------------------------------------------------------------------------------
def _processes_mentioning(marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if marker in (proc / "cmdline").read_bytes().decode("utf-8", "replace") and int(proc.name) != os.getpid():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find leftover processes")
@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_to_the_command_alone_stops_everything_it_started(tmp_path, sig, code):
    d = tmp_path / "configs"
    d.mkdir()
    long = SMALL.replace("iterations: 200", "iterations: 20000").replace("snapshot_every: 20", "snapshot_every: 40")
    (d / "c0.yaml").write_text(long.replace("size: [320, 240]", "size: [640, 360]") + "sweep: {seed: [1, 2, 3]}\n")
    for i in (1, 2):  # a comparison (its runs train in a pool) and two single runs
        (d / f"c{i}.yaml").write_text(long.replace("seed: 1", f"seed: {i}"))
    out = tmp_path / "out-signal-test"
    proc = subprocess.Popen([sys.executable, "-m", "nnviz", "render", str(d), "--out", str(out), "-j", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not leftovers(out):
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(sig)  # to the command only, as kill or a CI runner sends it
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "Traceback" not in err and "Interrupted" in err
    time.sleep(1.0)
    assert not _processes_mentioning(str(out)), "workers outlived the command"
    assert not leftovers(out), leftovers(out)


def test_stale_temporary_files_are_swept(tmp_path):
    (tmp_path / "a.yaml").write_text(TINY)
    folder = tmp_path / "out" / "a"
    folder.mkdir(parents=True)
    (folder / ".a.1234abcd.part.mp4").write_bytes(b"half a video")
    (folder / ".palette.xyz").mkdir()
    (folder / ".palette.xyz" / "palette.png").write_bytes(b"")
    clean(nnviz("render", tmp_path / "a.yaml", "--out", tmp_path / "out"), 0)
    assert not leftovers(tmp_path / "out")


# --- 8. two processes, one folder ------------------------------------------------------------------------
def test_a_folder_being_rendered_is_refused_and_a_dead_owner_is_taken_over(tmp_path):
    (tmp_path / "a.yaml").write_text(TINY)
    folder = tmp_path / "out" / "a"
    with files.locked(folder):
        out = clean(nnviz("render", tmp_path / "a.yaml", "--out", tmp_path / "out"), 1)
        assert f"is being rendered by process {os.getpid()}" in out
    (folder / files.LOCK).write_text("999999")  # left by a process that died
    clean(nnviz("render", tmp_path / "a.yaml", "--out", tmp_path / "out"), 0)
    assert not (folder / files.LOCK).exists()


def test_a_failure_between_weights_and_snapshots_cannot_pair_them_wrongly(tmp_path, monkeypatch):
    from nnviz import snapshots
    from nnviz.errors import RenderError
    from nnviz.experiment import load_config
    from nnviz.pipeline import render

    (tmp_path / "a.yaml").write_text(TINY)
    render(load_config(tmp_path / "a.yaml"), tmp_path)

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(snapshots, "save", full_disk)
    with pytest.raises(RenderError):
        render(load_config(tmp_path / "a.yaml", ["train.optimizer.lr=0.05"]), tmp_path)
    monkeypatch.undo()
    again = render(load_config(tmp_path / "a.yaml", ["train.optimizer.lr=0.05"]), tmp_path)
    assert again.retrained  # the new weights came without their snapshots: trained again, not reused


# --- 9. damaged outputs mean "train again" --------------------------------------------------------------
def test_a_truncated_snapshot_file_means_train_again(tmp_path):
    (tmp_path / "a.yaml").write_text(TINY)
    clean(nnviz("render", tmp_path / "a.yaml", "--out", tmp_path / "out"), 0)
    snaps = tmp_path / "out" / "a" / "a.npz"
    snaps.write_bytes(snaps.read_bytes()[: snaps.stat().st_size // 2])
    out = clean(nnviz("render", tmp_path / "a.yaml", "--out", tmp_path / "out", "--set", "render.fps=12", "-v"), 0)
    assert "training again" in out and "rendered" in out


# --- 11. smaller things ----------------------------------------------------------------------------------
def test_new_refuses_names_that_make_broken_yaml_or_cannot_be_written(tmp_path):
    out = clean(nnviz("new", "foo: bar", cwd=tmp_path), 2)
    assert "a config name is letters" in out and not list(tmp_path.iterdir())
    out = clean(nnviz("new", "/proc/x", cwd=tmp_path), 1)
    assert "cannot write /proc/x.yaml" in out


def test_a_name_too_long_for_its_outputs_names_the_config(tmp_path):
    long = tmp_path / ("n" * 230 + ".yaml")
    long.write_text(TINY)
    out = clean(nnviz("render", long, "--out", tmp_path / "out"), 1)
    assert f"Error: {long}: the file's name is longer than 200 bytes" in out and ".part" not in out


def test_numeric_keys_are_not_called_duplicates(tmp_path):
    (tmp_path / "c.yaml").write_text("1: x\ntrue: y\n")
    out = clean(nnviz("validate", tmp_path / "c.yaml"), 1)
    assert "duplicate" not in out and out.count("a key must be a name") == 2


def test_numpy_warnings_do_not_reach_the_user(tmp_path):
    (tmp_path / "c.yaml").write_text(TINY.replace("{name: adam, lr: 0.02}", "{name: sgd, lr: 1e10}"))
    out = clean(nnviz("render", tmp_path / "c.yaml", "--out", tmp_path / "out"), 0)
    assert "RuntimeWarning" not in out and "overflow encountered" not in out


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_not_read_forever(tmp_path):
    out = clean(nnviz("validate", "/dev/zero"), 1)
    assert "not a regular file" in out
    (tmp_path / "c.yaml").write_text("data: {name: file, path: /dev/zero.csv}\n")
    os.symlink("/dev/zero", tmp_path / "z.csv")
    (tmp_path / "c.yaml").write_text("data: {name: file, path: z.csv}\n")
    out = clean(nnviz("validate", tmp_path / "c.yaml"), 1)
    assert "not a regular file" in out


def test_deep_nesting_and_long_titles(tmp_path):
    (tmp_path / "deep.yaml").write_text("title: " + "[" * 5000 + "]" * 5000 + "\n")
    out = clean(nnviz("validate", tmp_path / "deep.yaml"), 1)
    assert "Error:" in out
    (tmp_path / "long.yaml").write_text(TINY.replace("title: Test run", "title: " + "w" * 5000))
    out = clean(nnviz("validate", tmp_path / "long.yaml"), 1)
    assert "title: expected one line of at most 300 characters" in out
    (tmp_path / "wide.yaml").write_text(TINY.replace("title: Test run", "title: " + "W" * 300))
    clean(nnviz("render", tmp_path / "wide.yaml", "--out", tmp_path / "out"), 0)


def test_control_characters_in_names_are_not_sent_to_the_terminal(tmp_path):
    (tmp_path / "a\x1b[31mred.yaml").write_text("data: {name: nope}\n")
    out = clean(nnviz("validate", tmp_path / "a\x1b[31mred.yaml"), 1)
    assert "\x1b" not in out and "a?[31mred.yaml" in out


def test_a_gallery_page_left_by_a_killed_run_is_swept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    old, fresh = out / ".index.deadbeef.part.html", out / ".index.cafef00d.part.html"
    old.write_text("half a page")
    fresh.write_text("another process is writing this one")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    (tmp_path / "a.yaml").write_text(TINY)
    clean(nnviz("render", tmp_path / "a.yaml", "--out", out), 0)
    assert not old.exists() and fresh.exists()


# --- found by a second hostile pass ----------------------------------------------------------------------
def _render_tiny(tmp_path, name="a"):
    (tmp_path / f"{name}.yaml").write_text(TINY)
    return clean(nnviz("render", tmp_path / f"{name}.yaml", "--out", tmp_path / "out"), 0)


@pytest.mark.parametrize("files_", [{"mp4": "noext"}, {"mp4": "noext", "poster": "p.png"},
                                    {"webm": "a.avi", "poster": "p.png"}, {"x": "y"}])
def test_a_manifest_naming_odd_files_is_skipped(tmp_path, files_):
    _render_tiny(tmp_path)
    m = json.loads((tmp_path / "out" / "a" / "a.json").read_text())
    (tmp_path / "out" / "evil").mkdir()
    (tmp_path / "out" / "evil" / "evil.json").write_text(json.dumps({**m, "name": "evil", "files": files_}))
    out = _render_tiny(tmp_path, "b")
    assert "evil.json: not a valid nnviz manifest" in out
    out = clean(nnviz("embed", "evil", "--out", tmp_path / "out"), 1)
    assert "Error: no rendered output named 'evil'" in out


def test_a_lying_manifest_cannot_make_nnviz_delete_files(tmp_path):
    folder = tmp_path / "out" / "a"
    folder.mkdir(parents=True)
    (folder / "a.notes.txt").write_text("mine")
    _render_tiny(tmp_path)
    m = json.loads((folder / "a.json").read_text())
    m["files"].update(a="a.json", b="a.notes.txt", c="a.weights.npz")
    (folder / "a.json").write_text(json.dumps(m))
    (tmp_path / "a.yaml").write_text(TINY.replace("fps: 10", "fps: 12"))
    clean(nnviz("render", tmp_path / "a.yaml", "--out", tmp_path / "out"), 0)
    assert (folder / "a.notes.txt").read_text() == "mine" and (folder / "a.json").is_file()
    assert (folder / "a.weights.npz").is_file()


def test_a_lock_file_that_is_a_link_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    folder = tmp_path / "out" / "a"
    folder.mkdir(parents=True)
    os.symlink(victim, folder / files.LOCK)
    (tmp_path / "a.yaml").write_text(TINY)
    out = clean(nnviz("render", tmp_path / "a.yaml", "--out", tmp_path / "out"), 1)
    assert "is not a lock file nnviz made" in out and victim.read_text() == "precious"


def test_fifos_are_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "c.yaml")
    assert "not a regular file" in clean(nnviz("validate", tmp_path / "c.yaml", timeout=60), 1)
    os.mkfifo(tmp_path / "d.csv")
    os.mkfifo(tmp_path / "w.npz")
    (tmp_path / "e.yaml").write_text("data: {name: file, path: d.csv}\n")
    (tmp_path / "f.yaml").write_text("model: {init: {name: file, path: w.npz}}\n")
    for name in ("e", "f"):
        assert "not a regular file" in clean(nnviz("validate", tmp_path / f"{name}.yaml", timeout=60), 1)
    out = tmp_path / "out"
    (out / "other").mkdir(parents=True)
    os.mkfifo(out / "other" / "other.json")
    assert "other.json: not a valid nnviz manifest" in _render_tiny(tmp_path)


def test_class_counts_and_sweep_products_are_capped_before_work(tmp_path):
    (tmp_path / "g.yaml").write_text("data: {name: gauss, classes: 30000, samples: 200}\nmodel: {output: softmax}\n"
                                     "train: {loss: cross_entropy}\n")
    assert "data.classes: data.classes is 30,000, over the limit of 1,000" in clean(nnviz("validate", tmp_path / "g.yaml"), 1)
    (tmp_path / "s.yaml").write_text("sweep:\n  seed: [" + ", ".join(map(str, range(60))) + "]\n"
                                     "  data.samples: [" + ", ".join(map(str, range(10, 70))) + "]\n"
                                     "  train.iterations: [" + ", ".join(map(str, range(1, 61))) + "]\n")
    assert "216,000 runs is more than 36" in clean(nnviz("validate", tmp_path / "s.yaml"), 1)


def test_a_starter_named_like_a_yaml_word_is_still_a_title(tmp_path):
    for name in ("yes", "null", "1e3"):
        clean(nnviz("new", name, cwd=tmp_path), 0)
        clean(nnviz("validate", tmp_path / f"{name}.yaml"), 0)


def test_template_syntax_in_titles_does_not_reach_site_generators(tmp_path):
    (tmp_path / "a.yaml").write_text(TINY.replace("title: Test run", "title: '{{ 7*7 }}{% raw %}'"))
    clean(nnviz("render", tmp_path / "a.yaml", "--out", tmp_path / "out"), 0)
    for style in ("jekyll", "hugo", "markdown", "html"):
        out = clean(nnviz("embed", "a", "--out", tmp_path / "out", "--style", style), 0)
        assert "{{ 7" not in out and "{% raw" not in out, (style, out)


def test_an_interrupted_retrain_keeps_the_older_set_whole(tmp_path, monkeypatch):
    from nnviz import pipeline
    from nnviz.experiment import load_config

    (tmp_path / "a.yaml").write_text(TINY)
    o = pipeline.render(load_config(tmp_path / "a.yaml"), tmp_path).outputs
    before = {p.name: p.read_bytes() for p in o.folder.iterdir()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "draw", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pipeline.render(load_config(tmp_path / "a.yaml", ["train.optimizer.lr=0.05"]), tmp_path)
    assert {p.name: p.read_bytes() for p in o.folder.iterdir()} == before


def test_a_small_npz_of_huge_arrays_is_refused_before_unpacking(tmp_path):
    import zipfile

    big = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float64, shape=(20_000_000, 1))
    del big  # 160 MB of zeros, a few hundred KB once zipped
    with zipfile.ZipFile(tmp_path / "d.npz", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(tmp_path / "x.npy", "x.npy")
        z.write(tmp_path / "x.npy", "y.npy")
    (tmp_path / "x.npy").unlink()
    (tmp_path / "c.yaml").write_text("data: {name: file, path: d.npz}\n")
    out = clean(nnviz("validate", tmp_path / "c.yaml", "--limit", "samples=1e6", timeout=120), 1)
    assert "the rows of x is 20,000,000, over the limit of 1,000,000" in out
