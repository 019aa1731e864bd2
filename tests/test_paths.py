"""Where a command may write: the shared output checks, and atomic_output's handling of paths that fail."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from toolkit.errors import InputError, OutputError, OverwriteError
from toolkit.jsonl import atomic_output, write_records
from toolkit.paths import (
    check_output_path,
    check_outputs,
    describe_os_error,
    read_utf8,
    removed_if_failed,
    write_errors,
)
from toolkit.record import Record


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "pre.jsonl").write_text('{"text": "a"}\n', encoding="utf-8")
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("A story.\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("notes\n", encoding="utf-8")
    return tmp_path


def refused(**paths) -> str:
    with pytest.raises(OverwriteError) as info:
        check_outputs(**paths)
    return str(info.value)


def test_an_output_that_is_an_input_is_refused_by_any_name(files: Path):
    pre = files / "pre.jsonl"
    assert "-o" in refused(inputs=[pre], outputs={"-o": pre}) and "is the input" in refused(
        inputs=[pre], outputs={"-o": pre}
    )
    # The same file through another spelling of its path.
    assert "is the input" in refused(inputs=[pre], outputs={"-o": files / "texts" / ".." / "pre.jsonl"})
    (files / "link.jsonl").symlink_to("pre.jsonl")
    assert "is a link to the input" in refused(inputs=[pre], outputs={"--html": files / "link.jsonl"})
    os.link(pre, files / "hard.jsonl")
    assert "hard link" in refused(inputs=[pre], outputs={"-o": files / "hard.jsonl"})


def test_outputs_may_not_be_each_other_and_stdout_never_collides(files: Path):
    out = files / "gold.jsonl"
    message = refused(inputs=[], outputs={"-o": out, "--ties": out})
    assert "-o" in message and "--ties" in message and "same file" in message
    check_outputs(inputs=["-", files / "pre.jsonl"], outputs={"-o": "-", "--ties": "-"})
    check_outputs(inputs=[files / "pre.jsonl"], outputs={"-o": files / "new.jsonl", "--x": None})


def test_an_output_inside_an_input_folder_or_an_output_folder_holding_an_input_is_refused(files: Path):
    assert "inside the input folder" in refused(
        inputs=[files / "texts"], outputs={"-o": files / "texts/o.jsonl"}
    )
    message = refused(inputs=[files / "texts" / "a.txt"], outputs={}, output_folders={"-o": files / "texts"})
    assert "holds the input" in message
    check_outputs(inputs=[files / "texts"], outputs={"-o": files / "texts.jsonl"})
    # convert lists its sources before it writes: a new output may sit in a source folder, an old one not.
    check_outputs(
        inputs=[files / "texts"], outputs={"-o": files / "texts/new.jsonl"}, new_file_in_input_folder=True
    )
    (files / "texts" / "old.jsonl").write_text("{}\n", encoding="utf-8")
    assert "is an input" in refused(
        inputs=[files / "texts"], outputs={"-o": files / "texts/old.jsonl"}, new_file_in_input_folder=True
    )


def test_output_paths_the_system_would_refuse_are_named_before_any_work(files: Path):
    with pytest.raises(
        OutputError, match=r"cannot write .*notes.md/out.jsonl: .*notes.md is a file, not a folder"
    ):
        check_output_path(files / "notes.md" / "out.jsonl")
    with pytest.raises(OutputError, match="is a folder"):
        check_output_path(files / "texts")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_output_path(files / "notes.md", folder=True)
    check_output_path(files / "new" / "deeper" / "out.jsonl")  # missing folders are created later
    check_output_path("/dev/null")
    check_output_path("-")
    with pytest.raises(OverwriteError):
        check_outputs(inputs=[files / "pre.jsonl"], outputs={"-o": files / "pre.jsonl"})


@pytest.mark.skipif(os.geteuid() == 0, reason="permission bits do not stop root")
def test_a_read_only_folder_is_refused_up_front(files: Path):
    locked = files / "locked"
    locked.mkdir(mode=0o555)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            check_output_path(locked / "out.jsonl")
    finally:
        locked.chmod(0o755)


def test_the_systems_refusals_read_as_one_line_with_the_path():
    error = PermissionError(errno.EACCES, "Permission denied", "/data/out.jsonl")
    assert describe_os_error(error) == "/data/out.jsonl: permission denied"
    assert describe_os_error(OSError(errno.ENOSPC, "No space left on device")).startswith("no space left")


def test_a_full_device_is_an_output_error_and_a_device_is_written_in_place():
    with (
        pytest.raises(OutputError, match="cannot write /dev/full: no space left"),
        atomic_output("/dev/full", "wb") as handle,
    ):
        handle.write(b"x" * 10)
    assert Path("/dev/full").is_char_device() and not Path("/dev/full").is_file()
    assert write_records("/dev/null", [Record(text="a")]) == 1
    assert Path("/dev/null").is_char_device()


def test_a_failed_write_leaves_no_file_no_temporary_file_and_no_new_folder(files: Path):
    target = files / "new" / "deeper" / "out.jsonl"
    with pytest.raises(RuntimeError), atomic_output(target, "wb") as handle:
        handle.write(b"partial")
        raise RuntimeError("the input broke half way")
    assert not (files / "new").exists()
    with atomic_output(target, "wb") as handle:
        handle.write(b"whole")
    assert target.read_bytes() == b"whole" and sorted(p.name for p in target.parent.iterdir()) == [
        "out.jsonl"
    ]


def test_an_os_error_from_the_callers_own_work_is_not_blamed_on_the_output(files: Path):
    target = files / "out.jsonl"
    with pytest.raises(PermissionError) as info, atomic_output(target, "wb"):
        raise PermissionError(errno.EACCES, "Permission denied", "input.jsonl")
    assert info.value.filename == "input.jsonl" and not target.exists()


def test_removed_if_failed_keeps_folders_that_existed_or_hold_something(files: Path):
    with pytest.raises(ValueError), removed_if_failed(files / "a" / "b"):
        (files / "a" / "b").mkdir(parents=True)
        raise ValueError
    assert not (files / "a").exists()
    with pytest.raises(ValueError), removed_if_failed(files / "c" / "d"):
        (files / "c" / "d").mkdir(parents=True)
        (files / "c" / "kept.txt").write_text("x")
        raise ValueError
    assert sorted(p.name for p in (files / "c").iterdir()) == ["kept.txt"]
    with pytest.raises(ValueError), removed_if_failed(files / "texts"):
        raise ValueError
    assert (files / "texts" / "a.txt").exists()


def test_write_errors_blames_the_output_only_for_what_is_about_it(files: Path):
    model = files / "model"
    staging = PermissionError(errno.EACCES, "Permission denied", str(files / ".model.x1y2.tmp"))
    inside = OSError(errno.ENOSPC, "No space left on device", str(model / "vocab" / "strings.json"))
    for error in (staging, inside, OSError(errno.EFBIG, "File too large")):
        with pytest.raises(OutputError, match=f"cannot write {model}"), write_errors(model):
            raise error
    reading = PermissionError(errno.EACCES, "Permission denied", str(files / "pre.jsonl"))
    with pytest.raises(PermissionError), write_errors(model):
        raise reading


def test_read_utf8_keeps_the_text_as_it_is_and_names_the_line_of_a_bad_byte(tmp_path: Path):
    good = tmp_path / "guidelines.md"
    good.write_bytes("\ufeff# Notes\r\nCafé\n".encode())
    assert read_utf8(good) == "\ufeff# Notes\r\nCafé\n"  # nothing normalised, not even a BOM
    bad = tmp_path / "dataset.toml"
    bad.write_bytes(b'name = "x"\ndescription = "caf\xe9"\n')
    with pytest.raises(InputError) as info:
        read_utf8(bad)
    assert (info.value.line, info.value.rule) == (2, "invalid-utf8")
    assert "byte 29" in str(info.value) and str(bad) in str(info.value)
