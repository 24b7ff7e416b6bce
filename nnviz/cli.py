"""The command line: parse, call the pipeline, map errors to exit codes. The only module that prints."""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import click

from . import __version__
from .config import load_config
from .errors import ConfigError, NnvizError

log = logging.getLogger("nnviz")


class _Handler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        prefix = {logging.WARNING: "Warning: ", logging.ERROR: "Error: "}.get(record.levelno, "")
        click.echo(prefix + record.getMessage(), err=True)


class ProgressLine:
    """Progress on stderr: a redrawn bar on a terminal, a plain line per stage and every 25% otherwise."""

    def __init__(self, name: str, enabled: bool):
        self.name, self.enabled = name, enabled
        self.tty = sys.stderr.isatty()
        self.last = (None, -1)
        self.start = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        frac = done / total if total else 1.0
        if self.tty:
            if (stage, int(100 * frac)) == self.last:
                return
            self.last = (stage, int(100 * frac))
            bar = "#" * int(30 * frac)
            click.echo(f"\r{self.name}: {stage:<9} [{bar:<30}] {100 * frac:3.0f}%", err=True, nl=False)
            if stage == "encoding":
                click.echo("", err=True)
            return
        quarter = int(4 * frac)
        if (stage, quarter) != self.last:
            self.last = (stage, quarter)
            click.echo(f"{self.name}: {stage} {done}/{total} ({time.monotonic() - self.start:.1f} s)", err=True)


def _configs(paths: tuple[str, ...]) -> list[Path]:
    """Config files: each file given, and every *.yaml / *.yml below each folder given."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml"))
            if not found:
                raise click.ClickException(f"{p}: no *.yaml or *.yml config files in this folder")
            out.extend(found)
        else:
            out.append(p)
    return out


def _report(exc: ConfigError) -> None:
    for problem in exc.problems:
        click.echo(f"Error: {problem}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nnviz")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Print more (debug) detail.")
@click.pass_context
def main(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """Watch a neural net learn: render YAML experiment configs into videos."""
    ctx.obj = {"quiet": quiet}
    log.handlers[:] = [_Handler()]
    log.propagate = False
    log.setLevel(logging.ERROR if quiet else logging.DEBUG if verbose else logging.WARNING)


_SET = click.option("--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE",
                    help="Override one config key for this run, e.g. --set train.optimizer.lr=0.1 (repeatable).")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out_dir", default="outputs", show_default=True, type=click.Path(file_okay=False),
              help="Each config's files go to OUT/<config file name>/.")
@_SET
@click.option("--force", is_flag=True, help="Retrain even when the stored snapshots are up to date.")
@click.pass_context
def render(ctx: click.Context, paths, out_dir, overrides, force) -> None:
    """Train and render each config (files or folders of *.yaml) into an MP4, a PNG poster and snapshots."""
    from .pipeline import render as render_one

    quiet = ctx.obj["quiet"]
    failed = 0
    for path in _configs(paths):
        try:
            cfg = load_config(path, list(overrides))
            result = render_one(cfg, out_dir, ProgressLine(path.stem, not quiet), force=force)
        except ConfigError as exc:
            _report(exc)
            failed += 1
            continue
        except NnvizError as exc:
            click.echo(f"Error: {path}: {exc}", err=True)
            failed += 1
            continue
        except KeyboardInterrupt:
            click.echo("\nInterrupted: no partial files were left; finished outputs are kept.", err=True)
            sys.exit(130)
        if not quiet:
            how = "trained and rendered" if result.retrained else "rendered from stored snapshots"
            click.echo(f"{path}: {how} -> {result.outputs.video} ({result.frames} frames, "
                       f"final loss {result.final_loss:.4g})", err=True)
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_SET
@click.pass_context
def validate(ctx: click.Context, paths, overrides) -> None:
    """Check configs (and the data and weights files they name) without training."""
    from .pipeline import prepare

    failed = 0
    for path in _configs(paths):
        try:
            prepare(load_config(path, list(overrides)))
        except ConfigError as exc:
            _report(exc)
            failed += 1
            continue
        if not ctx.obj["quiet"]:
            click.echo(f"{path}: ok", err=True)
    sys.exit(1 if failed else 0)
