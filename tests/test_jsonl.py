"""Streaming JSONL: line numbers, bad lines, stdin/stdout and atomic writes."""

from __future__ import annotations

import io
import sys

import pytest

from toolkit.errors import InputError
from toolkit.jsonl import ReadStats, atomic_output, read_json_lines, read_records, write_records
from toolkit.record import Meta, Record


def test_line_numbers_count_blank_lines(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "a"}\n\n{"text": "b"}\n', encoding="utf-8")
    assert [n for n, _ in read_json_lines(path)] == [1, 3]


def test_invalid_line_names_file_and_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "a"}\n{"text": \n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(read_records(path))
    assert info.value.line == 2 and info.value.rule == "invalid-json"
    assert str(info.value).startswith(f"{path}:2: [invalid-json]")


def test_skip_invalid_counts_and_goes_on(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "a"}\nnope\n[1]\n{"text": 5}\n{"text": "b"}\n', encoding="utf-8")
    stats = ReadStats()
    texts = [r.text for r in read_records(path, skip_invalid=True, stats=stats)]
    assert texts == ["a", "b"]
    assert [n for n, _ in stats.skipped] == [2, 3, 4]
    assert stats.records == 2


def test_missing_and_folder_paths(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        list(read_records(tmp_path / "absent.jsonl"))
    with pytest.raises(InputError, match="folder"):
        list(read_records(tmp_path))


def test_bom_on_first_line_is_ignored(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "a"}\n')
    assert [r.text for r in read_records(path)] == ["a"]


def test_stdin_and_stdout(monkeypatch, capsysbinary):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"text": "x", "meta": {"id": "d:0"}}\n')))
    records = list(read_records("-"))
    write_records("-", records)
    assert capsysbinary.readouterr().out == b'{"text":"x","meta":{"id":"d:0"}}\n'


def test_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "out.jsonl"

    def records():
        yield Record(text="a", meta=Meta(id="d:0"))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_records(target, records())
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_replaces_existing_file_only_on_success(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(ValueError), atomic_output(target, "w") as handle:
        handle.write("new")
        raise ValueError
    assert target.read_text() == "old"
    with atomic_output(target, "w") as handle:
        handle.write("new")
    assert target.read_text() == "new"


def test_outputs_get_ordinary_permissions(tmp_path):
    import os

    target = tmp_path / "out.jsonl"
    write_records(target, [Record(text="a")])
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
