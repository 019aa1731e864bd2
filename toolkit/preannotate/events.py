"""PLOVER event pre-annotation: lexicon and dependency rules over spaCy parses, or a trained text classifier.

The rules find candidate acts (a trigger word, a phrase, or a verb with the argument that settles its sense),
then read the syntax above each one the way PLOVER codes modality: a negated act is no event (a refused
cooperative one is REJECT), an offer or promise of a cooperative act is AGREE, a threat of anything is
THREATEN, a request is REQUEST, an alleged, denied or hypothetical act is not asserted, and stopping a hostile
act is RETREAT or CONCEDE. Each sentence gets at most one event per type, with its best trigger.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import ModelNotFoundError, UsageError
from toolkit.labels import PLOVER_TYPES
from toolkit.preannotate import events_lexicon as lex
from toolkit.record import Event, Role

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

# What the rules read: lemmas and a dependency parse (sentences come with the parse).
EVENT_COMPONENTS: tuple[str, ...] = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "parser")
RULE_SOURCE = "rule:plover-events"
TEXTCAT = "textcat_multilabel"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _hash(text: str) -> int:
    from spacy.strings import get_string_id

    return get_string_id(text)


COOPERATIVE = frozenset(PLOVER_TYPES[:7])
_VERBAL_CONFLICT = frozenset({"REQUEST", "ACCUSE", "REJECT", "THREATEN"})
_HOSTILE_ACTS = frozenset({"ASSAULT", "MOBILIZE", "COERCE", "SANCTION", lex.HARM})
# Acts that stay what they are when only possible: an allegation ("may have committed war crimes") and harm
# threatened ("could face consequences").
_UNHEDGED = frozenset({"ACCUSE", "THREATEN", lex.HARM})
_ORDER = {label: index for index, label in enumerate(PLOVER_TYPES)}

_FUTURE = frozenset({"will", "would", "shall", "'ll"})
_MODAL = _FUTURE | {"can", "could"}
# "may", "might" and "could" report a possibility, "should" a recommendation, not an act ("the army could
# resume its offensive", "the two leaders should meet").
_HEDGES = frozenset({"may", "might", "could", "should"})
_CONDITIONS = frozenset({"if", "unless", "whether"})
_MARK = _hash("mark")
_ARRAY_ATTRS: list[int | str] = ["LEMMA", "DEP", "LOWER"]
_CONDITION_KEYS = frozenset(_hash(word) for word in (*_CONDITIONS, "until"))
# Cooperative acts that, announced for the future, are a commitment to cooperate (AGREE); a withdrawal
# announced for the future is a concession in words (CONCEDE).
_COMMITTED = frozenset({"CONSULT", "SUPPORT", "COOPERATE", "AID", "RETREAT"})
_WITHDRAWING = _words("withdraw withdrawal pull retreat cede")
# Readiness to do something hostile is a threat; agreeing to it ("agreed new sanctions") is a decision.
_READY = _words("ready willing prepared readiness willingness")
# Prepositions that set a noun in the background of the sentence's news, as its cause, time or setting:
# "amid unrest", "after talks", "over the arrests", "pending an investigation", "protect them from attack".
_BACKGROUND_PREPS = _words("amid amidst following after since despite over from pending before")
# The head word of a multi-word preposition of the same kind: "in the wake of", "due to", "in response to".
_BACKGROUND_PHRASES = _words("wake aftermath because due response retaliation result ahead spite")
# Modifiers of an act that is not (yet) a fact: "a possible deployment", "an imminent attack".
_UNREAL = _words("possible potential planned proposed future upcoming imminent threatened would-be expected")
# Verbs whose negated subject did not happen: "talks have not taken place".
_DURATIONS = _words("year month decade")  # a long war is the setting; "after 18 hours of talks" is news
_HAPPEN = _words(
    "take happen occur begin start resume materialize materialise go continue reach arrive flow get"
)
# Climbing from an act to the words that govern it: argument relations only, so that an adjunct
# ("after the talks", "during the war") never puts an act under an unrelated cue word.
_CLIMB = _words(
    "dobj pobj prep pcomp xcomp ccomp conj nsubj nsubjpass attr acomp acl appos oprd dative compound"
)
# Relations through which a negated verb negates the act below it ("would not take part in talks"); not a
# subject: "the attack did not kill anyone" still reports an attack.
_NEGATES = frozenset({"dobj", "prep", "xcomp", "attr", "nsubjpass"})
_ARGUMENT_PREPS = _words("of to for on upon against with about over from into toward towards regarding")
# "in" is mostly a place or a time; it introduces an argument only after these ("take part in talks").
_IN_ARGUMENT = _words(
    "part take participate engage join involve interest succeed dollar euro pound million billion "
    "pause lull halt reduction"  # "a pause in fighting"
)
_INTO_CUE = frozenset({"xcomp", "ccomp", "dobj", "nsubjpass", "attr", "oprd", "acl", "relcl", "prep"})
_CUE_PREPS: dict[str, frozenset[str]] = {
    lex.PROMISE: frozenset({"to", "on", "of", "for", "upon"}),
    lex.OATH: frozenset({"to", "of"}),
    lex.THREAT: frozenset({"of", "to", "against", "with"}),
    lex.WARN: frozenset({"of", "against", "about"}),
    lex.ASK: frozenset({"for", "of", "on", "upon", "to"}),
    lex.REFUSE: frozenset({"of", "to"}),
    lex.DROP: frozenset({"of", "for", "with", "about", "on", "over", "against", "from"}),
    lex.LEGAL: frozenset({"of", "for", "over", "on", "into"}),
    lex.STOP: frozenset({"of", "to", "on", "in"}),
    lex.PREPARE: frozenset({"for"}),
    lex.INTEND: frozenset({"of"}),
    lex.ALLOW: frozenset(),
    lex.CONSIDER: frozenset({"of", "for"}),
}
_MAX_HOPS = 8
_UPOS = frozenset({"NOUN", "VERB", "ADJ", "ADV", "PROPN", "AUX"})


_PROTESTERS = _words(lex.PROTESTERS)
_PROTEST_PEOPLE = _words(lex.PROTEST_PEOPLE)
_RIOTERS = _PROTEST_PEOPLE | _words("crowd mob")  # violence by them is a riot (PROTEST); by workers it is not
# Who protests in the street rather than by diplomatic note ("residents protested the closure").
_CROWDS = _PROTESTERS | _words(
    lex.LABOUR + " people thousand hundred dozen resident farmer family villager citizen opposition group"
)
_AGENT_NOUNS = _words(lex.AGENT_NOUNS)
_REASON_NOUNS = _words(lex.REASON_NOUNS)
_PROTEST_VERBS = _words("rally march protest demonstrate strike gather riot boycott")
# A protest lodged by a government is a complaint (ACCUSE): "summoned the ambassador to protest".
_DIPLOMATIC_PROTEST = _words("summon recall call lodge issue send write expel")
_NATURAL = _words(lex.NATURAL)
_INVESTIGATING = _words("investigate investigation probe inquiry enquiry")
_FORCES = _words(lex.TROOPS + " " + lex.POLICE)
_LABOUR = _words(lex.LABOUR)
_MILITARY_STRIKE = _words(lex.MILITARY_STRIKE)
_LABOUR_STRIKE = _words(
    "general hunger labour labor national nationwide wildcat rail teacher worker one-day 24-hour 48-hour"
)


@dataclass(frozen=True)
class _Act:
    """A candidate event before its context is read."""

    label: str | None
    anchor: int  # the token whose negation, modality and governors decide the act
    start: int  # trigger tokens [start, end)
    end: int
    covers: frozenset[int]
    priority: int
    weak: bool = False


@dataclass(frozen=True)
class _Found:
    """An act that survived its context, with the trigger that names it."""

    label: str
    start: int
    end: int
    priority: int
    anchor: int
    moved_to: int | None  # the cue word that now names the event ("promised"), if one changed it


# Lower-cased lemmas by hash: the rules ask for a token's lemma many times, and the hash of a string is the
# same in every vocabulary, so the cache is bounded by the lemmas met and never wrong.
_LOWER_LEMMAS: dict[int, str] = {}


def _lemma(token: Token) -> str:
    key = token.lemma
    lower = _LOWER_LEMMAS.get(key)
    if lower is None:
        lower = _LOWER_LEMMAS[key] = token.lemma_.lower()
    return lower


def _spellings(word: str) -> frozenset[int]:
    """Hashes of the lemmas spelling ``word``: as written, or capitalised ("Police" can be its own lemma)."""
    from spacy.strings import get_string_id

    return frozenset(get_string_id(form) for form in (word, word.capitalize()))


# Proper nouns are names ("Ban Ki-moon", "March"), not acts: an unrestricted word must be one of these.
_ACT_POS = frozenset({"NOUN", "VERB", "ADJ"})


@dataclass(frozen=True)
class _Word:
    """A one-word trigger of the lexicon, with the POS or TAG it needs ("" for any of ``_ACT_POS``)."""

    label: str
    weak: bool
    restriction: str

    def fits(self, token: Token) -> bool:
        if not self.restriction:
            return token.pos_ in _ACT_POS
        if self.restriction in _UPOS:
            return token.pos_ == self.restriction
        return token.tag_ == self.restriction


@dataclass(frozen=True)
class _Phrase:
    """A multi-word trigger: per word, the lemma hashes that spell it and whether it may be left out."""

    label: str | None
    priority: int
    words: tuple[tuple[frozenset[int], bool], ...]

    @classmethod
    def of(cls, label: str | None, text: str, priority: int) -> _Phrase:
        words = tuple((_spellings(word.rstrip("?")), word.endswith("?")) for word in text.split())
        if words[0][1]:
            # The index finds a phrase by its first word, so that word must be there.
            raise ValueError(f"events lexicon: phrase {text!r} starts with an optional word")
        return cls(label, priority, words)

    def ends(self, lemmas: list[int], start: int) -> set[int]:
        """Where the phrase ends if it starts at ``start``: one end per way through its optional words."""
        spellings, optional = self.words[1] if len(self.words) > 1 else (None, True)
        if (
            not optional
            and spellings is not None
            and (start + 1 >= len(lemmas) or lemmas[start + 1] not in spellings)
        ):
            return set()  # most phrases fail at their second word ("in" starts many)
        reached = {start}
        for spellings, optional in self.words:
            moved = {i + 1 for i in reached if i < len(lemmas) and lemmas[i] in spellings}
            reached = reached | moved if optional else moved
            if not reached:
                break
        return reached


_LINK_DEPS: dict[str, frozenset[str]] = {
    "obj": frozenset({"dobj", "nsubjpass", "attr", "dative"}),
    "subj": frozenset({"nsubj"}),
    "prep": frozenset({"prep", "agent", "prt"}),
    "prt": frozenset({"prt", "prep", "advmod"}),
    "mod": frozenset({"amod", "compound", "advmod", "npadvmod", "nmod", "acomp", "oprd"}),
    "comp": frozenset({"ccomp", "xcomp", "oprd", "acomp"}),
    "poss": frozenset({"poss"}),
    "xcomp": frozenset({"xcomp"}),
    "ifcomp": frozenset({"ccomp"}),
}
# Particles a preposition may hang from: "walked out of the talks", "walked away from the deal".
_PARTICLES = _words("out away back off")
_QUANTITIES = _words(lex.QUANTITIES)


@dataclass(frozen=True)
class _Link:
    """A rule's dependent, ready to test: relation, accepted (or ``excluded``) words, prepositions."""

    rel: str
    words: frozenset[str] | None
    excluded: bool = False
    preps: frozenset[str] = frozenset()

    @classmethod
    def of(cls, link: lex.Link) -> _Link:
        excluded = link.lemmas.startswith("!")  # "!monday tuesday": any word but these
        words = frozenset(link.lemmas.lstrip("!").split()) or None
        return cls(link.rel, words, excluded, frozenset(link.prep.split()))

    def accepts(self, token: Token) -> bool:
        if self.words is None:
            return True
        return (_lemma(token) in self.words) != self.excluded

    def find(self, head: Token) -> list[int] | None:
        """Token ids of this dependent under ``head`` (its key word first), or None."""
        if self.rel == "desc":
            return next(([t.i] for t in head.subtree if t.i != head.i and self.accepts(t)), None)
        for child in head.children:
            if child.dep_ not in _LINK_DEPS[self.rel]:
                continue
            if self.rel == "prt":
                if self.words is not None and child.lower_ in self.words:
                    return [child.i]
            elif self.rel == "prep":
                found = self._prep_object(child)
                if found is None and child.lower_ in _PARTICLES:
                    found = next(
                        (f for g in child.children if g.dep_ == "prep" and (f := self._prep_object(g))), None
                    )
                if found is not None:
                    return found
            elif self.rel == "ifcomp":
                if _conditional_threat(child):  # "warned they would be fired if ..."
                    return [child.i]
            elif self.accepts(child):
                return [child.i]
            elif self.rel in ("obj", "subj") and self.words and _lemma(child) in _QUANTITIES:
                found = self._quantity_of(child)
                if found is not None:
                    return found
        return None

    def _prep_object(self, prep: Token) -> list[int] | None:
        if prep.lower_ not in self.preps:
            return None
        if self.words is None:
            return [prep.i]
        return next(
            ([prep.i, o.i] for o in prep.children if o.dep_ in ("pobj", "pcomp") and self.accepts(o)), None
        )

    def _quantity_of(self, quantity: Token) -> list[int] | None:
        """ "released dozens of prisoners": the word that settles the sense is under a quantity."""
        for of in quantity.children:
            if of.dep_ == "prep" and of.lower_ == "of":
                for word in of.children:
                    if word.dep_ == "pobj" and self.accepts(word):
                        return [word.i, quantity.i, of.i]
        return None


@dataclass(frozen=True)
class _Compiled:
    """A rule ready to try: its links, and for a rule found through a dependent the head lemmas it allows."""

    rule: lex.Rule
    links: tuple[_Link, ...]
    heads: frozenset[str]


# Relations whose dependent is accepted by its own lemma, so that lemma can stand for the rule in the index.
_KEYED_RELS = frozenset({"mod", "comp", "poss", "xcomp", "obj", "subj", "prt"})


def _key_words(rule: lex.Rule, links: tuple[_Link, ...]) -> list[str]:
    """For a rule with no head words, or one whose heads are common words ("be", "make"): the lemmas of a
    dependent that finds the rule's heads in the index."""
    rels = _KEYED_RELS if rule.keyed else _KEYED_RELS - {"obj", "subj", "prt"}
    key = next((k for k in links if k.rel in rels and k.words and not k.excluded), None)
    if key is None or key.words is None:
        raise ValueError(
            f"events lexicon: a rule for {rule.label} found through a dependent needs a mod, comp, poss or "
            "xcomp dependent (or, with keyed=True, also obj, subj or prt) with a word list"
        )
    return sorted(key.words)


def _rule_match(rule: lex.Rule, links: tuple[_Link, ...], token: Token) -> list[list[int]] | None:
    """The ids ``_rule_act`` reads (the head, then each dependent's) if ``rule`` holds at ``token``."""
    if rule.pos and token.pos_ != rule.pos:
        return None
    found = []
    for link in links:
        ids = link.find(token)
        if ids is None:
            break
        found.append(ids)
    else:
        return [[token.i], *found]
    first = links[0]
    reduced = first.rel == "obj" and first.words and token.dep_ == "acl" and first.accepts(token.head)
    if len(links) == 1 and reduced:
        # A reduced relative: "the deal brokered by Qatar", "sanctions imposed on Iran".
        return [[token.i], [token.head.i]]
    return None


@dataclass(frozen=True)
class _Entry:
    """What a lemma can start: one-word triggers, phrases, rules it heads, head-less rules it keys."""

    words: tuple[_Word, ...]
    phrases: tuple[_Phrase, ...]
    rules: tuple[_Compiled, ...]
    keyed: tuple[_Compiled, ...]


class _TriggerIndex:
    """The lexicon's triggers keyed by lemma: one pass over a Doc's lemma hashes finds the tokens to read.

    A spaCy Matcher with the lexicon tried each word list on every token (a Python set test per pattern and
    token, most of the events time). Here a token costs one dict lookup, and only the few tokens whose lemma
    can start a trigger are read further. Words and phrases match the lemma as spelled or capitalised, as
    the Matcher's LEMMA did; rules match the lower-cased lemma.
    """

    def __init__(self) -> None:
        self._words: dict[int, list[_Word]] = {}
        for weak, table in ((False, lex.LEXICON), (True, lex.WEAK)):
            for label, spec in table:
                for item in spec.split():
                    lemma, _, restriction = item.partition("/")
                    for key in _spellings(lemma):
                        self._words.setdefault(key, []).append(_Word(label, weak, restriction))
        self._phrases: dict[int, list[_Phrase]] = {}
        for phrase_label, text, priority in lex.PHRASES:
            phrase = _Phrase.of(phrase_label, text, priority)
            for key in phrase.words[0][0]:
                self._phrases.setdefault(key, []).append(phrase)
        self._by_head: dict[str, list[_Compiled]] = {}
        self._by_key: dict[str, list[_Compiled]] = {}
        for rule in lex.RULES:
            links = tuple(_Link.of(link) for link in rule.links)
            compiled = _Compiled(rule, links, frozenset(rule.heads.split()) if rule.keyed else frozenset())
            if rule.heads and not rule.keyed:
                for head in rule.heads.split():
                    self._by_head.setdefault(head, []).append(compiled)
            else:
                for word in _key_words(rule, links):
                    self._by_key.setdefault(word, []).append(compiled)
        # Filled as lemmas are met: at most one small entry per distinct lemma, None for most.
        self._entries: dict[int, _Entry | None] = {}

    def acts(self, doc: Doc, lemmas: list[int]) -> Iterator[_Act]:
        """Every candidate act in ``doc``: single words, phrases and verb-argument rules."""
        entries = self._entries
        for i, key in enumerate(lemmas):
            if key not in entries:
                self._learn(key, doc)
            entry = entries[key]
            if entry is not None:
                yield from self._acts_at(doc, lemmas, i, entry)

    def _learn(self, key: int, doc: Doc) -> None:
        lower = doc.vocab.strings[key].lower()
        entry = _Entry(
            tuple(self._words.get(key, ())),
            tuple(self._phrases.get(key, ())),
            tuple(self._by_head.get(lower, ())),
            tuple(self._by_key.get(lower, ())),
        )
        self._entries[key] = entry if entry.words or entry.phrases or entry.rules or entry.keyed else None

    def _acts_at(self, doc: Doc, lemmas: list[int], i: int, entry: _Entry) -> Iterator[_Act]:
        token = doc[i]
        words = [word for word in entry.words if word.fits(token)]
        if words and not _describes(token):
            for word in words:
                label = _strike_label(token) if word.label == lex.STRIKE else word.label
                yield _Act(label, i, i, i + 1, frozenset({i}), 1, word.weak)
        for phrase in entry.phrases:
            for end in sorted(phrase.ends(lemmas, i)):
                yield _Act(phrase.label, doc[i:end].root.i, i, end, frozenset(range(i, end)), phrase.priority)
        for compiled in entry.rules:
            ids = _rule_match(compiled.rule, compiled.links, token)
            if ids is not None:
                yield _rule_act(compiled.rule, ids)
        relatives: list[Token] | None = None
        for compiled in entry.keyed:
            # The key word is a dependent: the rule is tried at its head, and (for a rule with heads) at a
            # reduced relative it heads ("demands made by the union").
            heads = [token.head]
            if compiled.heads:
                if relatives is None:
                    relatives = [c for c in token.children if c.dep_ == "acl"]
                heads = [h for h in (token.head, *relatives) if _lemma(h) in compiled.heads]
            for head in heads:
                ids = _rule_match(compiled.rule, compiled.links, head)
                if ids is not None:
                    yield _rule_act(compiled.rule, ids)


class EventRuleAnnotator:
    """PLOVER events from a lexicon and dependency rules; needs a Doc with lemmas and a parse."""

    def __init__(self, nlp: Language, *, source: str = RULE_SOURCE) -> None:
        # ``nlp`` is the pipeline whose Docs this reads; the index works on lemma hashes, not on ``nlp``.
        self.source = source
        self._index = _TriggerIndex()

    def __call__(self, doc: Doc) -> list[Event]:
        if len(doc) == 0:
            return []
        if not (doc.has_annotation("DEP") and doc.has_annotation("LEMMA")):
            raise UsageError(
                "PLOVER event rules need lemmas and a dependency parse",
                hint=f"run a pipeline with {', '.join(EVENT_COMPONENTS)}",
            )
        # One array read per Doc: lemmas for the index, relations and words for the conditional clauses.
        arrays = doc.to_array(_ARRAY_ATTRS)
        acts = _most_specific(self._index.acts(doc, arrays[:, 0].tolist()))
        if not acts:
            return []
        conditional = _conditional_tokens(doc, arrays)
        found = [f for f in (_resolve(act, doc, conditional) for act in acts) if f is not None]
        found = _drop_replaced_cues(found)
        events: list[tuple[int, int, Event]] = []
        for sentence_found in _by_sentence(found, doc).values():
            for f in _best_per_label(sentence_found):
                events.append((f.start, _ORDER[f.label], self._event(f, doc)))
        return [event for _, _, event in sorted(events, key=lambda item: (item[0], item[1]))]

    def _event(self, found: _Found, doc: Doc) -> Event:
        # The trigger's own text: Doc.text would join every token of the Doc for each event.
        trigger = doc[found.start : found.end]
        return Event(
            label=found.label,
            trigger=Role(start=trigger.start_char, end=trigger.end_char, text=trigger.text),
            source=self.source,
        )


def _describes(token: Token) -> bool:
    """A word that describes a state or a person rather than reporting an act."""
    if token.dep_ == "amod":
        return True  # "a besieged city", "detained activists"
    if _lemma(token) in _PROTEST_PEOPLE:
        return not _protesting(token)
    return (
        token.dep_ == "compound" and _lemma(token.head) in _AGENT_NOUNS
    )  # "rescue workers", "protest leaders"


def _protesting(people: Token) -> bool:
    """Do the protesters act in the sentence ("protesters blocked the road", "thousands of demonstrators
    demanding ...", "a march by protesters")? Police detaining protesters is COERCE, not also PROTEST."""
    if any(c.dep_ in ("acl", "relcl") for c in people.children):
        return True
    head = people.head
    if people.dep_ == "pobj" and head.lower_ == "of" and head.head.i != head.i:
        quantity = head.head  # "thousands of protesters"
        if quantity.like_num or _lemma(quantity) in _QUANTITIES:
            people = quantity
    if people.dep_ == "pobj" and people.head.lower_ == "by":
        return True
    while people.dep_ == "conj" and people.head.i != people.i:
        people = people.head  # "police and protesters clashed"
    return people.dep_ in ("nsubj", "ROOT")


def _rule_act(rule: lex.Rule, token_ids: list[list[int]]) -> _Act:
    """The act a matched rule names; ``token_ids``: the head, then each dependent's ids (key word first)."""
    head = token_ids[0][0]
    if rule.trigger == "dep":
        start, end = token_ids[1][0], token_ids[1][0] + 1
    else:
        start, end = head, head + 1
        particles = [ids[0] for link, ids in zip(rule.links, token_ids[1:], strict=True) if link.rel == "prt"]
        if particles and particles[0] == head + 1:
            end = head + 2  # "step down", "crack down"
    every = frozenset(i for ids in token_ids for i in ids)
    covers = every if rule.consumes else frozenset(range(start, end))
    return _Act(rule.label, head, start, end, covers, rule.priority)


def _most_specific(acts: Iterable[_Act]) -> list[_Act]:
    """One reading per word: a verb-argument rule or a phrase outranks the bare word it contains."""
    # Duplicates go in the order the acts were found (token by token, then lexicon order), and the sort is
    # stable: ties never depend on a set's order, which varies with string hashing from process to process.
    ranked = sorted(
        dict.fromkeys(acts),
        key=lambda a: (-a.priority, -len(a.covers), a.start, a.anchor, -a.end, str(a.label)),
    )
    covered: set[int] = set()
    kept: list[_Act] = []
    for act in ranked:
        if act.anchor in covered or any(i in covered for i in range(act.start, act.end)):
            continue
        covered |= act.covers
        if act.label is not None:
            kept.append(act)
    return kept


def _strike_label(token: Token) -> str:
    """An air strike is ASSAULT, a labour strike PROTEST; the words around settle which."""
    modifiers = {_lemma(c) for c in token.children if c.dep_ in ("amod", "compound", "nmod", "npadvmod")}
    if modifiers & _MILITARY_STRIKE:
        return "ASSAULT"
    if modifiers & _LABOUR_STRIKE or (token.dep_ == "pobj" and token.head.lower_ == "on"):
        return "PROTEST"
    subject = _subject(token)
    agents = [o for c in token.children if c.lower_ == "by" for o in c.children if o.dep_ == "pobj"]
    for who in (subject, *agents):  # "workers went on strike", "a strike by activists"
        if who is not None and (_lemma(who) in _LABOUR or _lemma(who) in _PROTESTERS):
            return "PROTEST"
    if any(_lemma(t) in _LABOUR for t in token.sent):
        return "PROTEST"
    return "ASSAULT"


def _subject(token: Token) -> Token | None:
    """The subject of the clause a verb heads, following conjuncts ("stormed ... and clashed")."""
    current = token
    for _ in range(4):
        for child in current.children:
            if child.dep_ == "nsubj":
                return child
        if current.dep_ == "acl":
            return current.head  # "protesters demanding ..."
        if current.dep_ not in ("conj", "xcomp", "advcl") or current.head.i == current.i:
            return None
        current = current.head
    return None


def _clause_verb(token: Token) -> Token:
    current = token
    # The root is its own head. Tokens are compared by index: spaCy makes a new Token object on each access.
    while current.pos_ not in ("VERB", "AUX") and current.head.i != current.i:
        current = current.head
    return current


def _has_aux(token: Token, lemmas: frozenset[str]) -> bool:
    return any(c.dep_ in ("aux", "auxpass") and _lemma(c) in lemmas for c in token.children)


def _infinitive(verb: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _future(token: Token) -> bool:
    """Is the act's clause in the future or conditional ("will", "would", "would be forced to take"), also as
    the purpose of a verb that is ("will meet to discuss")?"""
    current = _clause_verb(token)
    for _ in range(3):
        if _has_aux(current, _FUTURE):
            return True
        purpose = current.dep_ == "advcl" and _infinitive(current)
        if not (current.dep_ in ("xcomp", "conj") or purpose) or current.head.i == current.i:
            return False
        current = current.head
    return False


def _modal(token: Token) -> bool:
    return _has_aux(_clause_verb(token), _MODAL) or _future(token)


def _negation(token: Token) -> str | None:
    """How an act is negated: "no" (det), "never", "plain" (not, without), "none" (it did not happen at
    all: "no agreement was reached", "talks have not taken place"), or None."""
    for child in token.children:
        if child.dep_ == "neg":
            return "never" if child.lower_ == "never" else "plain"
        if child.dep_ == "det" and child.lower_ == "no":
            return "none" if token.dep_ in ("nsubj", "nsubjpass") else "no"
        if child.dep_ == "nsubjpass" and any(d.dep_ == "det" and d.lower_ == "no" for d in child.children):
            return "none"
    if token.dep_ == "pobj" and token.head.lower_ == "without":
        return "plain"
    if (
        token.dep_ == "nsubj"
        and _lemma(token.head) in _HAPPEN
        and any(c.dep_ == "neg" for c in token.head.children)
    ):
        return "none"
    if (
        token.pos_ in ("NOUN", "PROPN")
        and token.dep_ in ("dobj", "nsubjpass", "attr")
        and _lemma(token.head) not in lex.CUES
    ):
        # "did not impose sanctions": the light verb carries the negation.
        for child in token.head.children:
            if child.dep_ == "neg":
                return "never" if child.lower_ == "never" else "plain"
    return None


def _after_negation(label: str, token: Token) -> str | None:
    """A negated act is no event; refusing a cooperative act ("would make no concessions") is REJECT."""
    negation = _negation(token)
    if negation is None:
        return label
    if negation == "none":
        return None
    if label in COOPERATIVE and (negation in ("no", "never") or _modal(token)):
        return "REJECT"
    return None


def _conditional_tokens(doc: Doc, arrays: Any) -> frozenset[int]:
    """Tokens inside an if/unless/whether clause, or an "until" clause in the present ("until its conditions
    are met"): hypothetical acts. Found once per Doc from its arrays (``_ARRAY_ATTRS``); clauses are rare."""
    inside: set[int] = set()
    for i in (arrays[:, 1] == _MARK).nonzero()[0].tolist():
        if arrays[i, 2] not in _CONDITION_KEYS:
            continue
        clause = doc[i].head
        if doc[i].lower_ == "until" and not any(t.tag_ in ("VBP", "VBZ") for t in (clause, *clause.children)):
            continue
        inside.update(range(clause.left_edge.i, clause.right_edge.i + 1))
    return frozenset(inside)


def _background(token: Token) -> bool:
    """Is the act mentioned as the setting of the sentence's news rather than as news itself?

    A noun under a preposition of cause or time ("amid unrest", "after talks", "over the arrests", "in the
    wake of the attacks"), the target of another act ("a campaign against corruption"), an act not yet real
    ("a possible deployment", "any talks"), a clause introduced by "since" ("since the curfew was lifted"),
    or a relative clause set off by commas, which describes ("Russia, which invaded Ukraine in 2022, says"),
    or acts spoken of in general ("attacks on civilians are illegal").
    """
    nominal = token.head if token.dep_ == "acl" else token  # "a deal brokered by Qatar"
    while nominal.dep_ == "conj" and nominal.head.i != nominal.i:
        nominal = nominal.head
    of = nominal.head
    if nominal.dep_ == "pobj" and of.lower_ == "of" and _lemma(of.head) in _DURATIONS:
        nominal = of.head  # "after two years of fighting"
    clause = _clause_verb(nominal)
    if clause.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "since" for c in clause.children):
        return True
    if clause.dep_ == "relcl" and clause.left_edge.i > 0 and clause.doc[clause.left_edge.i - 1].text == ",":
        return True  # "Russia, which invaded Ukraine in 2022, says ...": a description set off by commas
    if nominal.pos_ not in ("NOUN", "PROPN"):
        return False
    if _generic(nominal):
        return True
    for child in nominal.children:
        if child.dep_ == "amod" and _lemma(child) in _UNREAL:
            return True
        if (
            child.dep_ == "det"
            and child.lower_ == "any"
            and not any(c.dep_ == "neg" for c in clause.children)
        ):
            return True  # "any talks" (but "would not take part in any talks" is a refusal)
    if nominal.dep_ != "pobj":
        return False
    prep = nominal.head
    if prep.lower_ in _BACKGROUND_PREPS or (prep.lower_ == "against" and prep.head.pos_ == "NOUN"):
        return True
    return prep.lower_ in ("of", "to", "for") and prep.head.lower_ in _BACKGROUND_PHRASES


def _generic(nominal: Token) -> bool:
    """A bare plural said in the present to be something ("indiscriminate attacks are prohibited", "attacks
    on civilians are illegal") speaks of acts in general, not of one that happened ("talks are under way")."""
    if nominal.tag_ != "NNS" or nominal.dep_ not in ("nsubj", "nsubjpass"):
        return False
    if any(c.dep_ in ("det", "poss", "nummod") for c in nominal.children):
        return False
    verb = nominal.head
    if nominal.dep_ == "nsubjpass":
        return any(c.dep_ == "auxpass" and c.tag_ in ("VBP", "VBZ") for c in verb.children)
    return (
        verb.tag_ in ("VBP", "VBZ")
        and _lemma(verb) == "be"
        and any(c.dep_ in ("acomp", "attr") for c in verb.children)
    )


def _hedged(token: Token) -> bool:
    """Is the act only possible ("could resume", "may have moved")?"""
    return _has_aux(_clause_verb(token), _HEDGES)


def _unreal(verb: Token, *, hedges: bool) -> bool:
    """ "would have restricted" (did not happen), and with ``hedges`` "could resume" (only possible)."""
    auxiliaries = {_lemma(c) for c in verb.children if c.dep_ == "aux"}
    if "have" in auxiliaries and auxiliaries & {"would", "could", "might", "should"}:
        return True
    return hedges and bool(auxiliaries & _HEDGES)


def _conditional_threat(token: Token) -> bool:
    """ "would impose sanctions if ...": a hostile act promised on a condition is a threat."""
    verb = _clause_verb(token)
    if not _future(verb):
        return False
    return any(
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children)
        for c in verb.children
    )


def _argument_prep(prep: Token, head: Token) -> bool:
    """Does this preposition bring the act in as its head's argument, not as a place, time or reason?"""
    if prep.lower_ == "in":
        return _lemma(head) in _IN_ARGUMENT
    if prep.lower_ in ("for", "over") and head.pos_ == "NOUN" and _lemma(head) in _REASON_NOUNS:
        return False  # "revenge for the killing", "sanctions over the invasion"
    return prep.lower_ in _ARGUMENT_PREPS


def _climbs(child: Token) -> bool:
    """May the search for governing cue words go on from ``child`` to its head?"""
    if child.dep_ in ("relcl", "advcl"):
        # An infinitival relative is the noun's complement: "the importance of democracies to work together";
        # an infinitival adverbial clause is the purpose of its verb: "agreed to meet to discuss a truce".
        return _infinitive(child)
    return child.dep_ in _CLIMB


def _cue_kind(head: Token, via: Token) -> str | None:
    """The cue a governing word is, seen from the dependent ``via`` it was reached through, or None."""
    lemma = _lemma(head)
    kind = lex.CUES.get(lemma)
    if kind is None or via.dep_ not in _INTO_CUE or head.pos_ not in ("VERB", "NOUN", "ADJ", "AUX"):
        return None
    if via.dep_ == "prep" and via.lower_ not in _CUE_PREPS[kind]:
        return None
    particles = {c.lower_ for c in head.children if c.dep_ == "prt"}
    if lemma == "call":
        if "off" in particles:
            return lex.STOP
        if "out" in particles:
            return lex.DROP
        asking = via.dep_ == "xcomp" or (via.dep_ == "prep" and via.lower_ in ("for", "on", "upon"))
        if asking and head.pos_ != "VERB":
            return lex.DROP  # "ignored calls for an inquiry": someone else's call, not made here
        return lex.ASK if asking else None
    if lemma == "report" and head.pos_ != "NOUN":
        return None  # "reports of a prisoner swap" are unconfirmed; "the army reported killing ..." is not
    if lemma in ("scale", "wind") and not particles & {"back", "down"}:
        return None
    if (lemma == "turn" and "down" not in particles) or (lemma == "rule" and "out" not in particles):
        return None
    if lemma in ("seek", "order") and via.dep_ not in (("dobj", "prep") if lemma == "seek" else ("xcomp",)):
        return None  # "sought to capture" is an attempt, "ordered an inquiry" keeps the inquiry
    if lemma == "order" and _orders_own_forces(head):
        return None  # "ordered troops to withdraw": the act is the orderer's own, through its forces
    if kind == lex.LEGAL and via.dep_ != "prep" and lemma not in _INVESTIGATING:
        return None  # "arrested protesters blocking the road": the blockade still happened
    if kind == lex.INTEND and not (
        via.dep_ in ("xcomp", "acl") or (via.dep_ == "prep" and via.lower_ == "of")
    ):
        return None  # "plans to visit", "no intention of resigning", not "the plan for talks" or "set up"
    if kind in (lex.PROMISE, lex.OATH, lex.INTEND) and any(
        c.dep_ == "det" and c.lower_ == "no" for c in head.children
    ):
        return lex.DROP  # "had no plans to impose a curfew"
    if kind == lex.STOP and head.pos_ == "NOUN" and via.dep_ != "prep":
        return None
    return kind


def _orders_own_forces(order: Token) -> bool:
    """ "ordered (its) troops to ...", not "ordered French troops to leave": no name makes them another's."""
    for forces in order.children:
        if forces.dep_ == "dobj" and _lemma(forces) in _FORCES:
            return not any(
                c.dep_ in ("amod", "compound", "nmod", "poss") and c.text[:1].isupper()
                for c in forces.children
            )
    return False


def _stopped(label: str, cue: Token) -> str | None:
    """What stopping an act amounts to: ending a hostile act de-escalates, a cooperative one sanctions."""
    if label in ("ASSAULT", "MOBILIZE", lex.HARM):
        return "CONCEDE" if _future(cue) else "RETREAT"
    if label in ("RETREAT", "CONCEDE"):
        return None
    if label in COOPERATIVE:
        return "SANCTION"
    return "CONCEDE"


def _apply_cue(kind: str, label: str, cue: Token, anchor: Token, *, easing: bool) -> tuple[str | None, bool]:
    """The act's label under a cue word, and whether the cue word now names the event. ``easing``: the act
    is the end of a hostile one ("to reduce attacks"), which promised is a concession in words."""
    hostile = label not in COOPERATIVE
    if kind in (lex.PROMISE, lex.OATH, lex.INTEND) and easing:
        return "CONCEDE", True
    if kind == lex.PROMISE and label == "REQUEST":
        return "CONCEDE", True  # "agreed to the opposition's demand"
    if kind == lex.PROMISE and hostile and _lemma(cue) in _READY and label not in _VERBAL_CONFLICT:
        return "THREATEN", True  # "ready to use force", "prepared to strike if the talks fail"
    if kind == lex.PROMISE:
        return ("AGREE", True) if not hostile else (label, False)
    if kind == lex.CONSIDER:
        return ("THREATEN", False) if hostile else (None, False)
    if kind == lex.ALLOW:  # "allowed observers to visit", "allowed the march to go ahead"
        if label in ("CONSULT", "AID", "RETREAT"):
            return "RETREAT", True
        return ("CONCEDE", True) if label == "PROTEST" else (label, False)
    if kind == lex.INTEND:  # a plan or a schedule: the act's own word still names it
        return ("AGREE", False) if not hostile else (label, False)
    if kind == lex.OATH:
        if label in _VERBAL_CONFLICT:
            return label, False  # "vowed to defy the order" is the defiance itself
        return ("AGREE", True) if not hostile else ("THREATEN", True)
    if kind == lex.THREAT:
        return "THREATEN", True
    if kind == lex.WARN:
        if hostile and (label == lex.HARM or _future(anchor)):
            return "THREATEN", True
        return label, False
    if kind == lex.ASK:
        return "REQUEST", True
    if kind == lex.REFUSE:
        return "REJECT", True
    if kind in (lex.DROP, lex.LEGAL):
        return None, False  # denied, alleged, discussed, or judged in court: not reported as done
    if kind == lex.STOP:
        return _stopped(label, cue), True
    if kind == lex.PREPARE and label == "ASSAULT":
        return "MOBILIZE", True
    return label, False


def _resolve(act: _Act, doc: Doc, conditional: frozenset[int]) -> _Found | None:
    """Read an act's context: negation, the cue words above it, conditions and who does it."""
    assert act.label is not None
    if act.anchor in conditional:
        return None
    anchor = doc[act.anchor]
    if _unreal(_clause_verb(anchor), hedges=act.label not in _UNHEDGED) or _background(anchor):
        return None
    label: str | None = _after_negation(act.label, anchor)
    start, end, moved = act.start, act.end, None
    easing = False
    if label == "REJECT" and act.label != "REJECT":
        start = min([start] + [c.i for c in anchor.children if c.dep_ == "det" and c.lower_ == "no"])
    child = anchor
    for _ in range(_MAX_HOPS):
        if label is None:
            return None
        head = child.head
        if head.i == child.i or not _climbs(child):
            break
        if child.dep_ == "prep" and not _argument_prep(child, head):
            break
        # A conjunct shares its first conjunct's governor; the first conjunct itself is no cue for it.
        kind = None if child.dep_ == "conj" else _cue_kind(head, child)
        if kind is not None:
            before = label
            label, moves = _apply_cue(kind, label, head, anchor, easing=easing)
            easing = kind == lex.STOP and before in _HOSTILE_ACTS
            if label is not None and moves:
                start, end, moved = head.i, head.i + 1, head.i
                label = _after_negation(label, head)
        elif child.dep_ in _NEGATES and head.pos_ == "VERB" and _negation(head) is not None:
            # "would not take part in talks": the verb that carries the act is negated.
            negated = _after_negation(label, head)
            if negated == "REJECT" and label != "REJECT":
                start, end, moved = head.i, head.i + 1, head.i
            label = negated
        child = head
    if label is None or (act.weak and moved is None):
        return None
    if moved is None and label in _COMMITTED and _future(anchor) and _takes_place(anchor):
        # "will resume talks", "said it would send aid": a commitment, not yet the act.
        label = "CONCEDE" if label == "RETREAT" and _lemma(anchor) in _WITHDRAWING else "AGREE"
    label = _settle(label, doc[moved] if moved is not None else anchor)
    if label is None:
        return None
    return _Found(
        label, start, end, act.priority if moved is None else max(act.priority, 3), act.anchor, moved
    )


def _takes_place(act: Token) -> bool:
    """Is the act what its clause says will happen ("will resume talks", "talks will begin"), not the
    subject of a comment on it ("hoped the talks would succeed")?"""
    if act.dep_ not in ("nsubj", "nsubjpass"):
        return True
    return _lemma(act.head) in _HAPPEN or _lemma(act.head) in ("hold", "open", "end", "conclude")


def _settle(label: str, token: Token) -> str | None:
    """Final readings that depend on the clause: threats by condition, riots, demands made by protesters,
    harm done by nature, protests lodged by governments."""
    if label == lex.HARM:
        possible = _future(token) or _conditional_threat(token) or _hedged(token)
        return "THREATEN" if possible else None  # "could face consequences"
    if label not in COOPERATIVE and label != "THREATEN" and _conditional_threat(token):
        return "THREATEN"
    subject = _subject(token) if token.pos_ in ("VERB", "AUX") else None
    if subject is not None and label in _HOSTILE_ACTS and _lemma(subject) in _NATURAL:
        return None  # "the storm killed 12 people and cut power"
    if label == "REQUEST" and _lemma(token) == "order" and _orders_own_forces(token):
        return None
    if label == "ACCUSE" and _lemma(token) == "protest" and token.pos_ == "VERB":
        # "protested the decision": a complaint by a government, a protest by a crowd
        crowd = subject is None or _lemma(subject) in _CROWDS or _purpose_of_protest(token)
        if crowd and _lemma(token.head) not in _DIPLOMATIC_PROTEST:
            return "PROTEST"
    if (
        label == "PROTEST"
        and _lemma(token) == "protest"
        and token.dep_ in ("advcl", "xcomp")
        and _lemma(token.head) in _DIPLOMATIC_PROTEST
    ):
        return "ACCUSE"  # "summoned the ambassador to protest against the remarks"
    by_protesters = subject is not None and _lemma(subject) in _PROTESTERS
    if label == "ASSAULT" and subject is not None and _lemma(subject) in _RIOTERS:
        return "PROTEST"  # PLOVER codes riots as PROTEST
    if label in ("REQUEST", "ACCUSE") and (by_protesters or _purpose_of_protest(token)):
        return None  # demands and denunciations voiced by demonstrators are part of the PROTEST
    return label


def _purpose_of_protest(token: Token) -> bool:
    """ "rallied to denounce police violence": the verbal act is what the protest says."""
    return token.dep_ in ("xcomp", "advcl", "acl") and _lemma(token.head) in _PROTEST_VERBS


def _drop_replaced_cues(found: list[_Found]) -> list[_Found]:
    """A cue word that turned an act into another type ("promised to attack") loses its own reading."""
    moved = {f.moved_to: f.label for f in found if f.moved_to is not None}
    return [f for f in found if f.moved_to is not None or moved.get(f.anchor, f.label) == f.label]


def _by_sentence(found: list[_Found], doc: Doc) -> dict[int, list[_Found]]:
    if len(found) < 2:
        return {0: found}  # nothing to group (a record is usually one sentence)
    groups: dict[int, list[_Found]] = {}
    has_sentences = doc.has_annotation("SENT_START")
    for f in found:
        key = doc[f.start].sent.start if has_sentences else 0
        groups.setdefault(key, []).append(f)
    return groups


def _best_per_label(found: list[_Found]) -> list[_Found]:
    """One event per type: the most specific trigger, then the earliest."""
    best: dict[str, _Found] = {}
    for f in found:
        current = best.get(f.label)
        if current is None or (f.priority, -f.start, -f.end) > (
            current.priority,
            -current.start,
            -current.end,
        ):
            best[f.label] = f
    return list(best.values())


class EventModelAnnotator:
    """PLOVER events from a trained ``textcat_multilabel``: every type scored >= threshold, no trigger."""

    def __init__(self, model_dir: str | Path, *, threshold: float = 0.5) -> None:
        import spacy

        from toolkit.models import model_source

        if not 0.0 <= threshold <= 1.0:
            raise UsageError(f"--threshold {threshold}: must be between 0 and 1")
        path = Path(model_dir)
        if not (path / "config.cfg").is_file():
            raise ModelNotFoundError(
                f"--events-model {path}: not a spaCy pipeline folder (no config.cfg)",
                hint="train one with: toolkit train DATASET_DIR --tasks events -o MODEL_DIR",
            )
        try:
            self.nlp = spacy.load(path)
        except (OSError, ValueError) as exc:
            raise ModelNotFoundError(f"--events-model {path}: cannot load it ({exc})") from None
        if TEXTCAT not in self.nlp.pipe_names:
            raise ModelNotFoundError(f"--events-model {path}: the pipeline has no {TEXTCAT} component")
        self.threshold = threshold
        labels = getattr(self.nlp.get_pipe(TEXTCAT), "labels", ())
        self.labels = tuple(sorted(labels, key=lambda x: _ORDER.get(x, len(_ORDER))))
        self.source = model_source(self.nlp)

    def __call__(self, doc_or_text: Doc | str) -> list[Event]:
        text = doc_or_text if isinstance(doc_or_text, str) else doc_or_text.text
        return self._events(self.nlp(text).cats)

    def pipe(self, texts: Iterable[str], *, batch_size: int = 64) -> Iterator[list[Event]]:
        """Events for many texts, batched through the classifier."""
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            yield self._events(doc.cats)

    def _events(self, cats: dict[str, float]) -> list[Event]:
        return [
            Event(label=label, source=self.source)
            for label in self.labels
            if cats.get(label, 0.0) >= self.threshold
        ]


def score_event_labels(gold: Iterable[Iterable[str]], predicted: Iterable[Iterable[str]]) -> dict[str, Any]:
    """Sentence-level multi-label scores: micro P/R/F1 over all decisions, macro F1 over gold types."""
    counts: dict[str, Counter[str]] = {label: Counter() for label in PLOVER_TYPES}
    records = 0
    for gold_labels, predicted_labels in zip(gold, predicted, strict=True):
        records += 1
        expected, got = set(gold_labels), set(predicted_labels)
        for label in expected | got:
            counts.setdefault(label, Counter())
            outcome = "tp" if label in expected and label in got else ("fn" if label in expected else "fp")
            counts[label][outcome] += 1
    per_label = {
        label: _prf(c["tp"], c["fp"], c["fn"]) | {"support": c["tp"] + c["fn"]} for label, c in counts.items()
    }
    total = Counter[str]()
    for c in counts.values():
        total.update(c)
    supported = [scores["f1"] for scores in per_label.values() if scores["support"]]
    return {
        "records": records,
        "micro": _prf(total["tp"], total["fp"], total["fn"]),
        "macro_f1": round(sum(supported) / len(supported), 4) if supported else 0.0,
        "per_label": per_label,
    }


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}
