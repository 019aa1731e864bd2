"""``toolkit package`` (gold JSONL to a versioned Hugging Face dataset) and ``toolkit verify`` (check one)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from toolkit.cli.app import FormatOption, Quiet, ReportFormat, app, findings_report, findings_shown, info
from toolkit.cli.options import LabelsFileOption, SourceDirOption
from toolkit.errors import CheckFailedError, InputError
from toolkit.options import PackageOptions, options_from

SHOWN_FINDINGS = 20


def _read_baselines(path: Path | None) -> Any:
    import orjson

    if path is None:
        return None
    _check_file(path)
    try:
        return orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", path=str(path), rule="invalid-json") from None


def _read_text(path: Path | None) -> str | None:
    """A Markdown file for the card: UTF-8 text, or an error naming the file and the first bad line."""
    from toolkit.paths import read_utf8

    if path is None:
        return None
    _check_file(path)
    return read_utf8(path)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError("no such file", path=str(path), rule="missing-path")
    if path.is_dir():
        raise InputError("is a folder, expected a file", path=str(path), rule="not-a-file")


@app.command("package")
def package_command(
    inputs: Annotated[
        list[Path], typer.Argument(help="Gold JSONL files (adjudicated: one answer per record).")
    ],
    name: Annotated[str, typer.Option("--name", help="Dataset name, e.g. ukraine-liveblog.")],
    version: Annotated[str, typer.Option("--version", help="Semantic version X.Y.Z of this release.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder of releases: writes OUTPUT/NAME/VERSION.")
    ],
    splits: Annotated[
        str | None,
        typer.Option("--splits", help="Train,validation,test ratios (default 0.8,0.1,0.1 or previous)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the split hash (default 0 or previous).")
    ] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="The previous version's folder: its splits bind.")
    ] = None,
    group_by: Annotated[
        str | None,
        typer.Option("--group-by", help="doc, paragraph, or a meta field (default doc or previous)."),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Release date YYYY-MM-DD written in the card.")
    ] = None,
    push_to_hub: Annotated[
        str | None,
        typer.Option("--push-to-hub", help="Hub dataset repo user/name: upload, then tag vVERSION."),
    ] = None,
    entity_scheme: Annotated[
        str,
        typer.Option("--entity-scheme", help="auto, ontonotes or conll (auto: the one covering the gold)."),
    ] = "auto",
    labels: LabelsFileOption = None,
    spacy: Annotated[bool, typer.Option("--spacy/--no-spacy", help="Also write spaCy DocBin shards.")] = True,
    source_dir: SourceDirOption = None,
    license: Annotated[
        str | None,
        typer.Option(
            "--license", help="Hub licence id (cc-by-4.0, odc-by, ...; other needs a name). Default unknown."
        ),
    ] = None,
    license_name: Annotated[
        str | None, typer.Option("--license-name", help="With --license other: a short id for the terms.")
    ] = None,
    license_link: Annotated[
        str | None, typer.Option("--license-link", help="With --license other: where the terms are (URL).")
    ] = None,
    card_settings: Annotated[
        Path | None,
        typer.Option(
            "--card", help="TOML file whose \\[card] table gives the card's texts (see dataset.toml)."
        ),
    ] = None,
    pretty_name: Annotated[str | None, typer.Option("--pretty-name", help="Title of the card.")] = None,
    description: Annotated[str | None, typer.Option("--description", help="Paragraph for the card.")] = None,
    guidelines: Annotated[
        Path | None,
        typer.Option("--guidelines", help="Annotation guidelines (Markdown), summarised in the card."),
    ] = None,
    baselines: Annotated[
        Path | None, typer.Option("--baselines", help="Benchmark report JSON whose scores go in the card.")
    ] = None,
    private: Annotated[
        bool, typer.Option("--private", help="With --push-to-hub: create the Hub repository private.")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Package gold records as a versioned dataset: Parquet per config and split, card, manifest, DocBins."""
    options = options_from(PackageOptions, locals())
    from dataclasses import replace

    from toolkit.packaging.card import card_text_from_settings, read_card_settings
    from toolkit.packaging.release import default_card_text, package_dataset
    from toolkit.paths import check_outputs, removed_if_failed, write_errors

    release = output / name / version
    check_outputs(
        inputs=[*inputs, previous, labels, guidelines, baselines], outputs={}, output_folders={"-o": release}
    )
    card = default_card_text(name)
    if card_settings is not None:
        card = card_text_from_settings(read_card_settings(card_settings), card, where=str(card_settings))
    given: dict[str, Any] = {
        "license": license,
        "license_name": license_name,
        "license_link": license_link,
        "pretty_name": pretty_name,
        "description": description,
    }
    card = replace(
        card,
        **{key: value for key, value in given.items() if value is not None},
        guidelines=_read_text(guidelines),
        baselines=_read_baselines(baselines),
    )
    shown = findings_shown(most=SHOWN_FINDINGS, rest="toolkit validate shows them all", quiet=quiet)
    with shown, removed_if_failed(release), write_errors(release):
        result = package_dataset(
            inputs=inputs,
            name=name,
            version=version,
            output_dir=output,
            previous=previous,
            push_to_hub=push_to_hub,
            card=card,
            quiet=quiet,
            options=options,
        )
    for note in result.notes:
        info(f"note: {note}", quiet=quiet)
    for repair in result.repairs:
        info(
            f"repair: {', '.join(repair['groups'])} {repair['from']} -> {repair['to']} ({repair['reason']})",
            quiet=quiet,
        )
    parts = ", ".join(f"{s} {c['records']} records/{c['groups']} groups" for s, c in result.splits.items())
    skipped = sum(result.skipped.values())
    info(
        f"package: {result.records} records ({parts}); {result.near_duplicate_clusters} near-duplicate "
        "clusters"
        f"{f'; {skipped} rejected/ignored answers skipped' if skipped else ''} -> {result.dataset_dir}",
        quiet=quiet,
    )
    if result.pushed is not None:
        info(
            f"pushed: {result.pushed.files} files to {result.pushed.repo}, tagged {result.pushed.tag}",
            quiet=quiet,
        )


@app.command("verify")
def verify_command(
    dataset_dir: Annotated[Path, typer.Argument(help="A packaged version folder, e.g. dist/NAME/1.0.0.")],
    report_format: FormatOption = ReportFormat.text,
    quiet: Quiet = False,
) -> None:
    """Check a packaged dataset against its manifest and card: checksums, counts, features, label ids."""
    from toolkit.packaging.verify import verify_dataset

    report = verify_dataset(dataset_dir=dataset_dir)
    findings = [{"rule": f.rule, "path": f.path, "message": f.message} for f in report.findings]
    findings_report(report.findings, {"ok": report.ok, "findings": findings}, report_format=report_format)
    info(
        f"verify: {report.files_checked} files, {report.rows_checked} rows checked, "
        f"{len(report.findings)} problems in {dataset_dir}",
        quiet=quiet,
    )
    if not report.ok:
        raise CheckFailedError(f"{dataset_dir} does not match its manifest and card")
