"""Where a command may write: never over one of its inputs or its other outputs, and never into a path the
system will refuse, which is named (with the system's reason) before any work is done. Also the checksum of
a file and the reading of a small text file whole."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from toolkit.errors import InputError, OutputError, OverwriteError

STDIO = "-"
PathLike = str | Path

# The system's refusals a user can cause and fix (permissions, space, a file in the way), in the user's words.
REASONS: dict[int, str] = {
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "is a folder",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large (the file system's or the process's file size limit)",
    errno.EROFS: "read-only file system",
    errno.EEXIST: "already exists",
    errno.ENAMETOOLONG: "file name too long",
    errno.EIO: "input/output error",
    errno.EMFILE: "too many open files",
    errno.ENFILE: "too many open files in the system",
    errno.ELOOP: "too many levels of symbolic links",
    errno.ENXIO: "no such device",
    errno.ENODEV: "no such device",
}
HINTS: dict[int, str] = {
    errno.EACCES: "choose a folder you can write to",
    errno.EPERM: "choose a folder you can write to",
    errno.EROFS: "choose a folder you can write to",
    errno.ENOSPC: "free some space or write elsewhere",
    errno.EDQUOT: "free some space or write elsewhere",
    errno.EFBIG: "free some space or write elsewhere",
}
# A failed write names no file: these errors can only come from the file being written.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def is_environment_error(exc: BaseException) -> bool:
    """An OSError the user's machine caused (permissions, space, paths), not a bug in the toolkit."""
    return isinstance(exc, OSError) and exc.errno in REASONS


def describe_os_error(exc: OSError) -> str:
    """One line: the path the system named and its reason in plain words."""
    reason = REASONS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    where = exc.filename if exc.filename is None else os.fsdecode(exc.filename)
    if exc.filename2 is not None:
        where = f"{where} -> {os.fsdecode(exc.filename2)}"
    # Whether the path was being read or written is not known here, so only hints true of both are given.
    hint = HINTS.get(exc.errno or 0) if exc.errno in WRITE_ERRNOS else None
    text = f"{where}: {reason}" if where else reason
    return f"{text} ({hint})" if hint else text


def blocking_file(path: PathLike) -> Path | None:
    """The first of ``path``'s folders that exists as something other than a folder, if any."""
    for parent in reversed(Path(path).parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


@contextlib.contextmanager
def output_errors(path: PathLike) -> Iterator[None]:
    """Turn the system's refusal to write ``path`` into an OutputError naming it and the reason."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in REASONS:
            raise
        raise OutputError(_reason(path, exc), path=str(path), hint=HINTS.get(exc.errno or 0)) from None


@contextlib.contextmanager
def write_errors(path: PathLike) -> Iterator[None]:
    """Around work that writes ``path`` (a file or a folder) and reads other things meanwhile: the system's
    refusal to write ``path``, anything inside it, a folder on the way to it or a hidden staging sibling
    (``.NAME.*``) is an OutputError naming ``path``; a failed write that names no file (a full disk) is
    too. Any other error, such as one reading an input, passes through untouched."""
    try:
        yield
    except OSError as exc:
        if not _about(path, exc):
            raise
        raise OutputError(_reason(path, exc), path=str(path), hint=HINTS.get(exc.errno or 0)) from None


def _about(path: PathLike, exc: OSError) -> bool:
    """Whether the error is about writing ``path``."""
    if exc.errno not in REASONS:
        return False
    if exc.filename is None:
        return exc.errno in WRITE_ERRNOS
    target = Path(os.path.abspath(path))
    named = Path(os.path.abspath(os.fsdecode(exc.filename)))
    staging = named.parent == target.parent and named.name.startswith(f".{target.name}.")
    return named == target or target in named.parents or named in target.parents or staging


@contextlib.contextmanager
def removed_if_failed(folder: PathLike) -> Iterator[None]:
    """Folders up to ``folder`` that do not exist yet and are still empty when the block fails are removed,
    so a failed run leaves no trace; folders that existed before are never touched."""
    target = Path(folder)
    missing = [p for p in (target, *target.parents) if not p.exists()]  # deepest first
    try:
        yield
    except BaseException:
        for created in missing:
            with contextlib.suppress(OSError):
                created.rmdir()  # only an empty folder goes
        raise


def _reason(path: PathLike, exc: OSError) -> str:
    if exc.errno in (errno.ENOTDIR, errno.EEXIST) and (blocker := blocking_file(path)) is not None:
        return f"{blocker} is a file, not a folder"
    reason = REASONS[exc.errno or 0]
    named = exc.filename is not None and os.fsdecode(exc.filename) != str(path)
    # A temporary file's own name means nothing to the user; a parent folder's does.
    if named and not Path(os.fsdecode(exc.filename)).name.startswith("."):
        return f"{os.fsdecode(exc.filename)}: {reason}"
    return reason


def check_output_path(path: PathLike | None, *, folder: bool = False) -> None:
    """Refuse, before any work, an output the system would refuse at the end: a file where a folder should be
    (or the reverse) or a folder that cannot be written to. Missing folders are fine: they are created."""
    if path is None or str(path) == STDIO:
        return
    target = Path(path)
    blocker = blocking_file(target)
    if blocker is not None:
        raise OutputError(f"{blocker} is a file, not a folder", path=str(path))
    if target.is_dir() and not folder:
        raise OutputError("is a folder", path=str(path), hint="give a file name")
    if folder and target.exists() and not target.is_dir():
        raise OutputError("is a file, not a folder", path=str(path), hint="give a folder name")
    special = target.exists() and not target.is_dir() and not target.is_file()
    # A device or pipe is written in place; anything else is written beside it and renamed, or inside it.
    existing = target if special or target.is_dir() else _nearest_existing(target.parent)
    if not os.access(existing, os.W_OK | (0 if special else os.X_OK)):
        where = "" if existing == target else f"{existing}: "
        raise OutputError(f"{where}permission denied", path=str(path), hint=HINTS[errno.EACCES])


def _nearest_existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _refuse_collisions(
    given: list[Path], written: list[tuple[str, Path, bool]], *, new_file_in_input_folder: bool
) -> None:
    for index, (flag, out, is_folder) in enumerate(written):
        for source in given:
            problem = _collision(out, source, out_is_folder=is_folder, new_file_ok=new_file_in_input_folder)
            if problem:
                raise OverwriteError(
                    f"{flag} {out} {problem}; inputs are never overwritten", hint="write somewhere else"
                )
        for other_flag, other, _ in written[:index]:
            if _same_file(out, other):
                raise OverwriteError(
                    f"{other_flag} {other} and {flag} {out} are the same file", hint="give each its own path"
                )


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _same_file(a: Path, b: Path) -> bool:
    if _real(a) == _real(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False  # one of them does not exist yet


def _collision(out: Path, source: Path, *, out_is_folder: bool, new_file_ok: bool = False) -> str | None:
    if _same_file(out, source):
        if out.is_symlink():
            return f"is a link to the input {source}"
        if _real(out) != _real(source):
            return f"is the same file as the input {source} (a hard link)"
        return f"is the input {source}"
    if source.is_dir() and _real(out).is_relative_to(_real(source)):
        if out.exists():
            return f"is an input: it is inside the input folder {source}"
        if new_file_ok and not out_is_folder:
            return None
        return f"is inside the input folder {source}"
    if out_is_folder and _real(source).is_relative_to(_real(out)):
        return f"holds the input {source}"
    return None


def check_outputs(
    *,
    inputs: Iterable[PathLike | None],
    outputs: Mapping[str, PathLike | None],
    output_folders: Mapping[str, PathLike | None] | None = None,
    new_file_in_input_folder: bool = False,
) -> None:
    """Everything a command checks about its outputs before it reads a byte: no output destroys an input
    or another output (OverwriteError), and every output path can be written (OutputError).

    ``outputs`` and ``output_folders`` map the option that names them (``-o``, ``--ties``...) to a path.
    An output collides with an input when both are the same file (compared by real path, so a symbolic
    link counts, and by identity, so a hard link counts), when it lies inside an input folder (a rerun
    would read it), or, for an output folder, when it holds an input. ``-`` and None never collide.
    ``new_file_in_input_folder`` lets an output file that does not exist yet sit in an input folder: the
    command has listed what it reads before it writes (convert), and a rerun finds it there and refuses.
    """
    given = [Path(p) for p in inputs if p is not None and str(p) != STDIO]
    written = [(flag, Path(p), False) for flag, p in outputs.items() if p is not None and str(p) != STDIO]
    written += [(flag, Path(p), True) for flag, p in (output_folders or {}).items() if p is not None]
    _refuse_collisions(given, written, new_file_in_input_folder=new_file_in_input_folder)
    for path in outputs.values():
        check_output_path(path)
    for path in (output_folders or {}).values():
        check_output_path(path, folder=True)


def read_utf8(path: PathLike) -> str:
    """A settings or guidelines file as text; bytes that are not UTF-8 are an error naming file and line."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"invalid UTF-8 at byte {exc.start} ({exc.reason})",
            path=str(path),
            line=data.count(b"\n", 0, exc.start) + 1,
            rule="invalid-utf8",
            hint="convert the file to UTF-8",
        ) from None


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes, read in blocks: the one checksum of inputs, shards and releases."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
