"""PLOVER event rules: every type on sentences written for the tests, modality, determinism, eval sets."""

from __future__ import annotations

from pathlib import Path

import msgspec
import orjson
import pytest

from toolkit.errors import UsageError
from toolkit.labels import PLOVER_TYPES
from toolkit.preannotate.events import (
    EVENT_COMPONENTS,
    RULE_SOURCE,
    EventRuleAnnotator,
    score_event_labels,
)

DATA = Path(__file__).parents[1] / "data"

# Per type: sentences that report it, and at least one that uses a lure word but does not.
CASES: dict[str, tuple[list[str], list[str]]] = {
    "AGREE": (
        [
            "The rebels promised to release all remaining hostages by Friday.",
            "Both governments agreed to hold a second round of talks in Oslo.",
            "The two sides reached a deal to end the blockade of the port.",
            "Hamas said it was ready to accept a truce.",
        ],
        ["Analysts agreed that the economy would slow."],
    ),
    "CONSULT": (
        [
            "The Chinese foreign minister met his Russian counterpart in Beijing on Monday.",
            "Negotiators from both sides held talks in Doha.",
            "President Macron visited Algeria for the first time since 2017.",
            "Biden spoke by phone with the Saudi crown prince.",
        ],
        [
            "The minister told a news conference that prices would fall.",
            "Officials failed to meet the deadline for the budget.",
        ],
    ),
    "SUPPORT": (
        [
            "The foreign minister praised Jordan's efforts to calm tensions.",
            "Egypt and Turkey restored full diplomatic relations on Tuesday.",
            "Several countries recognised the new government in Tripoli.",
            "The EU leaders signed a declaration on migration.",
        ],
        ["The party withdrew its support for the coalition."],
    ),
    "CONCEDE": (
        [
            "The president apologised for the police shooting.",
            "The junta lifted the curfew in the capital.",
            "The government met the main demands of the striking teachers.",
            "The king pardoned dozens of political prisoners.",
        ],
        ["The finance minister refused to make any concessions."],
    ),
    "COOPERATE": (
        [
            "Argentina extradited the suspect to the United States.",
            "The two navies held joint exercises off the coast of Oman.",
            "The two agencies shared intelligence on smuggling networks.",
            "India and Japan are jointly developing a high-speed rail line.",
        ],
        ["The army held military exercises near the border."],
    ),
    "AID": (
        [
            "Germany sent food and medicine to Yemen.",
            "The World Bank approved a $500 million loan for Kenya.",
            "Canada granted asylum to the activist.",
            "The coast guard rescued 40 migrants from a sinking boat.",
        ],
        ["Aid workers were evacuated from the city."],
    ),
    "RETREAT": (
        [
            "The militia released three kidnapped journalists on Sunday.",
            "Israeli troops withdrew from the northern Gaza town.",
            "The prime minister resigned amid a corruption scandal.",
            "Government forces handed over control of the airport to UN peacekeepers.",
        ],
        ["The company released its annual report on Monday."],
    ),
    "REQUEST": (
        [
            "The UN chief urged both sides to return to the negotiating table.",
            "Lebanon called for an immediate ceasefire in the south.",
            "Kyiv asked its allies for more air defence systems.",
            "The families demanded an independent inquiry into the crash.",
        ],
        ["Demand for oil fell sharply in the second quarter."],
    ),
    "ACCUSE": (
        [
            "Seoul accused Pyongyang of hacking its defence networks.",
            "Human rights groups condemned the execution of the three men.",
            "Prosecutors launched an investigation into the killings.",
            "The opposition criticised the government's handling of the crisis.",
        ],
        ["Critics say the plan is too expensive.", "The senator did not criticise the decision."],
    ),
    "REJECT": (
        [
            "Moscow rejected the peace proposal as unrealistic.",
            "The president vetoed the defence budget.",
            "Serbia refused to impose sanctions on Russia.",
            "The opposition said it would not take part in talks with the government.",
        ],
        ["The president did not reject the proposal outright."],
    ),
    "THREATEN": (
        [
            "Iran threatened to close the Strait of Hormuz.",
            "The rebels warned they would attack the capital if the talks failed.",
            "Turkey warned of retaliation after the shelling of its border posts.",
            "Washington said Moscow would face severe consequences if it invaded.",
        ],
        ["Officials warned that prices were rising fast."],
    ),
    "PROTEST": (
        [
            "Thousands of protesters gathered outside parliament on Saturday.",
            "Doctors went on strike over unpaid wages.",
            "Farmers blocked highways across the country to protest against fuel prices.",
            "Opposition supporters marched through the capital demanding early elections.",
        ],
        ["Stock markets rallied on hopes of lower interest rates."],
    ),
    "SANCTION": (
        [
            "The EU imposed sanctions on five Iranian officials.",
            "Lithuania expelled four Russian diplomats.",
            "Washington froze the assets of the central bank.",
            "The United States will impose tariffs on Chinese steel.",
        ],
        ["The EU lifted sanctions on Belarusian potash."],
    ),
    "MOBILIZE": (
        [
            "Russia deployed additional troops to the Belarusian border.",
            "China sent warships into the disputed waters.",
            "North Korea test-fired two short-range missiles on Thursday.",
            "Azerbaijan mobilised its reservists as tensions rose.",
        ],
        ["The company deployed new software across its offices."],
    ),
    "COERCE": (
        [
            "Police arrested dozens of opposition activists in Minsk.",
            "The authorities imposed a curfew after the riots.",
            "Iran blocked access to Instagram and WhatsApp.",
            "The journalist was sentenced to ten years in prison.",
        ],
        ["The government eased restrictions on public gatherings."],
    ),
    "ASSAULT": (
        [
            "Russian missiles struck an apartment block in Dnipro, killing 40 people.",
            "Gunmen ambushed a police patrol in northern Mali.",
            "Israeli aircraft carried out airstrikes on Hezbollah positions.",
            "Fighting broke out between rival militias in Tripoli.",
        ],
        ["The earthquake killed more than 2,000 people.", "The army denied attacking civilians."],
    ),
}


@pytest.fixture(scope="module")
def annotator(nlp):
    return EventRuleAnnotator(nlp, source="rule:test")


@pytest.fixture(scope="module")
def labels_of(nlp, annotator):
    def run(text: str) -> set[str]:
        return {event.label for event in annotator(nlp(text))}

    return run


def test_cases_cover_every_plover_type():
    assert set(CASES) == set(PLOVER_TYPES)
    assert all(len(pos) >= 3 and len(neg) >= 1 for pos, neg in CASES.values())


@pytest.mark.parametrize(("label", "text"), [(label, t) for label, (pos, _) in CASES.items() for t in pos])
def test_each_type_is_found(labels_of, label, text):
    assert label in labels_of(text)


@pytest.mark.parametrize(("label", "text"), [(label, t) for label, (_, neg) in CASES.items() for t in neg])
def test_lure_words_are_not_that_type(labels_of, label, text):
    assert label not in labels_of(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Offers, promises and intentions to do a cooperative thing are AGREE, not the thing itself; a promise
        # to scale back hostilities is a concession in words (CONCEDE).
        ("Turkey offered to mediate between the two sides.", {"AGREE"}),
        ("Russia promised to reduce attacks around the capital.", {"CONCEDE"}),
        ("The rebels agreed to halt their attacks on the city.", {"CONCEDE"}),
        # Threats of a hostile act are THREATEN, not the act.
        ("Russia threatened to cut gas supplies to Europe.", {"THREATEN"}),
        ("Iran warned it would retaliate.", {"THREATEN"}),
        ("Washington would impose sanctions if Moscow invaded Ukraine.", {"THREATEN"}),
        # A denied or negated act is not that act.
        ("The army denied attacking civilians.", set()),
        ("Russian troops did not attack the city.", set()),
        ("If Russia invades, the alliance will respond.", set()),
        # Refusing a cooperative act is REJECT.
        ("Ukraine refused to negotiate.", {"REJECT"}),
        ("Moscow would make no concessions in its war in Ukraine.", {"REJECT"}),
        ("The government would not lift the state of emergency.", {"REJECT"}),
        # An act that is alleged is the accusation only; an act that is condemned happened.
        ("Ukraine accused Russia of shelling the plant.", {"ACCUSE"}),
        ("The United States condemned the attack on the embassy.", {"ACCUSE", "ASSAULT"}),
        # Cooperation announced for the future is a commitment (AGREE); a hostile act keeps its type;
        # reporting verbs alone are no event.
        ("Russia and Ukraine will resume their peace talks online on April 1.", {"AGREE"}),
        ("Iran said it would release the detained sailors.", {"AGREE"}),
        ("The government plans to send aid to the flooded provinces.", {"AGREE"}),
        ("Britain will impose new sanctions on Moscow.", {"SANCTION"}),
        ("The spokesman said the minister told reporters about the plan.", set()),
        # Stopping a hostile act de-escalates; stopping a cooperative one sanctions.
        ("The rebels halted their offensive on the city.", {"RETREAT"}),
        ("Moscow suspended talks with Kyiv.", {"SANCTION"}),
        # Demands made by demonstrators are the protest.
        ("Protesters demanding lower fuel prices blocked the main road.", {"PROTEST"}),
    ],
)
def test_negation_and_modality(labels_of, text, expected):
    assert labels_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A noun set in the background as a cause, time or setting is not news of the sentence.
        ("Curfews were imposed amid unrest in the capital.", {"COERCE"}),
        ("The rebels signed a peace deal after two years of fighting.", {"SUPPORT"}),
        ("Police detained the suspects over the attack on the embassy.", {"COERCE"}),
        ("Police arrested two men for the murder of a journalist.", {"COERCE"}),
        ("Russia, which invaded Ukraine in 2022, says it is ready for talks.", {"AGREE"}),
        # Acts spoken of in general are not acts that happened; talks under way are.
        ("Attacks on civilians are illegal under international law.", set()),
        ("Talks are under way in Doha.", {"CONSULT"}),
        # Possible, expected, recommended and planned-against acts are not asserted.
        ("The army could resume its offensive within days.", set()),
        ("The two leaders are expected to meet next week.", set()),
        ("The two leaders should meet soon, the envoy said.", set()),
        ("The government had no plans to impose a curfew.", set()),
        # What did not happen, what nature did, and what someone else called for.
        ("Talks have not taken place since 2019.", set()),
        ("No agreement was reached.", set()),
        ("The storm killed 12 people and cut power to thousands of homes.", set()),
        ("The government ignored calls for an inquiry.", set()),
        ("The spokesman declined to comment on reports of a prisoner swap.", set()),
        ("The army reported killing 30 militants.", {"ASSAULT"}),
        ("The ministry deployed thousands of riot police across the capital.", {"MOBILIZE"}),
        # Cooperation announced or scheduled for the future is a commitment; a future withdrawal a concession.
        ("The president will visit Kenya next month.", {"AGREE"}),
        ("The prime minister is due to visit Washington next month.", {"AGREE"}),
        ("Japan said it would provide a $500 million loan to Sri Lanka.", {"AGREE"}),
        ("The army said it would withdraw from the city by Friday.", {"CONCEDE"}),
        # An order to one's own forces is the act itself; an order to another's is a request.
        ("The president ordered the army to withdraw from the city.", {"RETREAT"}),
        ("The junta ordered French troops to leave the country.", {"REQUEST"}),
        # A protest lodged by a government is a complaint; people protesting in the street are a protest;
        # protesters detained by police are the object of COERCE, not a PROTEST of their own.
        ("The foreign ministry summoned the ambassador to protest against the remarks.", {"ACCUSE"}),
        ("Residents protested the closure of the hospital.", {"PROTEST"}),
        ("Police detained dozens of protesters in the capital.", {"COERCE"}),
        ("Protesters blocked the main road.", {"PROTEST"}),
        # Giving in to a demand is a concession; weighing penalties or being ready to use force a threat.
        ("The government gave in to the demands of the striking teachers.", {"CONCEDE"}),
        ("The government agreed to the opposition's demand for early elections.", {"CONCEDE"}),
        ("Washington is weighing new sanctions against Tehran.", {"THREATEN"}),
        ("The army said it was ready to use force.", {"THREATEN"}),
        ("The rebels vowed to continue their bombing campaign.", {"THREATEN"}),
        # Words of violence used for words and plans.
        ("The opposition attacked the government's handling of the crisis.", {"ACCUSE"}),
        ("The opposition called the vote a sham.", {"ACCUSE"}),
        ("The rebels seized the moment to advance.", set()),
        ("The company executed the deal in March.", set()),
        # Walking out of talks ends them; walking out of work is a strike.
        ("The opposition delegation walked out of the talks.", {"SANCTION"}),
        ("Nurses walked out over pay.", {"PROTEST"}),
        ("The army allowed Red Cross officials to visit the detainees.", {"RETREAT"}),
        ("Israel and Hamas exchanged fire across the border overnight.", {"ASSAULT"}),
        ("The new sanctions target 20 individuals.", {"SANCTION"}),
        # The lemmatizer reads "fined" as "fin"; the act judged is alleged, not reported.
        ("The bank was fined $2 billion for violating sanctions.", {"SANCTION"}),
    ],
)
def test_background_hedges_and_boundaries(labels_of, text, expected):
    assert labels_of(text) == expected


def test_competing_readings_have_one_winner():
    """Two rules tie on priority and size ("build" + object, "build up"): the order must not depend on the
    set the candidates pass through, whose order follows string hashing and so changes between processes."""
    from toolkit.preannotate.events import _Act, _most_specific

    with_object = _Act("MOBILIZE", anchor=3, start=3, end=4, covers=frozenset({3, 6}), priority=3)
    with_particle = _Act("MOBILIZE", anchor=3, start=3, end=5, covers=frozenset({3, 4}), priority=3)
    assert _most_specific([with_object, with_particle]) == [with_particle]
    assert _most_specific([with_particle, with_object]) == [with_particle]


def test_conditional_clauses_are_found_once_per_doc(nlp):
    from toolkit.preannotate.events import _ARRAY_ATTRS, _conditional_tokens

    def conditional(text):
        doc = nlp(text)
        return {doc[i].text for i in _conditional_tokens(doc, doc.to_array(_ARRAY_ATTRS))}

    inside = conditional("Iran will retaliate if Israel attacks, and talks continue until a deal is reached.")
    assert {"if", "Israel", "attacks", "until", "deal", "reached"} <= inside
    assert not {"Iran", "retaliate", "talks"} & inside
    assert conditional("Talks continued until a deal was reached.") == set()


def test_brief_examples_and_their_triggers(nlp, annotator):
    examples = {
        "Russian forces bombarded the outskirts of Kyiv.": ("ASSAULT", "bombarded"),
        # Weighing new penalties in public is a threat (GUIDELINES 4.2, seed :2).
        "The United States is looking at options to expand sanctions.": ("THREATEN", "sanctions"),
        "Russia may have committed war crimes in Ukraine.": ("ACCUSE", "committed"),
        "Wagner Group had deployed about 1,000 contractors into the Donbas region.": ("MOBILIZE", "deployed"),
        "Moscow would make no concessions.": ("REJECT", "no concessions"),
        "Russia promised to reduce attacks there.": ("CONCEDE", "promised"),
    }
    for text, (label, trigger) in examples.items():
        events = annotator(nlp(text))
        assert [(e.label, e.trigger.text) for e in events] == [(label, trigger)], text
        role = events[0].trigger
        assert text[role.start : role.end] == role.text


def test_events_carry_source_and_exact_offsets(nlp, annotator):
    text = "Police arrested dozens of activists.  Protesters then blocked the road."
    events = annotator(nlp(text))
    assert events, "expected events"
    for event in events:
        assert event.source == "rule:test"
        assert text[event.trigger.start : event.trigger.end] == event.trigger.text
    assert EventRuleAnnotator(nlp).source == RULE_SOURCE


def test_one_event_per_type_per_sentence_sorted(nlp, annotator):
    text = (
        "Rebels shelled the town and bombed the bridge. Government jets struck rebel positions the next day."
    )
    events = annotator(nlp(text))
    assert [e.label for e in events] == ["ASSAULT", "ASSAULT"]
    assert events[0].trigger.text == "shelled"
    assert events[0].trigger.start < events[1].trigger.start
    mixed = annotator(nlp("Police arrested protesters after rebels shelled the town and held talks."))
    starts = [e.trigger.start for e in mixed]
    assert starts == sorted(starts)
    assert len({e.label for e in mixed}) == len(mixed)


def test_deterministic_output(nlp, annotator):
    texts = [case for positives, _ in CASES.values() for case in positives]
    encoder = msgspec.json.Encoder()
    first = [encoder.encode(annotator(nlp(t))) for t in texts]
    again = EventRuleAnnotator(nlp, source="rule:test")
    second = [encoder.encode(again(doc)) for doc in nlp.pipe(texts)]
    assert first == second


def test_needs_a_parse(nlp, annotator):
    import spacy

    with pytest.raises(UsageError, match="dependency parse"):
        annotator(spacy.blank("en")("Police arrested the activist."))
    assert annotator(nlp("")) == []


def test_event_components_are_enough(nlp, annotator):
    text = "Police arrested dozens of activists in Minsk."
    with nlp.select_pipes(enable=list(EVENT_COMPONENTS)):
        events = annotator(nlp(text))
    assert [e.label for e in events] == ["COERCE"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Headlines without a verb: the climb to the clause's verb stops at the root (it once looped forever).
        ("Peace talks on Tuesday.", [("CONSULT", "Peace talks")]),
        ("Air strikes on Kharkiv.", [("ASSAULT", "Air strikes")]),
        # A phrase with an optional word matches with and without it.
        ("Thousands took to the streets of Minsk.", [("PROTEST", "took to the streets")]),
        ("Thousands took to streets across the country.", [("PROTEST", "took to streets")]),
        # A rule without head words is found through its key dependent ("jointly").
        ("Troops jointly patrolled the border.", [("COOPERATE", "patrolled")]),
        # A word that is also a phrase's first word, and a rule's head.
        ("Rebels attacked the town.", [("ASSAULT", "attacked")]),
        ("He was treated for a heart attack.", []),
        # Two readings of equal rank: the longer trigger, in every process.
        ("Kiribati began building up its military.", [("MOBILIZE", "building up")]),
    ],
)
def test_trigger_index(nlp, annotator, text, expected):
    assert [(e.label, e.trigger.text) for e in annotator(nlp(text))] == expected


def test_lexicon_entries_the_index_cannot_find_are_refused(nlp, monkeypatch):
    from toolkit.preannotate import events_lexicon as lex

    monkeypatch.setattr(lex, "PHRASES", (("PROTEST", "the? street", 3),))
    with pytest.raises(ValueError, match="starts with an optional word"):
        EventRuleAnnotator(nlp)
    monkeypatch.undo()
    monkeypatch.setattr(lex, "RULES", (lex.rule("AID", "", lex.obj("food")),))
    with pytest.raises(ValueError, match="found through a dependent"):
        EventRuleAnnotator(nlp)
    monkeypatch.setattr(lex, "RULES", (lex.rule("AID", "send", lex.prep("to"), keyed=True),))
    with pytest.raises(ValueError, match="found through a dependent"):
        EventRuleAnnotator(nlp)


def test_keyed_rules_match_as_head_rules_do(nlp, monkeypatch):
    """A rule found through its dependent finds what the same rule found through its heads finds, also
    in a reduced relative, and nothing under another head."""
    from toolkit.preannotate import events_lexicon as lex

    texts = [
        "The union made new demands on Monday.",
        "The newspaper published the demands made by the union.",
        "The union discussed its demands.",
    ]
    found = {}
    for keyed in (False, True):
        monkeypatch.setattr(lex, "RULES", (lex.rule("REQUEST", "make", lex.obj("demand"), keyed=keyed),))
        annotator = EventRuleAnnotator(nlp, source="rule:test")
        found[keyed] = [[(e.label, e.trigger.text) for e in annotator(doc)] for doc in nlp.pipe(texts)]
    assert found[True] == found[False]
    assert found[True][0] == [("REQUEST", "made")]
    assert [label for label, _ in found[True][1]] == ["REQUEST"]
    assert ("REQUEST", "discussed") not in found[True][2]


def test_seed_sentences(nlp, annotator, seed_path):
    found: dict[str, set[str]] = {}
    text = seed_path.read_text(encoding="utf-8")
    for paragraph in text.split("\n"):
        doc = nlp(paragraph)
        for event in annotator(doc):
            assert paragraph[event.trigger.start : event.trigger.end] == event.trigger.text
            found.setdefault(event.label, set()).add(event.trigger.text)
    assert "bombarded" in found["ASSAULT"]
    assert "no concessions" in found["REJECT"]
    assert "peace talks" in found["AGREE"]  # "will resume their peace talks"
    assert "deployed" in found["MOBILIZE"]
    assert {"sanctions", "penalties"} <= found["SANCTION"]
    assert "urged" in found["REQUEST"]
    assert "praised" in found["SUPPORT"]


def _gold(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("name", "floor"),
    [
        ("events_eval.jsonl", 0.9),
        ("events_eval_b.jsonl", 0.85),
        ("events_eval_c.jsonl", 0.9),  # written before the rules were tuned on it (first run: micro F1 0.83)
        ("events_eval_d.jsonl", 0.8),  # held out from tuning (first run after tuning: 0.87)
    ],
)
def test_eval_sets_keep_their_scores(nlp, annotator, name, floor):
    records = _gold(DATA / name)
    assert len(records) >= 75
    gold = [{e["label"] for e in r["events"]} for r in records]
    predicted = [{e.label for e in annotator(doc)} for doc in nlp.pipe(r["text"] for r in records)]
    scores = score_event_labels(gold, predicted)
    assert scores["micro"]["f1"] >= floor
    assert scores["macro_f1"] >= floor


def test_eval_sets_have_many_negatives():
    records = _gold(DATA / "events_eval.jsonl") + _gold(DATA / "events_eval_b.jsonl")
    assert len(records) >= 200
    assert sum(1 for r in records if not r["events"]) >= 50
    assert {e["label"] for r in records for e in r["events"]} == set(PLOVER_TYPES)


def test_score_event_labels():
    scores = score_event_labels(
        [{"ASSAULT"}, {"ASSAULT", "ACCUSE"}, set(), {"AID"}],
        [{"ASSAULT"}, {"ASSAULT"}, {"AID"}, set()],
    )
    assert scores["records"] == 4
    assert scores["micro"] == {"precision": 0.6667, "recall": 0.5, "f1": 0.5714}
    assert scores["per_label"]["ASSAULT"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 2}
    assert scores["per_label"]["ACCUSE"]["recall"] == 0.0
    # Macro F1 over the types present in gold: ASSAULT 1.0, ACCUSE 0.0, AID 0.0.
    assert scores["macro_f1"] == pytest.approx(0.3333, abs=1e-4)
    with pytest.raises(ValueError):
        score_event_labels([{"AID"}], [])
