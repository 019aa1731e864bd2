"""Labeling-tool formats by name: a new tool is one ToolFormat subclass and one line here."""

from __future__ import annotations

from typing import Any

from toolkit.errors import UsageError
from toolkit.formats.base import VIEWS, Finding, ParsedAnswer, ReadContext, ToolFormat
from toolkit.formats.doccano import DoccanoFormat
from toolkit.formats.labelstudio import LabelStudioFormat
from toolkit.formats.prodigy import ProdigyFormat

FORMATS: dict[str, type[ToolFormat]] = {
    "prodigy": ProdigyFormat,
    "labelstudio": LabelStudioFormat,
    "doccano": DoccanoFormat,
}


def get_format(name: str, **options: Any) -> ToolFormat:
    """The format of a tool by name; options the tool does not take are a usage error."""
    if name not in FORMATS:
        raise UsageError(f"unknown labeling tool {name!r}", hint=f"choose from {', '.join(FORMATS)}")
    try:
        return FORMATS[name](**options)
    except TypeError:
        given = ", ".join(f"--{k.replace('_', '-')}" for k in options)
        raise UsageError(f"{name} does not take {given}") from None


__all__ = ["FORMATS", "VIEWS", "Finding", "ParsedAnswer", "ReadContext", "ToolFormat", "get_format"]
