"""The spaCy pipeline for pre-annotation: only the model components the chosen tasks need, plus the
toolkit's own components (place ruler, quote analysis, events) so per-record work runs in the workers."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import msgspec
from spacy.language import Language

from toolkit import __version__
from toolkit.errors import MissingDependencyError, ModelNotFoundError
from toolkit.models import INSTALL_HINT, check_model, model_folder, resolve_model_name
from toolkit.preannotate.entities import ENTITY_PIPES, add_place_ruler
from toolkit.preannotate.quotes import QUOTE_COMPONENT, QUOTE_PIPES, quote_component
from toolkit.record import Event

if TYPE_CHECKING:
    from spacy.tokens import Doc

EVENTS_SOURCE = f"rule:plover-events@{__version__}"
EVENTS_COMPONENT = "toolkit_events"
EVENTS_KEY = "toolkit_events"

Language.component(QUOTE_COMPONENT, func=quote_component)


def _events_module() -> Any:
    try:
        from toolkit.preannotate import events
    except ImportError as exc:
        raise MissingDependencyError(
            f"the events pre-annotator cannot be loaded ({exc})", hint="run with --tasks entities,quotes"
        ) from None
    return events


class EventsComponent:
    """Runs the events pre-annotator on each Doc and stores its events as plain data for the parent."""

    def __init__(self, nlp: Language, *, events_model: str | None) -> None:
        events = _events_module()
        if events_model:
            self.annotator = events.EventModelAnnotator(events_model)
        else:
            self.annotator = events.EventRuleAnnotator(nlp, source=EVENTS_SOURCE)

    def __call__(self, doc: Doc) -> Doc:
        # JSON bytes rather than dicts: cheap for Doc.to_bytes to carry back from a worker process.
        doc.user_data[EVENTS_KEY] = msgspec.json.encode(self.annotator(doc))
        return doc


def stored_events(doc: Doc) -> list[Event]:
    """The events ``EventsComponent`` left on a Doc."""
    raw = doc.user_data.get(EVENTS_KEY)
    return msgspec.json.decode(raw, type=list[Event]) if raw else []


@Language.factory(EVENTS_COMPONENT, default_config={"events_model": None})
def make_events_component(nlp: Language, name: str, events_model: str | None) -> EventsComponent:
    return EventsComponent(nlp, events_model=events_model)


def cache_msgpack_plugins() -> None:
    """Look up srsly's msgpack plugins once, not on every call.

    Each time srsly packs or unpacks, it scans every installed package's entry points and every function
    registered with catalogue for its plugins (about 0.5 ms); a Doc coming back from a worker process is
    unpacked three times. With two processes on two cores that lookup alone kept the parent busy enough to
    take most of a core. The plugins are the same on every call, so this looks them up now and hands the
    same set out afterwards; (de)serialisation is unchanged, only plugins registered later go unseen.
    """
    import srsly.msgpack

    for registry in (srsly.msgpack.msgpack_encoders, srsly.msgpack.msgpack_decoders):
        if "get_all" not in vars(registry):
            plugins = registry.get_all()
            registry.get_all = lambda plugins=plugins: plugins


def event_pipes() -> tuple[str, ...]:
    return tuple(_events_module().EVENT_COMPONENTS)


def _model_config(name: str) -> dict[str, Any]:
    """The pipeline's config.cfg, read without loading any weights."""
    import spacy.util

    folder = model_folder(name)
    if folder is None:
        raise ModelNotFoundError(f"--model {name}: no config.cfg found in the pipeline", hint=INSTALL_HINT)
    return dict(spacy.util.load_config(folder / "config.cfg"))


def _listened(model: Any) -> set[str]:
    """Upstream components a component's model listens to (a shared tok2vec it cannot run without)."""
    found: set[str] = set()
    if isinstance(model, dict):
        if "Listener" in str(model.get("@architectures", "")):
            found.add(str(model.get("upstream", "*")))
        for value in model.values():
            found |= _listened(value)
    return found


def needed_components(config: dict[str, Any], tasks: Iterable[str]) -> list[str]:
    """The model components the tasks need, with whatever embedding layers those listen to."""
    pipeline = list(config["nlp"]["pipeline"])
    per_task = {"entities": ENTITY_PIPES, "quotes": QUOTE_PIPES}
    wanted: set[str] = set()
    for task in tasks:
        wanted |= set(per_task[task] if task in per_task else event_pipes())
    wanted &= set(pipeline)
    for name in list(wanted):
        for upstream in _listened(config["components"].get(name, {}).get("model", {})):
            # "*" listens to any embedding component; otherwise the upstream is named.
            wanted |= {"tok2vec", "transformer"} & set(pipeline) if upstream == "*" else {upstream}
    return [p for p in pipeline if p in wanted]


def build_pipeline(*, model: str | None, tasks: tuple[str, ...], events_model: str | None = None) -> Language:
    """A pipeline for ``tasks``: unneeded model components are excluded (not just disabled), the toolkit's
    components are added at the end. Cached per process, so a Dask worker builds it once."""
    name = resolve_model_name(model)
    check_model(name)  # a ModelNotFoundError naming --model; the model itself is loaded once, below
    return _build_cached(name, tasks, events_model)


@lru_cache(maxsize=4)
def _build_cached(name: str, tasks: tuple[str, ...], events_model: str | None) -> Language:
    import spacy

    config = _model_config(name)
    keep = needed_components(config, tasks)
    exclude = [p for p in config["nlp"]["pipeline"] if p not in keep]
    try:
        nlp = spacy.load(name, exclude=exclude)
    except OSError as exc:
        raise ModelNotFoundError(f"--model {name}: cannot load it ({exc})", hint=INSTALL_HINT) from None
    if "ner" in nlp.pipe_names:
        add_place_ruler(nlp)
    if "quotes" in tasks:
        nlp.add_pipe(QUOTE_COMPONENT, last=True)
    if "events" in tasks:
        nlp.add_pipe(EVENTS_COMPONENT, last=True, config={"events_model": events_model})
    return nlp


def bare_pipeline(*, model: str | None, tasks: tuple[str, ...]) -> Language:
    """The same model components without the toolkit's own: the baseline the benchmark compares with."""
    import spacy

    name = resolve_model_name(model)
    check_model(name)
    config = _model_config(name)
    keep = needed_components(config, tasks)
    return spacy.load(name, exclude=[p for p in config["nlp"]["pipeline"] if p not in keep])
