"""Streaming JSONL reading and atomic writing of records; ``-`` means standard input or output."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import msgspec
import orjson

from toolkit.errors import InputError
from toolkit.paths import check_output_path, output_errors, removed_if_failed, write_errors
from toolkit.record import Record, record_from_dict, record_to_json

STDIO = "-"
# Host part of temporary names: a folder shared between machines holds other hosts' live temporaries.
_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
# temporary_prefix(name) followed by mkstemp's random letters and ".tmp".
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)-(?P<host>[0-9a-f]{8})\.[a-z0-9_]+\.tmp")


@dataclass
class ReadStats:
    """Counts kept while streaming, so a caller can report skipped lines after the fact."""

    lines: int = 0
    records: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    bytes: int = 0  # of the lines read so far, line breaks included: what a progress bar shows


READ_BLOCK = 1 << 22
BOM = b"\xef\xbb\xbf"


def numbered_lines(
    path: str | Path, *, digest: Any = None, blank: bool = False
) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, raw line) of a JSONL file, or standard input for ``-``: the one line reader.

    Numbers count every line, blank ones included, so errors name the line an editor shows. A byte-order
    mark before the first line is dropped; blank lines are skipped unless ``blank``; ``digest`` (a hashlib
    object) sees every byte. Reads blocks and splits them: faster than iterating a file line by line.
    """
    if str(path) == STDIO:
        # read1 hands over what has arrived, so a pipe is processed as it flows.
        stdin = sys.stdin.buffer
        yield from _split_lines(getattr(stdin, "read1", stdin.read), digest, blank)
        return
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", path=str(path), rule="missing-path")
    if p.is_dir():
        raise InputError("is a folder, expected a JSONL file", path=str(path), rule="not-a-file")
    with p.open("rb") as handle:
        yield from _split_lines(handle.read, digest, blank)


def _split_lines(read: Any, digest: Any, blank: bool) -> Iterator[tuple[int, bytes]]:
    number, rest = 0, b""
    while block := read(READ_BLOCK):
        if digest is not None:
            digest.update(block)
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        for raw in lines:
            number += 1
            if number == 1 and raw.startswith(BOM):
                raw = raw[3:]
            if blank or (raw and not raw.isspace()):
                yield number, raw
    if rest:
        raw = rest[3:] if number == 0 and rest.startswith(BOM) else rest
        if blank or not raw.isspace():
            yield number + 1, raw


def read_json_lines(
    path: str | Path, *, skip_invalid: bool = False, stats: ReadStats | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, JSON object) from a JSONL file; blank lines are skipped but counted.

    A line that is not a JSON object raises InputError naming file:line, unless ``skip_invalid``,
    in which case it is recorded in ``stats.skipped`` and reading goes on.
    """
    stats = stats if stats is not None else ReadStats()
    for number, raw in numbered_lines(path, blank=True):
        stats.lines = number
        stats.bytes += len(raw) + 1
        if not raw.strip():
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            problem = ("not valid JSON", "invalid-json", str(exc).split(":")[0])
        else:
            if isinstance(obj, dict):
                stats.records += 1
                yield number, obj
                continue
            problem = ("not a JSON object", "not-an-object", f"got {type(obj).__name__}")
        message, rule, detail = problem
        if not skip_invalid:
            raise InputError(
                f"{message}: {detail}",
                path=str(path),
                line=number,
                rule=rule,
                hint="fix the line or pass --skip-invalid",
            )
        stats.skipped.append((number, f"{message}: {detail}"))


def read_records(
    path: str | Path, *, skip_invalid: bool = False, stats: ReadStats | None = None
) -> Iterator[Record]:
    """Stream typed records from a JSONL file (or ``-``)."""
    for _, record in read_records_with_lines(path, skip_invalid=skip_invalid, stats=stats):
        yield record


def read_records_with_lines(
    path: str | Path, *, skip_invalid: bool = False, stats: ReadStats | None = None
) -> Iterator[tuple[int, Record]]:
    """Stream (line number, record) pairs; a record of the wrong shape is an InputError at its line."""
    stats = stats if stats is not None else ReadStats()
    for number, obj in read_json_lines(path, skip_invalid=skip_invalid, stats=stats):
        try:
            record = record_from_dict(obj)
        except msgspec.ValidationError as exc:
            if not skip_invalid:
                raise InputError(
                    f"not a record: {exc}",
                    path=str(path),
                    line=number,
                    rule="record-shape",
                    hint="see schemas/record.schema.json",
                ) from None
            stats.records -= 1
            stats.skipped.append((number, f"not a record: {exc}"))
            continue
        yield number, record


def dumps_record(record: Record) -> bytes:
    return record_to_json(record)


@contextlib.contextmanager
def atomic_output(path: str | Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """Write to a temporary file beside ``path`` and rename it into place only on success.

    A failed run leaves neither a partial file nor a stray temporary one. ``-`` writes to stdout; a device or
    a pipe (``/dev/null``, a FIFO) is written in place, since nothing can be renamed over it. A path the
    system will not write (read-only, full, a file in the way) is an OutputError naming it.
    """
    if str(path) == STDIO:
        stream = sys.stdout.buffer if "b" in mode else sys.stdout
        yield stream
        stream.flush()
        return
    target = Path(path)
    check_output_path(target)
    in_place = target.exists() and not target.is_file()
    tmp_name: str | None = None
    handle: IO[Any] | None = None
    # Folders made for this output go again if it fails, after the temporary file inside them.
    with removed_if_failed(target.parent):
        try:
            with output_errors(target):
                if in_place:
                    handle = open(target, mode)  # noqa: SIM115 (closed below, on every path)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    remove_stale_temporaries(target.parent, target.name)
                    fd, tmp_name = tempfile.mkstemp(
                        prefix=temporary_prefix(target.name), suffix=".tmp", dir=target.parent
                    )
                    handle = os.fdopen(fd, mode)
                    # mkstemp makes owner-only files; outputs get the permissions a plain open() would give.
                    os.chmod(tmp_name, 0o666 & ~_current_umask())
            with write_errors(target):
                yield handle
            with output_errors(target):
                handle.flush()
                if tmp_name is not None:
                    os.fsync(handle.fileno())
                handle.close()
                if tmp_name is not None:
                    os.replace(tmp_name, target)
        except BaseException:
            if handle is not None:
                with contextlib.suppress(OSError):
                    handle.close()  # its buffer may still hold bytes a full disk refused
            if tmp_name is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp_name)
            raise


def temporary_prefix(name: str) -> str:
    """Prefix of a temporary file or folder written beside ``name``: hidden, and naming its writer (pid and a
    hash of the host name) so a later run can tell a killed writer's leftovers from a live one's."""
    return f".{name}.{os.getpid()}-{_HOST}."


def remove_stale_temporaries(folder: str | Path, names: str | Collection[str] | None) -> list[Path]:
    """Remove the temporaries of ``names`` (None: of any name) in ``folder`` whose writer no longer runs; a
    SIGKILL or a power cut leaves them, as no cleanup runs then. A live writer's are never touched."""
    wanted = {names} if isinstance(names, str) else None if names is None else set(names)
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:  # unreadable: the write will say
        for entry in entries:
            # Cheap tests first: a folder of shards holds thousands of names and is listed once per write.
            if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
                continue
            match = _TEMPORARY.fullmatch(entry.name)
            if not match or (wanted is not None and match["name"] not in wanted):
                continue
            path = Path(entry.path)
            if _writer_may_run(int(match["pid"]), match["host"], path):
                continue
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(path)
                else:
                    path.unlink()
                removed.append(path)
    return removed


def _writer_may_run(pid: int, host: str, entry: Path) -> bool:
    """False only when the process that wrote ``entry`` is certainly gone."""
    if host != _HOST or pid == os.getpid():
        return True  # another machine's process cannot be asked; our own is running
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    # The pid may belong to a newer process: one started after the entry was last written is not its writer.
    started = _process_start(pid)
    try:
        return started is None or started <= entry.lstat().st_mtime + 2.0  # boot time is in whole seconds
    except OSError:
        return True


def _process_start(pid: int) -> float | None:
    """When a process started (seconds since the epoch), from Linux's /proc; None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime"))
        ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, starttime; the name may hold ")"
        return int(boot.split()[1]) + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while records stream through.

    Decoding and encoding records allocates many short-lived objects without cycles; reference counting
    frees them all, and the collector's repeated rescans of them only cost time (measured: a tenth of a
    validation run, up to half of a packaging pass).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_records(path: str | Path, records: Iterable[Record]) -> int:
    """Write records as JSONL, atomically; returns the number written."""
    count = 0
    with atomic_output(path, "wb") as handle:
        for record in records:
            handle.write(dumps_record(record))
            handle.write(b"\n")
            count += 1
    return count


def write_json_lines(path: str | Path, objects: Iterable[dict[str, Any]]) -> int:
    """Write plain JSON objects as JSONL, atomically (used by exporters)."""
    count = 0
    with atomic_output(path, "wb") as handle:
        for obj in objects:
            handle.write(orjson.dumps(obj))
            handle.write(b"\n")
            count += 1
    return count
