"""The command line: parse, call the pipeline, map errors to exit codes. The only module that prints."""
from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import time
import warnings
from pathlib import Path

import click

from . import __version__, limits, procs
from .errors import ConfigError, NnvizError, one_line

log = logging.getLogger("nnviz")


def _printable(text: str) -> str:
    """User text (file names, labels) as printed: a control character, such as a terminal escape, as '?'."""
    return "".join(c if c.isprintable() or c == "\n" else "?" for c in str(text))


def _say(text: str, nl: bool = True) -> None:
    click.echo(_printable(text), err=True, nl=nl)


class _Handler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        prefix = {logging.WARNING: "Warning: ", logging.ERROR: "Error: "}.get(record.levelno, "")
        _say(prefix + record.getMessage())


class Progress:
    """Progress of one or more jobs on stderr: a bar per active job on a terminal, plain lines otherwise."""

    BAR = 24

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.jobs: dict[str, tuple[str, float]] = {}  # name -> (stage, fraction)
        self.shown = 0  # lines of bars on screen
        self.start = time.monotonic()

    def __call__(self, name: str, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        frac = done / total if total else 1.0
        before = self.jobs.get(name)
        if stage in ("done", "failed"):
            self.jobs.pop(name, None)
        else:
            self.jobs[name] = (stage, frac)
        if self.tty:
            if before is None or before[0] != stage or int(100 * before[1]) != int(100 * frac) or stage == "done":
                self._redraw()
        elif before is None or before[0] != stage or int(4 * before[1]) != int(4 * frac):
            if stage not in ("done", "failed"):
                _say(f"{name}: {stage} {done}/{total} ({time.monotonic() - self.start:.1f} s)")

    def _redraw(self) -> None:
        out = "\x1b[1A\x1b[2K" * self.shown  # up a line and clear it, for every line shown
        width = max((len(n) for n in self.jobs), default=0)
        for name, (stage, frac) in self.jobs.items():
            bar = "#" * int(self.BAR * frac)
            out += f"{_printable(name):<{width}}  {stage:<9} [{bar:<{self.BAR}}] {100 * frac:3.0f}%\n"
        self.shown = len(self.jobs)
        click.echo(out, err=True, nl=False)

    def close(self) -> None:
        if self.tty and self.shown:
            click.echo("\x1b[1A\x1b[2K" * self.shown, err=True, nl=False)
            self.shown = 0


def _report(exc: ConfigError) -> None:
    for problem in exc.problems:
        _say(_one_line(f"Error: {problem}"))


def _one_line(text: str) -> str:
    """One problem, one line: a newline inside user text (a file name, a value) shown as \\n."""
    return str(text).replace("\r", "\\r").replace("\n", "\\n")


def _set_level(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """-q / -v, before or after the command's name: the root context keeps the choice."""
    root = ctx.find_root()
    root.obj = root.obj or {"quiet": False, "verbose": False}
    if value:
        root.obj[param.name] = True
    quiet, verbose = root.obj["quiet"], root.obj["verbose"]
    log.handlers[:] = [_Handler()]
    log.propagate = False
    log.setLevel(logging.ERROR if quiet else logging.DEBUG if verbose else logging.WARNING)


def _verbosity(f):
    """The shared -q/-v options (composed onto the group and every command)."""
    f = click.option("-v", "--verbose", is_flag=True, expose_value=False, callback=_set_level,
                     help="Print more (debug) detail.")(f)
    return click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_set_level,
                        help="Print errors only.")(f)


def _quiet() -> bool:
    return click.get_current_context().find_root().obj["quiet"]


class _Main(click.Group):
    """The command group: an interruption anywhere (not only while rendering) exits 130, or 143 for SIGTERM,
    instead of click's "Aborted!" and 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            _say("\nInterrupted.")
            sys.exit(143 if isinstance(exc, Terminated) else 130)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nnviz")
@_verbosity
def main() -> None:
    """Watch a neural net learn: render YAML experiment configs into videos."""
    signal.signal(signal.SIGTERM, _terminated)
    logging.captureWarnings(True)  # a library's warning is detail (-v), not a message to the user
    warnings.simplefilter("default")
    logging.getLogger("py.warnings").handlers[:] = [_Handler()]
    logging.getLogger("py.warnings").propagate = False
    logging.getLogger("py.warnings").setLevel(logging.DEBUG if _verbose() else logging.ERROR)


class Terminated(KeyboardInterrupt):
    """SIGTERM (from kill, timeout, systemd, a CI runner): stopped like Ctrl-C, exit status 143."""


def _terminated(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once is enough; the cleanup must not be interrupted
    raise Terminated()


def _verbose() -> bool:
    obj = click.get_current_context().find_root().obj or {}
    return obj.get("verbose", False)


_MAX_RUNS = click.option("--max-runs", type=click.IntRange(1), default=None,
                         help="Allow a comparison (runs:/sweep:) of more than 36 runs.")


def _set_limits(ctx: click.Context, param: click.Parameter, value) -> None:
    """--limit NAME=N: checked here (a usage error), then in force for this process and its workers."""
    try:
        raised = limits.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if raised:
        os.environ[limits.ENV] = limits.encode(raised)


_LIMIT = click.option("--limit", "limit", multiple=True, metavar="NAME=N", expose_value=False, callback=_set_limits,
                      help="Raise (or lower) one of the limits of docs/limits.md, e.g. --limit iterations=1e8.")
SCHEDULER = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")


def _check_scheduler(ctx: click.Context, param: click.Parameter, value):
    if value is not None and (not SCHEDULER.match(value) or not 0 < int(value.rsplit(":", 1)[1]) < 65536):
        raise click.BadParameter(f"{value!r} is not a scheduler address like tcp://HOST:8786")
    return value


_SET = click.option("--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE",
                    help="Override one config key for this run, e.g. --set train.optimizer.lr=0.1 (repeatable).")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@_verbosity
@click.option("--out", "out_dir", default="outputs", show_default=True, type=click.Path(file_okay=False),
              help="Each config's files go to OUT/<config file name>/.")
@_SET
@click.option("--force", is_flag=True, help="Render again even when the outputs are up to date.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None,
              help="Render this many configs at once, each in its own process  [default: the number of cores]")
@click.option("--format", "formats", multiple=True, type=click.Choice(["mp4", "webm", "gif"]),
              help="Output format(s) instead of the configs' render.formats (repeatable).")
@click.option("--scheduler", metavar="tcp://HOST:PORT", callback=_check_scheduler,
              help="Send the jobs to this Dask scheduler instead of local processes (needs nnviz[dask]).")
@_MAX_RUNS
@_LIMIT
def render(paths, out_dir, overrides, force, jobs, formats, scheduler, max_runs) -> None:
    """Render configs (files, folders of *.yaml, glob patterns) into videos, posters and snapshots.
    A recording saved by nnviz.Recorder (FILE.npz) renders too (--set title=... and render.* apply).

    Configs whose outputs are up to date are skipped; the others render in parallel. At the end, a
    table says what happened to each, and OUT/index.html shows everything rendered.
    """
    from .sources import BatchError, find_configs

    try:
        files = find_configs(paths)
    except BatchError as exc:
        raise click.ClickException(str(exc)) from None
    if jobs is None:  # the number of cores this process may use
        jobs = procs.cores()
    if len(files) > 1 and jobs > 1:
        # several configs at once: one BLAS thread each, or the workers fight over the cores
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
    from . import batch  # loads NumPy
    from .embed import gallery
    from .pipeline import render as render_one

    quiet = _quiet()
    progress = Progress(not quiet)
    rows = []
    try:
        configs, rows, errors = batch.plan(files, overrides, formats, max_runs)
        for line in errors:
            _say(_one_line(f"Error: {line}"))
        batch.check_names(configs, out_dir)
        todo, done = batch.skip_up_to_date(configs, out_dir, force)
        rows += done
        if scheduler:
            from .remote import run_dask

            rows += _reported(run_dask(todo, out_dir, scheduler, force, progress))
        elif len(todo) == 1 and len(configs) == 1:  # one config: in this process, simplest to follow
            rows.append(_render_here(render_one, todo[0], out_dir, force, progress))
        elif todo:
            rows += _reported(batch.run_local(todo, out_dir, jobs, force, progress))
    except batch.Interrupted as exc:
        progress.close()
        _table(rows + exc.rows, quiet)
        _interrupted(exc.__context__, out_dir)
    except KeyboardInterrupt as exc:
        progress.close()
        _interrupted(exc, out_dir)
    except NnvizError as exc:
        progress.close()
        raise click.ClickException(str(exc)) from None
    progress.close()
    order = {str(f): i for i, f in enumerate(files)}
    rows.sort(key=lambda r: order.get(r.config, len(order)))
    if any(r.status != "failed" for r in rows):
        try:
            gallery(out_dir)
        except OSError as exc:  # the videos are fine; only the page could not be written
            log.warning("cannot write the gallery %s: %s", Path(out_dir) / "index.html", exc.strerror or exc)
    for r in rows:
        if r.status == "diverged":
            log.warning("%s: training diverged; the video says at which iteration", r.config)
    _table(rows, quiet)
    sys.exit(1 if any(r.status == "failed" for r in rows) else 0)


def _reported(rows):
    """Rows from workers: each failure also as an `Error:` line (the table alone is silent with -q)."""
    for r in rows:
        if r.status == "failed":
            _say(_one_line(f"Error: {r.config}: {r.output}"))
    return rows


def _interrupted(exc, out_dir) -> None:
    """Say what an interruption left, honestly, and exit 143 (SIGTERM) or 130 (Ctrl-C)."""
    from .files import PART

    left = [p for p in Path(out_dir).glob("*/.*") if PART in p.name or p.name.startswith(".palette.")]
    if left:
        _say(f"\nInterrupted: {len(left)} temporary file(s) remain, e.g. {left[0]}; the next render into "
             "that folder removes them. Finished outputs are kept.")
    else:
        _say("\nInterrupted: no partial files were left; finished outputs are kept.")
    sys.exit(143 if isinstance(exc, Terminated) else 130)


def _render_here(render_one, cfg, out_dir, force, progress):
    """Render a single config in this process; a Row like a worker's."""
    from .batch import Row

    name = Path(cfg.source).stem
    start = time.monotonic()
    try:
        result = render_one(cfg, out_dir, lambda *a: progress(name, *a), force=force)
    except ConfigError as exc:
        _report(exc)
        return Row(cfg.source, "failed", time.monotonic() - start, str(exc.problems[0]))
    except Exception as exc:  # anything else (a bug, too) is this config's failure, in one line
        log.debug("%s failed", cfg.source, exc_info=True)
        _say(_one_line(f"Error: {cfg.source}: {one_line(exc)}"))
        return Row(cfg.source, "failed", time.monotonic() - start, one_line(exc))
    progress(name, "done", 1, 1)
    status = "up to date" if result.up_to_date else "diverged" if result.diverged_at >= 0 else "rendered"
    return Row(cfg.source, status, time.monotonic() - start, str(result.outputs.video), result.final_loss,
               result.runs, result.overrides)


def _runs_table(row) -> None:
    """A comparison's runs: label, final loss, final accuracy (where there is one), diverged-at."""
    width = max(len("run"), *(len(r.label) for r in row.runs))
    _say(f"{row.config}:")
    _say(f"  {'run':<{width}}  {'final loss':>11}  {'accuracy':>8}  diverged at")
    for r in row.runs:
        loss = f"{r.final_loss:.4g}" if r.final_loss is not None else "not finite"
        acc = f"{r.final_accuracy:.3f}" if r.final_accuracy is not None else "-"
        div = f"{r.diverged_at:,}" if r.diverged_at >= 0 else "-"
        _say(f"  {r.label:<{width}}  {loss:>11}  {acc:>8}  {div}")


def _table(rows, quiet: bool) -> None:
    """The closing table on stderr: config, status, time, output (or the error)."""
    if quiet or not rows:
        return
    for r in rows:
        if r.runs:
            _runs_table(r)
    if len(rows) == 1:  # one config: one line (its errors, if any, are printed already)
        r = rows[0]
        if r.status != "failed":
            _say(f"{r.config}: {r.status} -> {r.output} ({r.seconds:.1f} s){_with_sets(r)}")
        return
    width = max(len(r.config) for r in rows)
    _say(f"{'config':<{width}}  {'status':<11} {'time':>7}  output")
    for r in rows:
        secs = f"{r.seconds:.1f} s" if r.seconds else "-"
        _say(f"{r.config:<{width}}  {r.status:<11} {secs:>7}  {r.output}{_with_sets(r)}")
    counts = {s: sum(r.status == s for r in rows) for s in ("rendered", "up to date", "diverged", "failed")}
    _say(", ".join(f"{n} {s}" for s, n in counts.items() if n))


def _with_sets(row) -> str:
    """' with --set a=1 --set b=2' when the row's outputs were made with overrides."""
    return "".join(f" --set {o}" for o in row.overrides).replace(" --set", " with --set", 1) if row.overrides \
        and row.status != "failed" else ""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@_verbosity
@_SET
@_MAX_RUNS
@_LIMIT
def validate(paths, overrides, max_runs) -> None:
    """Check configs (and the data and weights files they name) without training; recordings (.npz) too."""
    from .batch import load_job
    from .pipeline import check
    from .sources import BatchError, find_configs

    try:
        files = find_configs(paths)
    except BatchError as exc:
        raise click.ClickException(str(exc)) from None
    failed = 0
    for path in files:
        try:
            check(load_job(path, list(overrides), max_runs))
        except ConfigError as exc:
            _report(exc)
            failed += 1
            continue
        except Exception as exc:
            _say(_one_line(f"Error: {path}: cannot read this config: {one_line(exc)}"))
            failed += 1
            continue
        if not _quiet():
            _say(f"{path}: ok")
    sys.exit(1 if failed else 0)


def _base_url(value: str) -> str:
    from .embed import check_base_url

    try:
        return check_base_url(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.argument("name")
@_verbosity
@click.option("--out", "out_dir", default="outputs", show_default=True, type=click.Path(file_okay=False),
              help="The folder the output was rendered into.")
@click.option("--style", type=click.Choice(["html", "markdown", "pelican", "jekyll", "hugo"]), default="html",
              show_default=True, help="The site generator's syntax.")
@click.option("--base-url", default="", callback=lambda ctx, param, v: _base_url(v),
              help="Where the files will be served from, e.g. /videos/.")
def embed(name, out_dir, style, base_url) -> None:
    """Print the snippet that embeds the rendered video NAME in a page or post."""
    from .embed import snippet
    from .outputs import read_manifest

    name = Path(name).stem
    m = read_manifest(Path(out_dir) / name / f"{name}.json")
    if m is None:
        raise click.ClickException(f"no rendered output named {name!r} in {out_dir}/ (render it first)")
    click.echo(snippet(m, style, base_url))
    if style == "hugo":
        click.echo("Note: Hugo passes raw HTML through only with markup.goldmark.renderer.unsafe = true.", err=True)
    if style == "pelican":
        click.echo('Note: the {% video %} tag needs the pelican-liquid-tags plugin: PLUGINS = '
                   '["pelican.plugins.liquid_tags"] and LIQUID_TAGS = ["video"] in pelicanconf.py.', err=True)


@main.command(name="list")
@_verbosity
def list_() -> None:
    """List the built-in data sets, activations, losses, optimizers, initialisers, panels and formats."""
    from .activations import ACTIVATIONS
    from .datasets import DATASETS
    from .init import INITS
    from .losses import LOSSES
    from .optim import OPTIMIZERS
    from .draw.formats import FORMATS
    from .draw.panels import PANELS

    families = [
        ("data sets (data.name)", {k: v.doc for k, v in DATASETS.items()}),
        ("activations (model.activation, model.output)", {k: v.doc for k, v in ACTIVATIONS.items()}),
        ("losses (train.loss)", {k: v.doc for k, v in LOSSES.items()}),
        ("optimizers (train.optimizer.name)", {k: v.doc for k, v in OPTIMIZERS.items()}),
        ("initialisers (model.init.name)", {k: v.doc for k, v in INITS.items()}),
        ("panels", {k: (v.__doc__ or "").strip().splitlines()[0] for k, v in PANELS.items()}),
        ("formats (render.formats)", {**{k: v.doc for k, v in FORMATS.items()},
                                      "gif": "animated GIF from a palette made for the video, looping"}),
    ]
    for title, entries in families:
        click.echo(title)
        width = max(map(len, entries))
        for k, doc in entries.items():
            click.echo(f"  {k:<{width}}  {doc}")
        click.echo("")


STARTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$")
STARTER = """\
# An nnviz experiment: `nnviz render {file}`. Every key is optional; docs/config.md lists them all.
title: {title}
seed: 1                     # one seed drives data noise, initial weights and batch order

data:
  name: sine                # `nnviz list` shows the data sets; `file` reads your own .npz or .csv
  samples: 100
  noise: 0.2

model:
  hidden: [10, 10]          # hidden layer sizes; [] is a single neuron
  activation: tanh          # one name, or one per hidden layer
  output: linear
  bias: true
  init: glorot_uniform      # or {{name: normal, std: 0.05}}

train:
  loss: mse
  optimizer: {{name: adam, lr: 0.01}}   # sgd, adam, adamw, rmsprop, adagrad, with torch.optim's defaults
  batch_size: full          # or a number: mini-batches
  iterations: 5000          # or `epochs: N`
  snapshot_every: auto      # densely early, where learning is fast; or every N updates

render:
  fps: 30
  size: [1280, 720]
  frames: auto              # 6 seconds of learning, paced where the picture changes
  hold: 2                   # seconds the last frame stays
  captions: auto            # or [{{at: 500, text: "what to look at", pause: 1}}]
  theme: light              # or dark
  formats: [mp4]            # add webm and gif for the web
"""


@main.command()
@click.argument("name")
@_verbosity
def new(name) -> None:
    """Write a commented starter config NAME.yaml."""
    from .files import write_text

    path = Path(name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    if not STARTER_NAME.match(path.stem):
        raise click.BadParameter(f"{path.stem!r}: a config name is letters, digits, spaces, '-', '_' and '.' "
                                 "(it becomes the title and the output folder's name)", param_hint="NAME")
    if path.exists():
        raise click.ClickException(f"{path} exists already; pick another name")
    title = path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    text = STARTER.format(file=path, title=json.dumps(title))  # quoted: `nnviz new yes` is a title, not true
    try:
        write_text(path, text)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    _say(f"wrote {path}; render it with: nnviz render {path}")
