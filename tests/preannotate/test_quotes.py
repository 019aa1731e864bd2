"""Quotes: quote marks, cues, speakers, contents, kinds; linking and pronoun resolution across sentences."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from toolkit.preannotate.quotes import QuoteSegment, analyse_quotes, find_quote_segments
from toolkit.record import Meta, Record, record_id

ROOT = Path(__file__).resolve().parents[2]


def found(nlp, text: str) -> list[tuple[str, str, str | None, str | None]]:
    """(kind, content, speaker, cue) of every quote in one sentence."""
    analysis = analyse_quotes(nlp(text))

    def part(quote, key):
        span = quote.get(key)
        return text[span[0] : span[1]] if span else None

    return [(q["kind"], part(q, "content"), part(q, "speaker"), part(q, "cue")) for q in analysis["quotes"]]


def records(sentences: list[str], doc_id: str = "doc") -> list[Record]:
    return [
        Record(text=s, meta=Meta(id=record_id(doc_id, i), doc_id=doc_id, unit=i))
        for i, s in enumerate(sentences)
    ]


def annotate(sentences: list[str], doc_id: str = "doc") -> list[Record]:
    from toolkit.options import PreannotateOptions
    from toolkit.preannotate.run import preannotate_records

    return list(
        preannotate_records(records(sentences, doc_id), options=PreannotateOptions(tasks=("quotes",)))
    )


def texts(record: Record, key: str) -> list[str | None]:
    return [
        record.text[getattr(q, key).start : getattr(q, key).end] if getattr(q, key) else None
        for q in record.quotes
    ]


# --- quote marks, no model needed -----------------------------------------------------------------


def test_curly_pairs_include_their_marks():
    text = "“We will win,” she said."
    assert find_quote_segments(text) == [QuoteSegment(0, 14)]


def test_mismatched_pair_still_pairs():
    text = 'They want to deter “aggressors" and reduce vulnerability to “coercion".'
    assert [text[s.start : s.end] for s in find_quote_segments(text)] == ['“aggressors"', '“coercion"']


def test_missing_closing_mark_runs_to_the_end():
    text = "“The whole night we listened to sirens."
    assert find_quote_segments(text) == [QuoteSegment(0, len(text), opened=True, closed=False)]


def test_stray_closing_mark_starts_at_the_text_start():
    text = 'We have and lots of it," Fleming said.'
    (segment,) = find_quote_segments(text)
    assert (segment.start, text[segment.start : segment.end], segment.opened) == (
        0,
        'We have and lots of it,"',
        False,
    )


def test_two_openings_end_the_first_quote_before_the_second():
    text = "“One thing is clear. “Another thing,” he said."
    segments = find_quote_segments(text)
    assert [text[s.start : s.end] for s in segments] == ["“One thing is clear.", "“Another thing,”"]
    assert not segments[0].closed and segments[1].closed


def test_odd_marks_do_not_shift_later_pairs():
    text = 'a stray one" here, then “a proper quote” and "another one" at the end'
    quoted = [text[s.start : s.end] for s in find_quote_segments(text)]
    assert quoted[-2:] == ["“a proper quote”", '"another one"']


@pytest.mark.parametrize(
    "text",
    [
        "Russia’s invasion of Ukraine",
        "the countries’ two leaders met",
        "in the ’90s and the '80s",
        "don't, won’t, can't",
        "the Joneses’ house and the boss' office",
    ],
)
def test_apostrophes_are_not_quotes(text):
    assert find_quote_segments(text) == []


def test_single_quotes_pair_outside_double_quotes():
    text = "He said that ‘Russia may have committed war crimes.’ Then he left."
    assert [text[s.start : s.end] for s in find_quote_segments(text)] == [
        "‘Russia may have committed war crimes.’"
    ]


def test_single_quotes_inside_double_quotes_stay_part_of_them():
    text = "“They call it ‘a special operation’, but it is a war,” she said."
    assert [text[s.start : s.end] for s in find_quote_segments(text)] == [text[: text.index(",” ") + 2]]


# --- direct quotes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "content", "speaker", "cue"),
    [
        (
            "“We will not back down,” the prime minister said on Tuesday.",
            "“We will not back down,”",
            "the prime minister",
            "said",
        ),
        (
            "“The economy is recovering faster than expected,” Finance Minister Anna Berg told lawmakers.",
            "“The economy is recovering faster than expected,”",
            "Finance Minister Anna Berg",
            "told",
        ),
        (
            "“Nobody is above the law,” warned the attorney general.",
            "“Nobody is above the law,”",
            "the attorney general",
            "warned",
        ),
        (
            '"This vote changes nothing," said Senator Maria Lopez.',
            '"This vote changes nothing,"',
            "Senator Maria Lopez",
            "said",
        ),
    ],
)
def test_direct_quote_with_cue_after(nlp, text, content, speaker, cue):
    assert ("direct", content, speaker, cue) in found(nlp, text)


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            'The mayor said: "We are doing everything we can to restore power."',
            '"We are doing everything we can to restore power."',
            "The mayor",
        ),
        (
            "Speaking in Brussels, the commissioner added: “The rules apply to everyone.”",
            "“The rules apply to everyone.”",
            "the commissioner",
        ),
        (
            'Sanchez told the crowd: "Spain will not be divided by fear."',
            '"Spain will not be divided by fear."',
            "Sanchez",
        ),
    ],
)
def test_direct_quote_with_cue_before(nlp, text, content, speaker):
    kinds = [(k, c, s) for k, c, s, _ in found(nlp, text)]
    assert ("direct", content, speaker) in kinds


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ('“We have done our part," the chancellor said after the summit.', '“We have done our part,"'),
        ('“It’s not true," Kyiv mayor Vitali Klitschko said in a video address.', '“It’s not true,"'),
        ('"Prices will keep rising,” the central bank governor warned.', '"Prices will keep rising,”'),
    ],
)
def test_mismatched_marks_still_make_a_direct_quote(nlp, text, content):
    assert [c for k, c, _, _ in found(nlp, text) if k == "direct"] == [content]


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            'The deal is good for American workers," Biden said at the White House.',
            'The deal is good for American workers,"',
            "Biden",
        ),
        (
            'We have and lots of it," Fleming said in a speech in Canberra.',
            'We have and lots of it,"',
            "Fleming",
        ),
        (
            "So it is clear that the war has been a blunder,” she said.",
            "So it is clear that the war has been a blunder,”",
            "she",
        ),
    ],
)
def test_stray_closing_mark_with_a_cue_is_a_quote(nlp, text, content, speaker):
    assert ("direct", content, speaker, "said") in found(nlp, text)


def test_stray_closing_mark_without_a_cue_is_not_a_quote(nlp):
    text = 'Fleming praised the president’s information operation" for being highly effective.'
    (candidate,) = analyse_quotes(nlp(text))["quotes"]
    assert candidate["opened"] is False and "cue" not in candidate
    assert annotate([text])[0].quotes == []


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "‘There is no alternative to dialogue,’ the foreign minister said.",
            "‘There is no alternative to dialogue,’",
        ),
        ("‘We will respond firmly,’ a government spokesman said.", "‘We will respond firmly,’"),
        (
            "The minister told the BBC: ‘Nobody expected the result to be this close.’",
            "‘Nobody expected the result to be this close.’",
        ),
    ],
)
def test_single_quoted_quotes(nlp, text, content):
    assert content in [c for _, c, _, _ in found(nlp, text)]


def test_two_pieces_around_one_cue(nlp):
    text = "“We’re not going anywhere,” she said, “and we’re going to win this fight.”"
    assert [(c, s, q) for _, c, s, q in found(nlp, text)] == [
        ("“We’re not going anywhere,”", "she", "said"),
        ("“and we’re going to win this fight.”", "she", "said"),
    ]


# --- indirect and mixed quotes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "content", "speaker", "cue"),
    [
        (
            "The president said that the troops would return home by Christmas.",
            "that the troops would return home by Christmas",
            "The president",
            "said",
        ),
        (
            "Officials said the talks would resume next week in Geneva.",
            "the talks would resume next week in Geneva",
            "Officials",
            "said",
        ),
        (
            "The senator said on Wednesday that she would vote against the nomination.",
            "that she would vote against the nomination",
            "The senator",
            "said",
        ),
        (
            "Ramzan Kadyrov, the head of Chechnya, said on Wednesday that Moscow would make no concessions.",
            "that Moscow would make no concessions",
            "Ramzan Kadyrov",
            "said",
        ),
    ],
)
def test_indirect_said_that(nlp, text, content, speaker, cue):
    assert ("indirect", content, speaker, cue) in found(nlp, text)


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "Inflation will peak this summer, the central bank said on Wednesday.",
            "Inflation will peak this summer",
            "the central bank",
        ),
        (
            "Russia has started to reposition its forces, the Pentagon said on Wednesday.",
            "Russia has started to reposition its forces",
            "the Pentagon",
        ),
        ("The economy is shrinking, he said.", "The economy is shrinking", "he"),
    ],
)
def test_indirect_cue_after_content(nlp, text, content, speaker):
    assert ("indirect", content, speaker, "said") in found(nlp, text)


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "According to the health ministry, the attack killed at least 12 civilians.",
            "the attack killed at least 12 civilians",
            "the health ministry",
        ),
        (
            "The strike destroyed a power station, according to local officials.",
            "The strike destroyed a power station",
            "local officials",
        ),
        (
            "According to a statement from the army, two soldiers were wounded.",
            "two soldiers were wounded",
            "a statement from the army",
        ),
    ],
)
def test_according_to(nlp, text, content, speaker):
    assert ("indirect", content, speaker) in [(k, c, s) for k, c, s, _ in found(nlp, text)]


def test_according_to_gives_way_to_the_verb_it_wraps(nlp):
    text = "Fleming said the move was never part of the plan, according to a transcript."
    assert [q for _, _, _, q in found(nlp, text)] == ["said"]


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "The governor told reporters the state would not enforce the federal mandate.",
            "the state would not enforce the federal mandate",
            "The governor",
        ),
        (
            "Kirby told a news conference that Russian troops had left the airport.",
            "that Russian troops had left the airport",
            "Kirby",
        ),
        (
            "She told the BBC the decision had been taken weeks ago.",
            "the decision had been taken weeks ago",
            "She",
        ),
    ],
)
def test_told_reporters(nlp, text, content, speaker):
    assert ("indirect", content, speaker, "told") in found(nlp, text)


@pytest.mark.parametrize(
    ("text", "content", "cue"),
    [
        (
            "The White House warned that further sanctions were possible.",
            "that further sanctions were possible",
            "warned",
        ),
        (
            "Health experts warned the new variant could spread rapidly in winter.",
            "the new variant could spread rapidly in winter",
            "warned",
        ),
        (
            "Prosecutors alleged that the aide had lied to investigators.",
            "that the aide had lied to investigators",
            "alleged",
        ),
        (
            "Macron stressed that Europe must take responsibility for its defence.",
            "that Europe must take responsibility for its defence",
            "stressed",
        ),
    ],
)
def test_other_reporting_verbs(nlp, text, content, cue):
    assert content in [c for _, c, _, q in found(nlp, text) if q == cue]


@pytest.mark.parametrize(
    ("text", "content", "cue"),
    [
        (
            "The U.N. chief urged both sides to return to the negotiating table.",
            "both sides to return to the negotiating table",
            "urged",
        ),
        (
            "Zelenskiy called on Western allies to send more air defence systems.",
            "Western allies to send more air defence systems",
            "called on",
        ),
        (
            "Republicans vowed to block the measure in the Senate.",
            "to block the measure in the Senate",
            "vowed",
        ),
        (
            "Opposition leaders accused the government of rigging the election.",
            "the government of rigging the election",
            "accused",
        ),
    ],
)
def test_verbs_with_infinitive_or_object_content(nlp, text, content, cue):
    assert ("indirect", content, cue) in [(k, c, q) for k, c, _, q in found(nlp, text)]


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "The minister was quoted as saying that the border would stay closed.",
            "that the border would stay closed",
            "The minister",
        ),
        (
            "The general was quoted as saying the offensive had stalled.",
            "the offensive had stalled",
            "The general",
        ),
        (
            "Putin was quoted as saying that Russia would not be isolated.",
            "that Russia would not be isolated",
            "Putin",
        ),
    ],
)
def test_quoted_as_saying(nlp, text, content, speaker):
    assert ("indirect", content, speaker, "quoted as saying") in found(nlp, text)


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "The senator said the bill was “a betrayal of working families.”",
            "the bill was “a betrayal of working families.”",
        ),
        (
            'Sanders said the plan would "gut Social Security" and hurt millions of retirees.',
            'the plan would "gut Social Security" and hurt millions of retirees',
        ),
        (
            "The UN rights chief said that ‘Russia may have committed war crimes in Ukraine.’",
            "that ‘Russia may have committed war crimes in Ukraine.’",
        ),
    ],
)
def test_mixed_quotes(nlp, text, content):
    assert ("mixed", content) in [(k, c) for k, c, _, _ in found(nlp, text)]


# --- what is not a quote --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The vaccine is said to be safe for children over five.",
        'The so-called "peace plan" was rejected by both parties.',
        'She starred in "The Crown" and "Bridgerton" before moving into politics.',
        'The report, titled "Broken Promises", was published on Monday.',
        "Officials declined to say how many troops had been deployed.",
        "The party's “law and order” message resonated with suburban voters.",
        "Local residents will have a say in the final design.",
        "It is widely believed that the minister will resign.",
        "Asked whether he would run again, the senator smiled.",
        "The two self-proclaimed “people’s republics” held votes.",
        "Russia’s economy in the ’90s was very different, and the countries’ leaders knew it.",
        "That's not to say that we haven't seen cyber attacks in this conflict.",
        "This means that the talks will go on.",
    ],
)
def test_not_quotes(nlp, text):
    assert found(nlp, text) == []


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("He did not say whether the talks would continue.", "whether the talks would continue"),
        ("The minister never claimed that the plan would be cheap.", "that the plan would be cheap"),
        ("She didn't suggest that the vote be delayed.", "that the vote be delayed"),
    ],
)
def test_negated_cues_are_still_attributions(nlp, text, content):
    # PARC and PolNeAR annotate negated reports too (with their polarity); reviewers see the cue in context.
    assert content in [c for _, c, _, _ in found(nlp, text)]


@pytest.mark.parametrize(
    "text",
    [
        "“Hello” was the first word the robot learned.",  # direct: a quoted word, no cue
        "She told a story about her childhood in Lviv.",  # told: no reported clause
        "The warning came too late for the villagers.",  # warned: a noun, not a cue
        "The article quoted several experts on the economy.",  # quoted as saying: no "as saying"
        "The senator called the bill “a betrayal.”",  # mixed: "call" without "on" reports nothing
        "Everything went according to plan on Tuesday.",  # according to: a plan is not a source
        "The ceremony was held according to tradition.",
        "Prices are set according to the rules of the exchange.",
    ],
)
def test_near_misses_of_each_pattern(nlp, text):
    assert found(nlp, text) == []


def test_cue_inside_a_quote_is_not_a_separate_quote(nlp):
    text = "“Our allies said they would help, and they did,” the minister said."
    assert [(k, s, q) for k, _, s, q in found(nlp, text)] == [("direct", "the minister", "said")]


def test_nested_report_keeps_the_outer_one(nlp):
    text = "What I can say is that we have information, the press secretary told reporters."
    assert [q for _, _, _, q in found(nlp, text)] == ["told"]


# --- across sentences: linking and resolution -----------------------------------------------------


def test_quote_open_across_sentences_is_linked():
    out = annotate(
        [
            '“It’s not true," Kyiv mayor Vitali Klitschko said in a video address.',
            "“The whole night we listened to sirens.",
            "We heard huge explosions east of the city.",
            'There are immense battles there, people died, still die."',
            "The mayor later left for Lviv.",
        ]
    )
    # The quotation reopened right after Klitschko's attributed one goes on with it: one quote, four pieces.
    pieces = [r.quotes[0] for r in out[:4]]
    assert len({p.id for p in pieces}) == 1
    assert [p.linked_records for p in pieces] == [
        ["doc:1", "doc:2", "doc:3"],
        ["doc:0", "doc:2", "doc:3"],
        ["doc:0", "doc:1", "doc:3"],
        ["doc:0", "doc:1", "doc:2"],
    ]
    assert all(p.speaker_resolved and p.speaker_resolved.text == "Vitali Klitschko" for p in pieces[1:])
    assert texts(out[3], "content") == ['There are immense battles there, people died, still die."']
    assert out[4].quotes == []


def paragraphs(sentences: list[tuple[int, str]]) -> list[Record]:
    from toolkit.options import PreannotateOptions
    from toolkit.preannotate.run import preannotate_records

    records = [
        Record(text=s, meta=Meta(id=record_id("doc", i), doc_id="doc", unit=i, paragraph=p))
        for i, (p, s) in enumerate(sentences)
    ]
    return list(preannotate_records(records, options=PreannotateOptions(tasks=("quotes",))))


def test_a_reopened_quotation_continues_the_quote_before_it_in_its_paragraph():
    out = paragraphs(
        [
            (0, "“We are not going anywhere,” the governor said."),
            (0, "The crowd cheered."),
            (0, "“We will rebuild every school.”"),
            (1, "“Nobody else will do it for us.”"),
        ]
    )
    first, again, later = out[0].quotes[0], out[2].quotes[0], out[3].quotes[0]
    assert first.id == again.id and again.speaker is None and again.cue is None
    assert first.linked_records == ["doc:2"] and again.linked_records == ["doc:0"]
    assert again.speaker_resolved.text == "the governor"
    # A new paragraph starts a new quote: attribution corpora join quotations within a paragraph only.
    assert later.id != first.id and later.linked_records == []


def test_a_quotation_after_a_paraphrase_or_with_its_own_cue_is_a_new_quote():
    out = paragraphs(
        [
            (0, "A survey found that most voters distrust both parties."),
            (0, "“Nobody speaks for us,” one voter said."),
            (0, "“They all look the same,” another voter added."),
        ]
    )
    ids = [r.quotes[0].id for r in out]
    assert len(set(ids)) == 3 and all(q.linked_records == [] for r in out for q in r.quotes)


def test_closing_sentence_attributes_the_whole_quote():
    out = annotate(
        [
            "“We need planes that fly and soldiers who are equipped for their missions.",
            "That is what we are going to do,” the chancellor said.",
        ]
    )
    first, last = out[0].quotes[0], out[1].quotes[0]
    assert first.id == last.id and first.linked_records == ["doc:1"] and last.linked_records == ["doc:0"]
    assert texts(out[1], "speaker") == ["the chancellor"]
    assert first.speaker_resolved.text == "the chancellor" and first.speaker_resolved.record_id == "doc:1"


def test_unclosed_quote_does_not_swallow_the_next_quote():
    out = annotate(
        [
            "He said: “We will never give up.",
            "“The border stays closed,” the minister said.",
        ]
    )
    assert texts(out[1], "content") == ["“The border stays closed,”"]
    assert out[0].quotes[-1].linked_records == []


@pytest.mark.parametrize(
    ("sentences", "resolved", "label"),
    [
        (
            [
                "Angela Merkel met the French president on Monday.",
                '"We have a common responsibility for Europe," she said.',
            ],
            "Angela Merkel",
            "PERSON",
        ),
        (
            [
                "The leader of the Donetsk People’s Republic, Denis Pushilin, said on Wednesday that "
                "operations were intensifying.",
                "“We are well aware of the cost,” he said.",
            ],
            "Denis Pushilin",
            "PERSON",
        ),
        (
            [
                "Prime Minister Mark Rutte spoke to Ursula von der Leyen on Friday.",
                "He said the Netherlands would send more aid.",
            ],
            "Mark Rutte",
            "PERSON",
        ),
    ],
)
def test_he_she_resolve_to_an_earlier_person(sentences, resolved, label):
    out = annotate(sentences)
    who = out[-1].quotes[0].speaker_resolved
    assert (who.text, who.label, who.record_id) == (resolved, label, "doc:0")


def test_she_skips_a_man_named_just_before():
    out = annotate(
        [
            "Foreign Secretary Liz Truss met her counterpart John Smith in Delhi.",
            '"Democracies must work together," she said.',
        ]
    )
    assert out[1].quotes[0].speaker_resolved.text == "Liz Truss"


@pytest.mark.parametrize(
    ("sentences", "resolved"),
    [
        (
            [
                "A statement released by the British High Commission said this as Truss begins a visit "
                "to India.",
                '“The visit is part of a wider diplomatic push," the statement said.',
                '“Democracies must work closer together," it said.',
            ],
            "the British High Commission",
        ),
        (
            [
                "The Defence Ministry released a statement on Friday.",
                "It said the border crossing would reopen on Monday.",
            ],
            "The Defence Ministry",
        ),
        (
            [
                "Microsoft reported higher profits on Tuesday.",
                "The company said demand for cloud services remained strong.",
            ],
            "Microsoft",
        ),
    ],
)
def test_it_and_the_statement_resolve_to_an_organisation(sentences, resolved):
    out = annotate(sentences)
    who = out[-1].quotes[0].speaker_resolved
    assert (who.text, who.label) == (resolved, "ORG")


def test_no_resolution_across_documents():
    out = annotate(["Angela Merkel spoke on Monday."], doc_id="a") + annotate(
        ["“We will see,” she said."], doc_id="b"
    )
    assert out[1].quotes[0].speaker_resolved is None


def test_quotes_have_rule_source_and_ids(nlp):
    (record,) = annotate(["“We will win,” the president said."])
    (quote,) = record.quotes
    assert quote.source.startswith("rule:quotes@") and quote.id == "doc:0:q0"


# --- the evaluation set ---------------------------------------------------------------------------


def eval_module():
    spec = importlib.util.spec_from_file_location("quotes_eval", ROOT / "benchmarks" / "quotes_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_evaluation_set_scores_stay_high():
    result = eval_module().run()
    assert result["sentences"] >= 40
    assert result["content_exact"]["f1"] >= 0.85
    assert result["content_overlap"]["f1"] >= 0.9


def test_brat_attribution_files_are_scored_per_document(tmp_path):
    text = "The talks failed.\n\n“We will try again,” the envoy said. “It is not over.”\n"
    first = text.index("“We")
    second = text.index("“It")
    (tmp_path / "doc.txt").write_text(text, encoding="utf-8")
    (tmp_path / "doc.ann").write_text(
        f"T1\tContent {first} {first + 20};{second} {second + 17}\t...\nT2\tCue 0 1\tx\n", encoding="utf-8"
    )
    result = eval_module().run_brat(tmp_path)
    assert (result["documents"], result["gold_contents"]) == (1, 2)
    assert result["content_exact"]["recall"] == 1.0 and result["content_overlap"]["precision"] == 1.0


# --- interrupted quotes: one quote in several pieces ----------------------------------------------


def pieces(record: Record) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """(id, content, speaker, cue) of every quote entry of a record."""
    return [
        (q.id, *(record.text[r.start : r.end] if r else None for r in (q.content, q.speaker, q.cue)))
        for q in record.quotes
    ]


def test_an_interrupted_direct_quote_is_one_quote_in_two_pieces():
    (record,) = annotate(["“We’re not going anywhere,” she said, “and we’re going to win this fight.”"])
    assert pieces(record) == [
        ("doc:0:q0", "“We’re not going anywhere,”", "she", "said"),
        ("doc:0:q0", "“and we’re going to win this fight.”", "she", "said"),
    ]
    assert all(q.linked_records == [] and q.kind == "direct" for q in record.quotes)


@pytest.mark.parametrize(
    ("text", "contents", "speaker", "cue"),
    [
        (
            "The talks, officials said, had been constructive.",
            ["The talks", "had been constructive"],
            "officials",
            "said",
        ),
        (
            "The economy, the minister warned on Monday, is shrinking fast.",
            ["The economy", "is shrinking fast"],
            "the minister",
            "warned",
        ),
        (
            "“What I believe,” Secretary Ann Duke told The Daily Ledger in 2012, “is that schools matter.”",
            ["“What I believe,”", "“is that schools matter.”"],
            "Secretary Ann Duke",
            "told",
        ),
    ],
)
def test_content_is_cut_around_its_own_attribution(text, contents, speaker, cue):
    (record,) = annotate([text])
    assert pieces(record) == [("doc:0:q0", content, speaker, cue) for content in contents]


def test_a_relative_clause_reported_keeps_its_gap_out_of_the_content():
    (record,) = annotate(
        ["He blamed the rules, which he believes will make it impossible for newcomers to win."]
    )
    assert pieces(record) == [("doc:0:q0", "will make it impossible for newcomers to win", "he", "believes")]


def test_a_scene_phrase_before_the_attribution_is_not_content():
    (record,) = annotate(
        ["In an interview, Walker said, “I’ve had a lot of people cancel engagements with me.”"]
    )
    assert pieces(record) == [
        ("doc:0:q0", "“I’ve had a lot of people cancel engagements with me.”", "Walker", "said")
    ]


def test_an_interrupted_quote_that_runs_on_links_every_piece():
    out = annotate(
        [
            "“We need planes that fly,” the chancellor said, “and soldiers who are equipped for missions.",
            "That is what we are going to do.”",
        ]
    )
    assert [q.id for r in out for q in r.quotes] == ["doc:0:q0"] * 3
    assert [q.linked_records for q in out[0].quotes] == [["doc:1"], ["doc:1"]]
    assert out[1].quotes[0].linked_records == ["doc:0"]
    assert out[1].quotes[0].speaker_resolved.text == "the chancellor"


def test_the_closing_piece_and_the_pieces_after_it_join_the_open_quote():
    out = annotate(
        ["“We need planes that fly.", "That is what we do,” the chancellor said, “and we will do it.”"]
    )
    assert pieces(out[1]) == [
        ("doc:0:q0", "That is what we do,”", "the chancellor", "said"),
        ("doc:0:q0", "“and we will do it.”", "the chancellor", "said"),
    ]
    assert [q.linked_records for q in out[1].quotes] == [["doc:0"], ["doc:0"]]
    assert out[0].quotes[0].linked_records == ["doc:1"]


# --- fitting the analysis to the record's tokens and checks ---------------------------------------


def tokens_of(text: str, cuts: list[tuple[int, int]]):
    from toolkit.record import Token

    return [Token(text=text[s:e], start=s, end=e, id=i) for i, (s, e) in enumerate(cuts)]


def test_fit_snaps_roles_outwards_to_the_record_tokens():
    from toolkit.preannotate.quotes import fit_quotes

    text = "act—“We win” he said"
    tokens = tokens_of(text, [(0, 8), (8, 12), (13, 15), (16, 20)])  # "act—“We" is one token here
    [item] = fit_quotes([{"content": [4, 12], "kind": "direct", "cue": [16, 20]}], text, tokens)
    assert (item["content"], item["cue"]) == ([0, 12], [16, 20])


def test_fit_cuts_content_around_its_own_cue_and_speaker():
    from toolkit.preannotate.quotes import fit_quotes

    text = "The talks, he said, had failed"
    tokens = tokens_of(text, [(0, 3), (4, 9), (9, 10), (11, 13), (14, 18), (18, 19), (20, 23), (24, 30)])
    items = [{"content": [0, 30], "kind": "indirect", "speaker": [11, 13], "cue": [14, 18]}]
    fitted = fit_quotes(items, text, tokens)
    assert [text[slice(*i["content"])] for i in fitted] == ["The talks", "had failed"]
    assert len({i["group"] for i in fitted}) == 1


def test_fit_drops_a_speaker_inside_the_quoted_words_and_content_claimed_twice():
    from toolkit.preannotate.quotes import fit_quotes

    text = "“Every amendment,” said the senator"
    tokens = tokens_of(text, [(0, 1), (1, 6), (7, 16), (16, 17), (17, 18), (19, 23), (24, 27), (28, 35)])
    speaker_inside = {"content": [0, 18], "kind": "direct", "cue": [19, 23], "speaker": [1, 16]}
    again = {"content": [0, 18], "kind": "direct"}
    fitted = fit_quotes([speaker_inside, again], text, tokens)
    assert fitted == [{"content": [0, 18], "kind": "direct", "cue": [19, 23], "group": -1}]


def test_fit_keeps_the_roles_of_different_quotes_apart():
    import re

    from toolkit.preannotate.quotes import fit_quotes

    text = "Ann said “we won” and Bob, who said it too, agreed"
    cuts = [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)]
    tokens = tokens_of(text, cuts)

    def at(words: str) -> list[int]:
        return [text.index(words), text.index(words) + len(words)]

    attributed = {"content": at("“we won”"), "kind": "direct", "speaker": at("Ann"), "cue": at("said")}
    stray = {"content": at("Ann said “we"), "kind": "direct"}  # a cue-less stretch over the attribution
    nested = {"content": at("Bob, who said it too"), "kind": "indirect", "cue": at("agreed")}
    second_said = [text.index("said", 20), text.index("said", 20) + 4]
    inner = {"content": at("it too"), "kind": "indirect", "speaker": at("who"), "cue": second_said}
    fitted = fit_quotes([stray, attributed, nested, inner], text, tokens)
    shown = [(text[slice(*i["content"])], i.get("cue") and text[slice(*i["cue"])]) for i in fitted]
    # The stray stretch goes; the inner report inside another quote's content is cut away to nothing.
    assert shown == [("“we won”", "said"), ("Bob, who said it too", "agreed")]
