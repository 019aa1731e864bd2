"""``toolkit export TOOL`` and ``toolkit import TOOL``: round trips through Prodigy, Label Studio, doccano."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.app import Quiet, findings_shown, info, sub_app
from toolkit.formats import FORMATS
from toolkit.options import ExportOptions, ImportOptions, options_from

export_app = sub_app("export", "Write records as a labeling tool's tasks (Prodigy, Label Studio, doccano).")
import_app = sub_app("import", "Read a labeling tool's answers back as records, one per annotator answer.")

TOOL_NAMES = {"prodigy": "Prodigy", "labelstudio": "Label Studio", "doccano": "doccano"}
FINDINGS_SHOWN = 50
EXPORT = ExportOptions()
IMPORT = ImportOptions()

InputArg = Annotated[str, typer.Argument(help="Records (JSONL) to export; - reads standard input.")]
OutputOpt = Annotated[str, typer.Option("--output", "-o", help="Tasks file to write; - is stdout.")]
ViewOpt = Annotated[
    str,
    typer.Option(
        "--view",
        help="entities, spans (entities with overlaps, Prodigy spans.manual), quotes or events; "
        "Label Studio takes several, comma-separated.",
    ),
]
LabelsOpt = Annotated[
    str | None, typer.Option("--labels", help="Comma-separated entity labels (default: the records' scheme).")
]
OverlapOpt = Annotated[
    bool, typer.Option("--allow-overlap", help="doccano: the project allows overlapping spans.")
]
OffsetsOpt = Annotated[
    str | None,
    typer.Option(
        "--offsets",
        help="doccano: the unit of span offsets, utf16 (its editor's, the default), grapheme (a project in "
        "grapheme mode) or codepoint.",
    ),
]
FilesArg = Annotated[list[str], typer.Argument(help="The tool's export files (- reads standard input).")]
ImportOutOpt = Annotated[str, typer.Option("--output", "-o", help="Records (JSONL) to write; - is stdout.")]
IntoOpt = Annotated[
    str | None, typer.Option("--into", help="Merge answers onto these base records (tokens, meta from here).")
]
AllowNewOpt = Annotated[
    bool, typer.Option("--allow-new", help="Write answers whose record is not in --into as new records.")
]
ImportViewOpt = Annotated[
    str | None, typer.Option("--view", help="Read every answer as this view when the file does not say.")
]
AnnotatorOpt = Annotated[
    str | None, typer.Option("--annotator", help="Annotator name for answers that do not carry one.")
]
SkipInvalidOpt = Annotated[
    bool,
    typer.Option(
        "--skip-invalid",
        help="Skip and count lines that are not JSON and malformed Label Studio result items.",
    ),
]
KeepEmptyOpt = Annotated[
    bool,
    typer.Option("--keep-empty", help="doccano: keep rows without labels (export of approved rows only)."),
]


def _split(value: str | None) -> tuple[str, ...] | None:
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value else None


def _sidecar_paths(tool: str, output: str) -> list[Path]:
    """The files a tool's export writes beside ``-o`` (Label Studio's labeling config)."""
    from toolkit.formats import get_format

    return list(get_format(tool).sidecars(output, ("entities",), []))


def _export_command(tool: str) -> None:
    @export_app.command(tool, help=f"Write records as {TOOL_NAMES[tool]} tasks.")
    def export_cmd(
        input: InputArg,
        output: OutputOpt,
        view: ViewOpt = "entities",
        labels: LabelsOpt = None,
        allow_overlap: OverlapOpt = EXPORT.allow_overlap,
        offsets: OffsetsOpt = EXPORT.offsets,
        quiet: Quiet = False,
    ) -> None:
        options = options_from(ExportOptions, {**locals(), "labels": _split(labels)})
        from toolkit.formats.exchange import export_records
        from toolkit.paths import check_outputs

        beside = {f"-o's {path.suffix[1:]} file": path for path in _sidecar_paths(tool, output)}
        check_outputs(inputs=[input], outputs={"-o": output, **beside})
        summary = export_records(tool=tool, input=input, output=output, options=options)
        info(
            f"{summary.tasks} {TOOL_NAMES[tool]} tasks ({'/'.join(summary.views)}) "
            f"from {summary.records} records -> {', '.join(summary.outputs)}",
            quiet=quiet,
        )


def _import_command(tool: str) -> None:
    @import_app.command(tool, help=f"Read {TOOL_NAMES[tool]} answers back as records.")
    def import_cmd(
        files: FilesArg,
        output: ImportOutOpt,
        into: IntoOpt = None,
        allow_new: AllowNewOpt = IMPORT.allow_new,
        view: ImportViewOpt = IMPORT.view,
        labels: LabelsOpt = None,
        annotator: AnnotatorOpt = IMPORT.annotator,
        keep_empty: KeepEmptyOpt = IMPORT.keep_empty,
        skip_invalid: SkipInvalidOpt = IMPORT.skip_invalid,
        quiet: Quiet = False,
    ) -> None:
        options = options_from(ImportOptions, {**locals(), "labels": _split(labels)})
        from toolkit.formats.exchange import import_answers
        from toolkit.paths import check_outputs

        check_outputs(inputs=[*files, into], outputs={"-o": output})
        with findings_shown(most=FINDINGS_SHOWN):
            summary = import_answers(tool=tool, paths=files, output=output, into=into, options=options)
        from toolkit.formats.offsets import READING_NAMES

        states = ", ".join(f"{n} {state}" for state, n in sorted(summary.states.items())) or "none"
        skipped = "".join(f"; skipped {n} {why}" for why, n in summary.skipped.items())
        dropped = "".join(f"; dropped {n} {what}" for what, n in sorted(summary.dropped.items()))
        converted = "".join(
            f"; {n} spans read as {READING_NAMES[reading]}"
            for reading, n in sorted(summary.converted.items())
        )
        new = f"; {summary.new_records} new records" if summary.new_records else ""
        info(
            f"{summary.written} records from {summary.answers} {TOOL_NAMES[tool]} answers ({states}) "
            f"-> {summary.output}{new}{converted}{dropped}{skipped}",
            quiet=quiet,
        )


for _tool in FORMATS:
    _export_command(_tool)
    _import_command(_tool)
