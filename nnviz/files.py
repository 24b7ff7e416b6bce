"""Atomic output files: write to a temporary name in the same folder, then rename into place.

Temporary files are created with mode 0o666 and the kernel applies the umask in force at that moment
(nnviz never changes the umask); each is flushed to disk (fsync) before the rename, so a crash after
the rename cannot leave an empty file under the final name.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

PART = ".part"  # every temporary file's name holds this: .NAME.<random>.part.EXT


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform or file system can fsync a folder
        _fsync(folder)


class Staging:
    """Several output files made under temporary names and renamed into place together, or not at all.

        with Staging() as stage:
            write_video(stage.path(final_mp4)); write_png(stage.path(final_png))
        # both renamed; on any error neither final file was touched and the temporaries are gone
    """

    def __init__(self):
        self.pending: list[tuple[Path, Path]] = []  # (temporary, final)

    def path(self, final: str | Path) -> Path:
        """A new, empty temporary file beside `final` (mode 0o666 less the umask), renamed to it on commit."""
        final = Path(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            tmp = final.parent / f".{final.stem}.{secrets.token_hex(4)}{PART}{final.suffix}"
            self.pending.append((tmp, final))  # before it exists: an interrupt now still removes it
            try:
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
                return tmp
            except FileExistsError:
                self.pending.pop()
        raise FileExistsError(f"cannot make a temporary file beside {final}")

    def commit(self) -> None:
        for tmp, _ in self.pending:
            _fsync(tmp)
        for tmp, final in self.pending:
            os.replace(tmp, final)
        for folder in {final.parent for _, final in self.pending}:
            _fsync_dir(folder)
        self.pending = []

    def discard(self) -> None:
        for tmp, _ in self.pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self.pending = []

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            try:
                self.commit()
            except BaseException:
                self.discard()
                raise
        else:
            self.discard()
        return False


@contextlib.contextmanager
def atomic_path(final: str | Path):
    """Yield a temporary path beside `final`; on success it replaces `final`, on any error it is removed.

    An older `final` is untouched until the new one is complete, and a crash, Ctrl-C or full disk
    never leaves a partial file under the final name.
    """
    with Staging() as stage:
        yield stage.path(final)


def write_text(file: str | Path, text: str) -> None:
    """`text` to `file`, atomically, as UTF-8."""
    with atomic_path(file) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
