"""Atomic output files: write to a temporary name in the same folder, then rename into place."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

_UMASK = os.umask(0)  # read once (setting it is the only way to read it), then put back
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(final: str | Path):
    """Yield a temporary path beside `final`; on success it replaces `final`, on any error it is removed.

    An older `final` is untouched until the new one is complete, and a crash, Ctrl-C or full disk
    never leaves a partial file under the final name.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=f".part{final.suffix}", dir=final.parent)
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; an output is an ordinary file
        yield Path(tmp)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
