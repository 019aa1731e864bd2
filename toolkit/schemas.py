"""The record's JSON Schema (generated from the msgspec Structs) and the labels file: load and check it."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec
import orjson

from toolkit import labels as builtin
from toolkit.errors import InputError
from toolkit.record import Record

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
RECORD_SCHEMA_PATH = SCHEMA_DIR / "record.schema.json"
LABELS_PATH = SCHEMA_DIR / "labels.json"
LABELS_SCHEMA_PATH = SCHEMA_DIR / "labels.schema.json"

RECORD_SCHEMA_ID = "urn:news-annotation-toolkit:schema:record"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Descriptions live here so the Structs stay lean; a test fails when a field has none.
STRUCT_DESCRIPTIONS: dict[str, str] = {
    "Record": "One unit (a sentence by default) of a news document: a Prodigy NER task plus quotes, events "
    "and provenance. Keys not listed here are allowed and passed through untouched.",
    "Token": "A token of the record's text; offsets are code points into `text`, half-open.",
    "Quote": "A quote: its content, speaker and cue, each a range of the record's text or null.",
    "Event": "A PLOVER event mentioned in the record, with the words that express it when marked.",
    "Meta": "Where the record comes from. Keys not listed here are allowed and kept.",
}
FIELD_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "Record": {
        "text": "The unit's text, an exact slice of the source document; never normalised.",
        "tokens": "Tokens of `text` in order, with ids 0..n-1.",
        "spans": "Entities (or other labelled spans) of `text`.",
        "quotes": "Quotes found in `text`.",
        "events": "PLOVER events found in `text`.",
        "meta": "Provenance: stable id, document id, unit index, offsets into the source document.",
        "answer": "A person's decision on the task: accept, reject or ignore.",
        "_input_hash": "Prodigy's hash of the input, kept verbatim as a join key; never invented.",
        "_task_hash": "Prodigy's hash of the task, kept verbatim as a join key; never invented.",
        "_annotator_id": "Who answered the task.",
        "_session_id": "The annotation session the answer came from.",
        "_timestamp": "When the answer was given, Unix seconds.",
        "_view_id": "The labelling interface the answer was given in.",
    },
    "Token": {
        "text": "The token's text, equal to `text[start:end]` of the record.",
        "start": "Offset of the first character (code points).",
        "end": "Offset just past the last character (code points).",
        "id": "Index of the token in the record, from 0.",
        "ws": "Whether whitespace follows the token; absent in older Prodigy exports.",
    },
    "Span": {
        "start": "Offset of the first character (code points).",
        "end": "Offset just past the last character (code points).",
        "label": "The entity label, from a scheme of schemas/labels.json.",
        "token_start": "Index of the first token of the span.",
        "token_end": "Index of the last token of the span (inclusive, as in Prodigy).",
        "text": "The span's text when given; must equal `text[start:end]`.",
        "source": "Who made it: model:<name>@<version>, rule:<name> or human:<annotator>.",
        "id": "An id for the span, kept for tools that link spans (relations, Label Studio regions).",
    },
    "Role": {
        "start": "Offset of the first character (code points).",
        "end": "Offset just past the last character (code points).",
        "text": "The role's text when given; must equal `text[start:end]`.",
    },
    "ResolvedSpeaker": {
        "text": "The name the speaker refers to.",
        "record_id": "The record where that name was found.",
        "label": "The entity label of that name.",
    },
    "Quote": {
        "content": "What was said.",
        "speaker": "Who said it.",
        "cue": "The words that mark the speech act, usually the reporting verb.",
        "kind": "direct, indirect or mixed.",
        "source": "Who made it: model:<name>@<version>, rule:<name> or human:<annotator>.",
        "id": "Shared by the pieces of a quote that runs across several records.",
        "speaker_resolved": "Who a pronoun or role speaker refers to.",
        "linked_records": "Ids of the other records holding pieces of the same quote.",
    },
    "Event": {
        "label": "A PLOVER event type from schemas/labels.json.",
        "trigger": "The words that express the event, or null.",
        "source": "Who made it: model:<name>@<version>, rule:<name> or human:<annotator>.",
    },
    "Meta": {
        "id": "Stable id of the unit: <doc_id>:<unit>.",
        "doc_id": "Id of the source document.",
        "unit": "Index of the unit in the document, from 0.",
        "start": "Offset of the unit in the source document (code points).",
        "end": "Offset just past the unit in the source document (code points).",
        "date": "Publication date of the document, ISO 8601.",
        "source": "Path of the source document.",
        "text_sha256": "SHA-256 of `text` encoded as UTF-8, hex.",
        "title": "Title of the document.",
        "url": "Where the document was published.",
        "paragraph": "Index of the paragraph the unit belongs to, from 0.",
    },
}
# Flattened on disk: unknown keys sit beside the known ones, so ``extra`` is not a key of the JSON object.
FLATTENED_FIELDS: dict[str, str] = {"Record": "extra", "Meta": "extra"}


def record_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of one record line, generated from the msgspec Structs."""
    generated = msgspec.json.schema(Record)
    defs: dict[str, Any] = generated["$defs"]
    for name, definition in defs.items():
        flattened = FLATTENED_FIELDS.get(name)
        if flattened:
            definition["properties"].pop(flattened, None)
            definition["additionalProperties"] = True
        if name in STRUCT_DESCRIPTIONS:
            definition["description"] = STRUCT_DESCRIPTIONS[name]
        for field, spec in definition["properties"].items():
            text = FIELD_DESCRIPTIONS.get(name, {}).get(field)
            if text:
                spec["description"] = text
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": RECORD_SCHEMA_ID,
        "title": "News annotation record",
        "description": "One line of a toolkit JSONL file. Generated from toolkit/record.py by "
        "`python -m toolkit.schemas`; do not edit by hand.",
        "$ref": generated["$ref"],
        "$defs": defs,
    }


def render_record_schema() -> str:
    return json.dumps(record_schema(), indent=2, ensure_ascii=False) + "\n"


def write_record_schema(path: str | Path = RECORD_SCHEMA_PATH) -> Path:
    """Regenerate schemas/record.schema.json from the Structs."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_record_schema(), encoding="utf-8")
    return target


def record_schema_is_current(path: str | Path = RECORD_SCHEMA_PATH) -> bool:
    target = Path(path)
    return target.exists() and target.read_text(encoding="utf-8") == render_record_schema()


@lru_cache(maxsize=1)
def record_validator() -> Callable[[Any], Any]:
    """The record schema compiled by fastjsonschema, once per process."""
    import fastjsonschema

    return fastjsonschema.compile(record_schema())


@dataclass(frozen=True)
class LabelSet:
    """The names a record may use, read from a labels file (or the built-in constants)."""

    version: str
    default_scheme: str
    schemes: dict[str, tuple[str, ...]]
    quote_roles: tuple[str, ...]
    quote_kinds: tuple[str, ...]
    event_types: tuple[str, ...]
    path: str | None = None

    def entity_labels(self, scheme: str | None = None) -> frozenset[str]:
        """Labels of one scheme, or of every scheme when none is named."""
        if scheme is None:
            return frozenset(label for names in self.schemes.values() for label in names)
        if scheme not in self.schemes:
            known = ", ".join(sorted(self.schemes))
            raise InputError(
                f"no entity scheme {scheme!r} in the labels file (known: {known})",
                path=self.path,
                rule="unknown-scheme",
            )
        return frozenset(self.schemes[scheme])


def builtin_labels() -> LabelSet:
    """The label set of toolkit/labels.py: schemas/labels.json as generated code, so no file is read."""
    return LabelSet(
        version=builtin.LABELS_VERSION,
        default_scheme=builtin.DEFAULT_SCHEME,
        schemes=dict(builtin.ENTITY_SCHEMES),
        quote_roles=builtin.QUOTE_ROLES,
        quote_kinds=builtin.QUOTE_KINDS,
        event_types=builtin.PLOVER_TYPES,
        path=str(LABELS_PATH),
    )


LABELS_MODULE_PATH = Path(__file__).resolve().parent / "labels.py"


def labels_module_source(labels: LabelSet) -> str:
    """toolkit/labels.py as generated from a checked labels file: the names only, as Python constants."""

    def names(values: tuple[str, ...]) -> str:
        return "(\n" + "".join(f"    {json.dumps(value)},\n" for value in values) + ")"

    schemes = "".join(
        f"{scheme.upper()}_LABELS: tuple[str, ...] = {names(values)}\n"
        for scheme, values in labels.schemes.items()
    )
    scheme_map = "".join(f"    {json.dumps(scheme)}: {scheme.upper()}_LABELS,\n" for scheme in labels.schemes)
    return (
        '"""The label names of schemas/labels.json as constants, so code never reads a file to know them.\n'
        "\n"
        "GENERATED by `python -m toolkit.schemas` from schemas/labels.json (the one source of truth,\n"
        "with definitions and examples for annotators); do not edit: a test fails when the two differ.\n"
        '"""\n'
        "\n"
        "from __future__ import annotations\n"
        "\n"
        f"LABELS_VERSION = {json.dumps(labels.version)}\n"
        f"DEFAULT_SCHEME = {json.dumps(labels.default_scheme)}\n"
        "\n"
        f"{schemes}"
        f"ENTITY_SCHEMES: dict[str, tuple[str, ...]] = {{\n{scheme_map}}}\n"
        "\n"
        f"QUOTE_ROLES: tuple[str, ...] = {names(labels.quote_roles)}\n"
        f"QUOTE_KINDS: tuple[str, ...] = {names(labels.quote_kinds)}\n"
        "\n"
        "# PLOVER's 16 event types, in the ontology's own order (cooperative to conflictual).\n"
        f"PLOVER_TYPES: tuple[str, ...] = {names(labels.event_types)}\n"
    )


def labels_module_is_current(path: str | Path = LABELS_MODULE_PATH) -> bool:
    return Path(path).read_text(encoding="utf-8") == labels_module_source(load_labels(LABELS_PATH))


@lru_cache(maxsize=1)
def _labels_validator() -> Callable[[Any], Any]:
    import fastjsonschema

    return fastjsonschema.compile(orjson.loads(LABELS_SCHEMA_PATH.read_bytes()))


def _names(items: list[dict[str, Any]], where: str, path: str) -> tuple[str, ...]:
    names = tuple(item["name"] for item in items)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(
            f"{where} lists {', '.join(duplicates)} more than once", path=path, rule="labels-duplicate"
        )
    return names


def check_labels_document(document: Any, *, path: str) -> LabelSet:
    """Check a decoded labels file against labels.schema.json and its own consistency."""
    import fastjsonschema

    try:
        _labels_validator()(document)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise InputError(
            f"not a valid labels file: {exc.message}",
            path=path,
            rule="labels-schema",
            hint="see schemas/labels.schema.json",
        ) from None
    entities = document["entities"]
    schemes = {
        s["name"]: _names(s["labels"], f"entity scheme {s['name']!r}", path) for s in entities["schemes"]
    }
    if len(schemes) != len(entities["schemes"]):
        raise InputError("two entity schemes share a name", path=path, rule="labels-duplicate")
    if entities["default_scheme"] not in schemes:
        raise InputError(
            f"default_scheme {entities['default_scheme']!r} is not one of the schemes",
            path=path,
            rule="labels-default-scheme",
        )
    return LabelSet(
        version=document["version"],
        default_scheme=entities["default_scheme"],
        schemes=schemes,
        quote_roles=_names(document["quotes"]["roles"], "quotes.roles", path),
        quote_kinds=_names(document["quotes"]["kinds"], "quotes.kinds", path),
        event_types=_names(document["events"]["types"], "events.types", path),
        path=path,
    )


def load_labels(path: str | Path | None = None) -> LabelSet:
    """Read and check a labels file; by default the built-in set (schemas/labels.json, generated as code)."""
    if path is None:
        return builtin_labels()
    where = str(path)
    source = Path(path)
    if not source.is_file():
        raise InputError("no such labels file", path=where, rule="missing-path")
    try:
        document = orjson.loads(source.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", path=where, rule="labels-json") from None
    return check_labels_document(document, path=where)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m toolkit.schemas [--check]``: regenerate schemas/record.schema.json and toolkit/labels.py
    (from the Structs and from schemas/labels.json), or check that both are current."""
    parser = argparse.ArgumentParser(prog="python -m toolkit.schemas", description=main.__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated file is not current")
    parser.add_argument("--path", default=str(RECORD_SCHEMA_PATH), help="where the record schema lives")
    parser.add_argument("--labels-module", default=str(LABELS_MODULE_PATH), help="where labels.py lives")
    args = parser.parse_args(argv)
    if args.check:
        checks = {
            args.path: record_schema_is_current(args.path),
            args.labels_module: labels_module_is_current(args.labels_module),
        }
        for name, current in checks.items():
            state = "up to date" if current else "not current; run python -m toolkit.schemas"
            print(f"{name}: {state}", file=sys.stderr)
        return 0 if all(checks.values()) else 1
    print(f"wrote {write_record_schema(args.path)}", file=sys.stderr)
    Path(args.labels_module).write_text(labels_module_source(load_labels(LABELS_PATH)), encoding="utf-8")
    print(f"wrote {args.labels_module}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
