"""A real Label Studio server on loopback: create a project from our config, import our tasks, annotate
through the REST API, export, import back with the toolkit. Nothing may be lost or shifted.

The server lives in its own virtual environment (``.venv-labelstudio``, made by ``make test``) because its
pins clash with ours; this test drives it as a subprocess over HTTP. It runs in CI (``CI=true``) and fails
there if the server cannot start; elsewhere it is skipped when that environment is missing.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from exchange_cases import canonical, make_record

from toolkit.formats.exchange import export_records, import_answers
from toolkit.jsonl import read_records, write_records
from toolkit.options import ExportOptions
from toolkit.record import Event, Quote, Role, Span

ROOT = Path(__file__).resolve().parents[2]
LS_VENV = ROOT / ".venv-labelstudio"
LS_BIN = LS_VENV / "bin" / "label-studio"
STARTUP_LIMIT = 180.0  # seconds for a server on a fresh database (migrations take 25-50 s on 2 busy cores)
READY_LINE = re.compile(r"Starting development server at http://127\.0\.0\.1:(\d+)/")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def quiet_env(data_dir: Path) -> dict[str, str]:
    """Server environment: its own data folder, no calls home (version check, analytics, Sentry)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "HEARTEX_"))}
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
            "COLLECT_ANALYTICS": "false",
            "LATEST_VERSION_CHECK": "false",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def premigrated_database() -> Path:
    """A migrated, user-less sqlite database, made once per label-studio install and copied for each run.

    Any label-studio command migrates its database first; ``version`` does nothing else, so its database
    has every table and no user, and a server started on a copy is ready in seconds instead of a minute.
    """
    version = subprocess.run(
        [str(LS_VENV / "bin" / "python"), "-c", "import label_studio; print(label_studio.__version__)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    cached = LS_VENV / "toolkit-premigrated" / f"label_studio-{version}.sqlite3"
    if cached.exists():
        return cached
    cached.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(
        subprocess.check_output(["mktemp", "-d", str(cached.parent / "build.XXXXXX")], text=True).strip()
    )
    try:
        subprocess.run(
            [str(LS_BIN), "version"],
            env=quiet_env(scratch),
            cwd=scratch,
            capture_output=True,
            check=True,
            timeout=STARTUP_LIMIT,
            stdin=subprocess.DEVNULL,
        )
        os.replace(scratch / "label_studio.sqlite3", cached)  # atomic: a parallel run sees all or nothing
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return cached


class LabelStudio:
    """One label-studio process bound to 127.0.0.1 with a throwaway admin and API token."""

    def __init__(self, data_dir: Path, *, premigrated: Path | None) -> None:
        self.data_dir = data_dir
        self.premigrated = premigrated
        self.token = secrets.token_hex(16)
        self.log_path = data_dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.startup_seconds = 0.0

    def start(self) -> None:
        import httpx

        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.premigrated is not None:
            shutil.copyfile(self.premigrated, self.data_dir / "label_studio.sqlite3")
        port = free_port()
        command = [
            str(LS_BIN),
            "start",
            "--no-browser",
            "--internal-host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(self.data_dir),
            "--username",
            "toolkit-test@example.com",
            "--password",
            secrets.token_hex(12),
            "--user-token",
            self.token,
            "--enable-legacy-api-token",
        ]
        began = time.monotonic()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env=quiet_env(self.data_dir),
                cwd=self.data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        while time.monotonic() - began < STARTUP_LIMIT:
            if self.process.poll() is not None:
                raise RuntimeError(f"label-studio exited with {self.process.returncode}:\n{self.log_tail()}")
            # A busy port silently moves to the next one: ask the log where it really listens.
            found = READY_LINE.search(self.log_path.read_text(errors="replace"))
            if found:
                self.url = f"http://127.0.0.1:{found.group(1)}"
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                        self.startup_seconds = time.monotonic() - began
                        return
            time.sleep(0.25)
        raise RuntimeError(f"label-studio not ready after {STARTUP_LIMIT:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def client(self) -> Any:
        import httpx

        return httpx.Client(base_url=self.url, headers={"Authorization": f"Token {self.token}"}, timeout=60)


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not LS_BIN.exists():
        if in_ci():
            pytest.fail(
                f"{LS_BIN} is missing; `make test` creates .venv-labelstudio before running the tests"
            )
        pytest.skip(".venv-labelstudio is not installed (make .venv-labelstudio)")
    server = LabelStudio(tmp_path_factory.mktemp("label-studio"), premigrated=premigrated_database())
    try:
        server.start()
        yield server
    finally:
        server.stop()


def round_trip_records() -> list[Any]:
    """Records whose spans sit after emoji, across CRLF and in right-to-left text."""
    emoji = "Zelenskiy 🇺🇦 said Kyiv 💪 will not yield, and Moscow 🇷🇺 denied it 😡 on Thursday."
    crlf = "The minister said:\r\n“We will talk to Russia.”\r\nTalks begin in Istanbul 🕊 today."
    rtl = 'ראש הממשלה אמר "נמשיך לתמוך" in Jerusalem 🙏 on Monday.'

    def at(text: str, part: str, label: str) -> Span:
        start = text.index(part)
        return Span(start=start, end=start + len(part), label=label, source="model:en_core_web_sm@3.8.0")

    def role(text: str, part: str) -> Role:
        start = text.index(part)
        return Role(start, start + len(part))

    return [
        make_record(
            emoji,
            "doc:0",
            spans=[
                at(emoji, "Zelenskiy", "PERSON"),
                at(emoji, "Kyiv", "GPE"),
                at(emoji, "Moscow", "GPE"),
                at(emoji, "Thursday", "DATE"),
            ],
            events=[Event(label="REJECT", trigger=role(emoji, "denied"), source="rule:events")],
        ),
        make_record(
            crlf,
            "doc:1",
            spans=[at(crlf, "Russia", "GPE"), at(crlf, "Istanbul", "GPE")],
            quotes=[
                Quote(
                    content=role(crlf, "“We will talk to Russia.”"),
                    speaker=role(crlf, "The minister"),
                    cue=role(crlf, "said"),
                    kind="direct",
                    source="rule:quotes",
                )
            ],
            events=[Event(label="CONSULT", trigger=role(crlf, "Talks"), source="rule:events")],
        ),
        make_record(
            rtl,
            "doc:2",
            spans=[at(rtl, "Jerusalem", "GPE"), at(rtl, "Monday", "DATE")],
            quotes=[
                Quote(
                    content=role(rtl, '"נמשיך לתמוך"'),
                    speaker=role(rtl, "ראש הממשלה"),
                    cue=role(rtl, "אמר"),
                    kind="direct",
                    source="rule:quotes",
                )
            ],
        ),
    ]


def test_label_studio_round_trip(label_studio: LabelStudio, tmp_path: Path) -> None:
    records = round_trip_records()
    base = tmp_path / "pre.jsonl"
    write_records(base, records)
    tasks_path = tmp_path / "tasks.json"
    export_records(
        tool="labelstudio",
        input=base,
        output=tasks_path,
        options=ExportOptions(view="entities,quotes,events"),
    )
    tasks = orjson.loads(tasks_path.read_bytes())
    config = (tmp_path / "tasks.config.xml").read_text()

    with label_studio.client() as api:
        project = api.post("/api/projects/", json={"title": "toolkit round trip", "label_config": config})
        assert project.status_code == 201, project.text
        project_id = project.json()["id"]
        imported = api.post(f"/api/projects/{project_id}/import?return_task_ids=true", json=tasks)
        assert imported.status_code == 201, imported.text
        task_ids = imported.json()["task_ids"]
        assert imported.json()["task_count"] == len(records)
        assert imported.json()["prediction_count"] == len(records)

        # What the server stored is what we sent: data verbatim, predictions with the same offsets.
        for task_id, task in zip(task_ids, tasks, strict=True):
            stored = api.get(f"/api/tasks/{task_id}/").json()
            assert stored["data"] == task["data"]
            predictions = api.get("/api/predictions/", params={"task": task_id}).json()
            assert [p["result"] for p in predictions] == [task["predictions"][0]["result"]]

        # Three annotators' kinds of answer: a corrected one, a cancelled (skipped) one, a plain accept.
        corrected = corrected_result(tasks[0])
        sent = [
            (task_ids[0], {"result": corrected, "was_cancelled": False, "ground_truth": False}),
            (task_ids[1], {"result": [], "was_cancelled": True, "ground_truth": False}),
            (task_ids[2], {"result": tasks[2]["predictions"][0]["result"], "was_cancelled": False}),
        ]
        annotation_ids = []
        for task_id, body in sent:
            created = api.post(f"/api/tasks/{task_id}/annotations/", json=body)
            assert created.status_code == 201, created.text
            annotation_ids.append(created.json()["id"])
        exported = api.get(
            f"/api/projects/{project_id}/export", params={"exportType": "JSON", "download_all_tasks": "true"}
        )
        assert exported.status_code == 200, exported.text[:500]
    export_path = tmp_path / "export.json"
    export_path.write_bytes(exported.content)

    back_path = tmp_path / "gold.jsonl"
    summary = import_answers(tool="labelstudio", paths=[export_path], output=back_path, into=base)
    back = list(read_records(back_path))
    assert summary.answers == summary.written == 3
    assert summary.converted_spans == 0  # the server kept our code point offsets as they were
    assert summary.states == {"accept": 2, "ignore": 1}
    by_task = {r.meta.extra["label_studio"]["task_id"]: r for r in back}
    assert sorted(by_task) == sorted(task_ids)

    first, skipped, accepted = (by_task[t] for t in task_ids)
    # The corrected answer: one entity dropped, one added over an emoji, its event kept.
    expected = sorted([*canonical(records[0], "entities")[:-1], _emoji_span(records[0])])
    assert canonical(first, "entities") == expected
    assert canonical(first, "events") == canonical(records[0], "events")
    assert {s.id for s in first.spans} >= {"emoji-flag"}  # region ids kept as span ids
    assert all(s.source == f"human:{first.annotator_id}" for s in first.spans)
    assert first.meta.extra["label_studio"]["id"] == annotation_ids[0]
    # The cancelled answer is an explicit state, with Label Studio's flag kept.
    assert skipped.answer == "ignore" and skipped.meta.extra["label_studio"]["was_cancelled"] is True
    # The untouched answer equals the pre-annotation in every layer; tokens and meta come from the base.
    for layer in ("entities", "quotes", "events"):
        assert canonical(accepted, layer) == canonical(records[2], layer)
    assert accepted.tokens == records[2].tokens
    assert accepted.meta.id == records[2].meta.id and accepted.text == records[2].text
    print(f"label-studio ready in {label_studio.startup_seconds:.1f} s")


def _emoji_span(record: Any) -> tuple[int, int, str]:
    start = record.text.index("🇺🇦")
    return (start, start + 2, "NORP")


def corrected_result(task: dict[str, Any]) -> list[dict[str, Any]]:
    """The annotator drops the last entity and marks the flag emoji (two code points) as a new span."""
    result = [dict(item) for item in task["predictions"][0]["result"]]
    entities = [item for item in result if item.get("from_name") == "label"]
    result.remove(entities[-1])
    text = task["data"]["text"]
    start = text.index("🇺🇦")
    result.append(
        {
            "id": "emoji-flag",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": start, "end": start + 2, "text": "🇺🇦", "labels": ["NORP"]},
        }
    )
    return result


def test_annotators_edits_posted_through_the_api_come_back_exactly(
    label_studio: LabelStudio, tmp_path: Path
) -> None:
    """Annotations that differ from the predictions, posted through the REST API: entities deleted,
    relabelled, moved and added over emoji and CRLF; a quote deleted, an interrupted quote and a quote added,
    a speaker and a cue moved, a kind changed; an event type unticked with its trigger region left in place,
    one ticked with a new trigger region, a trigger region deleted. The import gives exactly the edited
    annotations, and counts the triggers it dropped."""
    from edit_cases import dropped_triggers, edit_labelstudio, expected, plan_for, without_texts
    from test_edits import strict

    records = round_trip_records()
    base = tmp_path / "pre.jsonl"
    write_records(base, records)
    tasks_path = tmp_path / "tasks.json"
    view = "entities,quotes,events"
    export_records(tool="labelstudio", input=base, output=tasks_path, options=ExportOptions(view=view))
    tasks = orjson.loads(tasks_path.read_bytes())
    plans = [plan_for(record, n, label_studio=True) for n, record in enumerate(records)]
    made = {edit for plan in plans for edit in plan.edits()}
    assert {"entity_delete", "entity_relabel", "quote_add", "event_untick", "interrupted_add"} <= made, made

    with label_studio.client() as api:
        config = (tmp_path / "tasks.config.xml").read_text()
        project = api.post("/api/projects/", json={"title": "toolkit edits", "label_config": config})
        assert project.status_code == 201, project.text
        project_id = project.json()["id"]
        imported = api.post(f"/api/projects/{project_id}/import?return_task_ids=true", json=tasks)
        assert imported.status_code == 201, imported.text
        task_ids = imported.json()["task_ids"]
        for task_id, task, plan in zip(task_ids, tasks, plans, strict=True):
            body = {"result": edit_labelstudio(task, plan), "was_cancelled": False, "ground_truth": False}
            assert body["result"] != task["predictions"][0]["result"]
            created = api.post(f"/api/tasks/{task_id}/annotations/", json=body)
            assert created.status_code == 201, created.text
        exported = api.get(
            f"/api/projects/{project_id}/export", params={"exportType": "JSON", "download_all_tasks": "true"}
        )
        assert exported.status_code == 200, exported.text[:500]
    export_path = tmp_path / "export.json"
    export_path.write_bytes(exported.content)

    back_path = tmp_path / "gold.jsonl"
    summary = import_answers(tool="labelstudio", paths=[export_path], output=back_path, into=base)
    by_task = {r.meta.extra["label_studio"]["task_id"]: r for r in read_records(back_path)}
    assert sorted(by_task) == sorted(task_ids) and summary.converted_spans == 0
    layers = ("entities", "quotes", "events")
    for task_id, record, plan in zip(task_ids, records, plans, strict=True):
        got = by_task[task_id]
        assert got.annotator_id is not None and got.answer == "accept"
        want = without_texts(expected(record, plan, layers, got.annotator_id))
        assert strict(got, layers) == strict(want, layers), record.meta.id
    dropped = sum(dropped_triggers(r, p) for r, p in zip(records, plans, strict=True))
    assert dropped > 0 and summary.dropped == {"event triggers of unticked types": dropped}
