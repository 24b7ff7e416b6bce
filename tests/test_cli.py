"""The command line: exit codes, messages on stderr, progress, -q."""
import subprocess
import sys

from click.testing import CliRunner

from conftest import SMALL
from nnviz import __version__
from nnviz.cli import main


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_version_and_help():
    assert run("--version").output.strip().endswith(__version__)
    for cmd in ([], ["render"], ["validate"]):
        r = run(*cmd, "--help")
        assert r.exit_code == 0 and "Usage:" in r.output


def test_usage_errors_exit_2():
    assert run("render").exit_code == 2
    assert run("frobnicate").exit_code == 2
    assert run("render", "x.yaml", "--no-such-option").exit_code == 2


def test_render_prints_progress_and_result(write, tmp_path):
    path = write("small.yaml", SMALL)
    r = run("render", path, "--out", tmp_path / "o")
    assert r.exit_code == 0, r.output
    assert "small: training" in r.output and "small: drawing" in r.output
    assert "small.yaml: rendered -> " in r.output
    assert (tmp_path / "o" / "small" / "small.mp4").is_file()
    r = run("-q", "render", path, "--out", tmp_path / "o", "--set", "render.fps=12")
    assert r.exit_code == 0 and r.output == ""


def test_config_error_is_one_line_per_problem_and_exit_1(write, tmp_path):
    path = write("bad.yaml", "train:\n  optimizer: {name: sgd, lr: 0}\n  iterationz: 3\n")
    r = run("render", path, "--out", tmp_path)
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert lines == [
        f"Error: {path}:2: train.optimizer.lr: must be > 0, got 0.0",
        f"Error: {path}:3: train.iterationz: unknown key (did you mean 'iterations'?); valid: batch_size, dtype, "
        "epochs, iterations, l1, l2, loss, optimizer, shuffle, snapshot_every",
    ]
    assert "Traceback" not in r.output
    assert not (tmp_path / "bad").exists()


def test_validate(write, tmp_path):
    good = write("good.yaml", SMALL)
    bad = write("bad.yaml", "data: {name: file, path: nothing.csv}\n")
    r = run("validate", good)
    assert r.exit_code == 0 and "good.yaml: ok" in r.output
    r = run("validate", good, bad)
    assert r.exit_code == 1 and f"Error: {bad}:1: data.path: data file not found" in r.output


def test_diverged_run_warns_and_exits_0(write, tmp_path):
    path = write("div.yaml", SMALL.replace("name: adam, lr: 0.02", "name: sgd, lr: 50")
                 .replace("name: sine,", "name: linear,").replace("hidden: [8]", "hidden: []"))
    r = run("render", path, "--out", tmp_path)
    assert r.exit_code == 0
    assert "Warning:" in r.output and "diverged at iteration" in r.output


def test_python_dash_m(write, tmp_path):
    r = subprocess.run([sys.executable, "-m", "nnviz", "validate", write("s.yaml", SMALL)],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "ok" in r.stderr


def test_unwritable_output_folder_is_a_clear_error(write, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "small").write_text("a file where the config's output folder should be")
    r = run("render", write("small.yaml", SMALL), "--out", tmp_path / "out")
    assert r.exit_code == 1 and "Error:" in r.output and "cannot write" in r.output
    assert "Traceback" not in r.output


def test_empty_folder_is_an_error(tmp_path):
    r = run("render", tmp_path)
    assert r.exit_code == 1 and "no *.yaml" in r.output
