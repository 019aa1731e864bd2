"""preannotate: baseline models fill in entities, quotes and PLOVER events so people only correct."""

from toolkit.options import PreannotateOptions, parse_tasks
from toolkit.preannotate.run import (
    PreannotateSummary,
    docs_per_batch,
    preannotate,
    preannotate_records,
)

__all__ = [
    "PreannotateOptions",
    "PreannotateSummary",
    "docs_per_batch",
    "parse_tasks",
    "preannotate",
    "preannotate_records",
]
