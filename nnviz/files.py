"""Atomic output files: write to a temporary name in the same folder, then rename into place.

Temporary files are created with mode 0o666 and the kernel applies the umask in force at that moment
(nnviz never changes the umask); each is flushed to disk (fsync) before the rename, so a crash after
the rename cannot leave an empty file under the final name.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import zipfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

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
        for _ in range(100):  # (the stem is cut short: a long final name must not make an overlong one)
            tmp = final.parent / f".{final.stem[:80]}.{secrets.token_hex(4)}{PART}{final.suffix}"
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


def read_regular_file(file: str | Path, most: int, limit: str) -> bytes:
    """The bytes of a regular file of at most `most` bytes (the limit named `limit`); ValueError for a device,
    a pipe or a larger file (reading /dev/zero or a FIFO would never end)."""
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the open
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file (a device, a pipe or a socket)")
        chunks, size = [], 0
        while size <= most and (chunk := fh.read(min(1 << 24, most + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    if size > most:
        raise ValueError(f"the file is larger than the limit of {most:,} bytes (raise it with --limit {limit}=N)")
    return b"".join(chunks)


def check_regular(file: str | Path) -> None:
    """ValueError unless `file` is a regular file (a device or a FIFO would be read forever, or block)."""
    if not stat.S_ISREG(os.stat(file).st_mode):
        raise ValueError("not a regular file (a device, a pipe or a socket)")


def npz_headers(file: str | Path) -> dict[str, tuple[tuple[int, ...], "np.dtype"]]:
    """{array name: (shape, dtype)} of an .npz file, read from the arrays' headers without loading them
    (a few MB of compressed zeros can be gigabytes of array). ValueError when it is not an .npz file."""
    import numpy as np  # (files.py is imported before NumPy's threads are set; this runs later)

    out = {}
    try:
        with zipfile.ZipFile(file) as z:
            for info in z.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                with z.open(info) as fh:
                    version = np.lib.format.read_magic(fh)
                    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                        np.lib.format.read_array_header_2_0
                    shape, _, dtype = read(fh)
                out[info.filename[:-4]] = (tuple(shape), dtype)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ValueError(f"not an .npz file ({exc})") from None
    return out


def write_text(file: str | Path, text: str) -> None:
    """`text` to `file`, atomically, as UTF-8."""
    with atomic_path(file) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")


class Busy(OSError):
    """Another process is rendering into the same output folder (or its lock file is not one)."""

    def __init__(self, folder: Path, pid: str, message: str | None = None):
        super().__init__(message or f"{folder} is being rendered by process {pid or 'unknown'}; wait for it to finish")
        self.folder, self.pid = folder, pid


LOCK = ".nnviz.lock"


@contextlib.contextmanager
def locked(folder: str | Path):
    """Hold `folder` for this process while rendering into it: folder/.nnviz.lock, locked with flock and
    holding our pid. A second process gets Busy naming the owner's pid; a lock left by a process that
    died is free again (the kernel drops the lock with its owner). The file is removed on release."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # no flock on this platform: render unlocked
        yield
        return
    path = folder / LOCK
    while True:
        try:  # never through a link: the lock file is written to
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0),
                         0o666)
        except OSError as exc:
            raise Busy(folder, "", f"{path} is not a lock file nnviz made ({exc.strerror}); remove it") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise Busy(folder, "", f"{path} is not a regular file; remove it")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise Busy(folder, owner) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:  # (not a file its last owner removed after we opened it)
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def sweep(folder: str | Path) -> list[Path]:
    """Remove what an earlier process killed mid-render left in `folder` (hold it locked first): temporary
    outputs (.NAME.*.part.EXT) and GIF palette folders (.palette.*). Returns what was removed."""
    removed = []
    for p in Path(folder).glob(".*"):
        if PART in p.name and p.is_file():
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
        elif p.name.startswith(".palette.") and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed
