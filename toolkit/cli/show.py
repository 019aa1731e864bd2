"""``toolkit show``: look at records in the terminal, or write them to one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.app import Quiet, app, info

TERMINAL_LIMIT = 10


@app.command("show")
def show_command(
    file: Annotated[str, typer.Argument(help="A JSONL record file ('-' reads standard input).")],
    record_id: Annotated[
        str | None,
        typer.Option("--id", help="Only the record with this meta.id (or every unit of a doc_id)."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=1,
            help=f"At most N records (default: {TERMINAL_LIMIT} in the terminal, all in HTML).",
        ),
    ] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write one self-contained HTML page here instead.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Entities with their labels, quote roles in colour and the event types of each record."""
    from toolkit.jsonl import atomic_output
    from toolkit.review.show import html_page, select_records, terminal_view

    if html_out is not None:
        from toolkit.paths import check_outputs

        check_outputs(inputs=[file], outputs={"--html": html_out})
        records = select_records(path=file, record_id=record_id, limit=limit)
        with atomic_output(html_out, "w") as handle:
            handle.write(html_page(records, title=f"toolkit show: {Path(file).name}"))
        info(f"wrote {len(records)} records to {html_out}", quiet=quiet)
        return
    from rich.console import Console

    records = select_records(path=file, record_id=record_id, limit=limit or TERMINAL_LIMIT)
    console = Console()
    for panel in terminal_view(records):
        console.print(panel)
    info(f"{len(records)} records shown", quiet=quiet)
