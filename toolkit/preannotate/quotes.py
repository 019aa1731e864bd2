"""Quotes: direct, indirect and mixed quotes with speaker and cue, linked across the sentences of a document.

Two halves. ``analyse_quotes(doc)`` looks at one record and runs inside the spaCy pipeline (so with
--n-process it runs in the worker processes): quote marks, reporting verbs, speakers, reported content and
the entity mentions that pronoun resolution needs, stored as JSON in ``doc.user_data``.
``QuoteLinker`` runs in the parent over the records of one document in order: it links a quote that opens in
one sentence and closes in a later one, and resolves "he said" or "the statement said" to an earlier name.

Span conventions follow attribution corpora (PARC 3.0, PolNeAR): direct content includes its quote marks;
indirect content includes a leading "that" and leaves out the sentence's final punctuation.
"""

from __future__ import annotations

import bisect
import re
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from toolkit import __version__
from toolkit.preannotate import lexicon
from toolkit.record import Quote, Record, ResolvedSpeaker, Role
from toolkit.record import Token as RecordToken
from toolkit.spans import bits_between, merged_within

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

QUOTES_SOURCE = f"rule:quotes@{__version__}"
ANALYSIS_KEY = "toolkit_quotes"
QUOTE_COMPONENT = "toolkit_quotes"
# Lemmas and the parse drive the cues; ner feeds the speaker labels and pronoun resolution.
QUOTE_PIPES: tuple[str, ...] = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")

MENTION_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
NOT_SPEAKERS = frozenset({"that", "this", "these", "those", "which", "what", "there", "thats"})
FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})

# --- quote marks ----------------------------------------------------------------------------------

OPEN, CLOSE, EITHER = 1, 2, 3
DOUBLE_OPEN = "“„‟«"
DOUBLE_CLOSE = "”»"
SINGLE_OPEN = "‘‚‹"
SINGLE_CLOSE = "’›"
QUOTE_CHARS = frozenset(DOUBLE_OPEN + DOUBLE_CLOSE + SINGLE_OPEN + SINGLE_CLOSE + "\"'`")
# What may stand right before an opening mark, or right after a closing one, besides white space.
OPENING_CONTEXT = "([{—–-/:;" + DOUBLE_OPEN + SINGLE_OPEN
CLOSING_CONTEXT = ".,;:!?)]}—–-…" + DOUBLE_CLOSE + SINGLE_CLOSE + '"'
_DOUBLE_MARK = re.compile(r"``|''|[“”„‟«»\"]")
_SINGLE_MARK = re.compile(r"[‘’‚‹›']")
_WORD = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class QuoteSegment:
    """A stretch of quoted text, marks included. ``opened``/``closed`` say whether each mark is there: a
    missing opening mark means the quote began in an earlier sentence; a missing closing one, it runs on."""

    start: int
    end: int
    opened: bool = True
    closed: bool = True


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return before, after


def _straight_role(text: str, start: int, end: int) -> int:
    """A straight quote opens after a space and before a word; it closes after a word and before a space."""
    before, after = _context(text, start, end)
    opens = before.isspace() or before in OPENING_CONTEXT
    closes = after.isspace() or after in CLOSING_CONTEXT
    if opens and not closes:
        return OPEN
    if closes and not opens:
        return CLOSE
    return EITHER


def _double_marks(text: str) -> list[tuple[int, int, int]]:
    marks = []
    for match in _DOUBLE_MARK.finditer(text):
        mark = match.group()
        if mark in DOUBLE_OPEN or mark == "``":
            # Typed the wrong way round, a curly mark still shows its role by where it stands: “ glued to
            # the end of a word or sentence and followed by a space closes (“...?“ he asked); ” before a word
            # opens.
            role = CLOSE if _straight_role(text, match.start(), match.end()) == CLOSE else OPEN
        elif mark in DOUBLE_CLOSE:
            role = OPEN if _straight_role(text, match.start(), match.end()) == OPEN else CLOSE
        else:
            # A straight mark, or two apostrophes, which some wire copy uses at both ends (''Yes,'' he said).
            role = _straight_role(text, match.start(), match.end())
        marks.append((match.start(), match.end(), role))
    return marks


def _trimmed_start(text: str, start: int, limit: int) -> int:
    while start < limit and (text[start].isspace() or (text[start] in ",;:")):
        start += 1
    return start


def _trimmed_end(text: str, end: int, floor: int) -> int:
    while end > floor and text[end - 1].isspace():
        end -= 1
    return end


def _double_segments(text: str, marks: list[tuple[int, int, int]]) -> list[QuoteSegment]:
    """Pair double quote marks left to right; a mismatched pair (“...") still pairs, and a missing or stray
    mark ends or starts its quote at the text boundary instead of shifting every later pair."""
    segments: list[QuoteSegment] = []
    pending: int | None = None
    floor = 0
    for start, end, role in marks:
        opening = role == OPEN or (role == EITHER and pending is None)
        if opening:
            if pending is not None:
                # Two openings in a row: the earlier quote lost its closing mark; end it before this one.
                stop = _trimmed_end(text, start, pending)
                segments.append(QuoteSegment(pending, stop, opened=True, closed=False))
            pending = start
        elif pending is not None:
            segments.append(QuoteSegment(pending, end))
            pending, floor = None, end
        else:
            # A closing mark with no opening: the quote started before this text did.
            begin = _trimmed_start(text, floor, start)
            segments.append(QuoteSegment(begin, end, opened=False, closed=True))
            floor = end
    if pending is not None:
        segments.append(
            QuoteSegment(pending, _trimmed_end(text, len(text), pending), opened=True, closed=False)
        )
    return [s for s in segments if _WORD.search(text, s.start, s.end)]


def _single_segments(text: str, outside: list[QuoteSegment]) -> list[QuoteSegment]:
    """Single-quoted stretches outside double quotes. Only complete pairs count: a lone ’ is an apostrophe
    (Russia’s, countries’, ’90s), never a quote."""
    segments: list[QuoteSegment] = []
    pending: int | None = None
    for match in _SINGLE_MARK.finditer(text):
        start, end = match.span()
        if any(s.start <= start < s.end for s in outside):
            continue
        mark = match.group()
        before, after = _context(text, start, end)
        between_letters = before.isalnum() and after.isalnum()
        opens = (
            mark in SINGLE_OPEN + "'"
            and (before.isspace() or before in OPENING_CONTEXT)
            and not after.isspace()
            and not after.isdigit()
        )
        closes = (
            mark in SINGLE_CLOSE + "'"
            and not before.isspace()
            and (after.isspace() or after in CLOSING_CONTEXT)
            and not between_letters
        )
        if opens and pending is None:
            pending = start
        elif closes and pending is not None:
            if _WORD.search(text, pending, start):
                segments.append(QuoteSegment(pending, end))
            pending = None
        elif opens:
            pending = start
    return segments


def find_quote_segments(text: str, marks: list[tuple[int, int, int]] | None = None) -> list[QuoteSegment]:
    """Every quoted stretch of ``text`` (double quotes, then single quotes outside them), in text order."""
    doubles = _double_segments(text, _double_marks(text) if marks is None else marks)
    return sorted(doubles + _single_segments(text, doubles), key=lambda s: (s.start, s.end))


# --- cues, speakers, contents (per record, inside the pipeline) -----------------------------------


@dataclass(slots=True)
class _Cue:
    head: Token
    start: int  # token range [start, end) of the cue words
    end: int
    speaker: Token | None
    content: tuple[int, int] | None  # token range of the reported clause, before quote marks are considered
    speaker_span: tuple[int, int] | None = None  # token range of the speaker when the parse gives no phrase

    def speaker_range(self) -> tuple[int, int]:
        assert self.speaker is not None
        return self.speaker_span or speaker_range(self.speaker)


@dataclass(slots=True)
class _Found:
    content: tuple[int, int]  # character offsets, from the first piece's start to the last piece's end
    kind: str
    cue: _Cue | None
    opened: bool = True
    closed: bool = True
    # The content's pieces when the attribution interrupts it ("“A,” he said, “B.”"); else just ``content``.
    pieces: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.pieces:
            self.pieces = [self.content]


def _is_quote_token(token: Token) -> bool:
    return token.text in QUOTE_CHARS or token.text in ("``", "''")


def _token_range_chars(doc: Doc, start: int, end: int) -> tuple[int, int]:
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


def _trim_tokens(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop punctuation and spaces at the edges of a token range, but keep quote marks."""
    while start < end and (doc[start].is_space or (doc[start].is_punct and not _is_quote_token(doc[start]))):
        start += 1
    while end > start and (
        doc[end - 1].is_space or (doc[end - 1].is_punct and not _is_quote_token(doc[end - 1]))
    ):
        end -= 1
    return start, end


def _child(token: Token, *deps: str) -> Token | None:
    return next((c for c in token.children if c.dep_ in deps), None)


def _subject(verb: Token, depth: int = 0) -> Token | None:
    """Who speaks: the subject of the cue, of the verb it hangs from ("..., saying"), or of the passive
    "was quoted as saying"; for "a statement saying", the subject of the verb that issued it."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if len(subjects) > 1 and _follows_quote(verb):
        # "“Meh,” wrote a supporter": the parser took a word before the verb for a second subject.
        return subjects[-1]
    if subjects or depth > 3:
        return subjects[0] if subjects else None
    inverted = _child(verb, "dobj")
    if inverted is not None and inverted.i > verb.i and _follows_quote(verb) and verb.tag_ in FINITE_TAGS:
        return inverted  # "“...,” warned the attorney general": the parser reads the speaker as an object
    head = verb.head
    if _is_joined_report(verb) and head.dep_ == "ccomp" and _is_cue_lemma(head.head):
        # "said the vote will go ahead and noted that ...": the parser put "noted" inside what was said.
        return _subject(head.head, depth + 1)
    if verb.dep_ == "conj" and head.pos_ in ("VERB", "AUX"):
        return _subject(head, depth + 1)
    if verb.dep_ in ("advcl", "xcomp") and head.pos_ in ("VERB", "AUX"):
        return _child(head, "nsubj", "nsubjpass")
    if verb.dep_ == "pcomp" and head.lower_ == "as" and head.head.lemma_ == "quote":
        return _child(head.head, "nsubjpass")
    if verb.dep_ == "pcomp" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX"):
        # "responded by saying": the subject; "called Russia out for having said": the one called out.
        governor = head.head
        if head.lower_ == "for":
            return _child(governor, "dobj") or _child(governor, "nsubj")
        return _child(governor, "nsubj")
    if verb.dep_ == "acl" and head.head.pos_ == "VERB" and head.head.i != head.i:
        return _child(head.head, "nsubj")
    return None


# Forms the lemmatizer gets wrong ("hoping" -> "hop").
LEMMA_FIXES = {"hoping": "hope", "hoped": "hope"}


def _lemma(token: Token) -> str:
    return LEMMA_FIXES.get(token.lower_) or token.lemma_.lower()


def _follows_quote(verb: Token) -> bool:
    """The verb comes right after punctuation ("...,” said X", "..., said X"), where the speaker follows."""
    return verb.i > 0 and verb.doc[verb.i - 1].is_punct


def _is_cue_lemma(token: Token) -> bool:
    return token.pos_ == "VERB" and _lemma(token) in lexicon.CUE_LEMMAS


def _is_affiliation(prep: Token) -> bool:
    """ "a spokesman for the ministry", "a professor at Yale"; not "the chief on Thursday"."""
    if prep.lower_ not in ("of", "for", "from", "at", "in", "with", "to"):
        return False
    return not any(t.ent_type_ in ("DATE", "TIME") for t in prep.subtree)


def speaker_range(token: Token) -> tuple[int, int]:
    """The speaker's noun phrase: its left part and affiliation ("of the ministry"), cut before an apposition
    or a relative clause."""
    end = token.i + 1
    for child in token.rights:
        if child.i != end or child.dep_ not in ("prep", "compound", "flat", "nummod", "case"):
            break
        if child.dep_ == "prep" and not _is_affiliation(child):
            break
        end = child.right_edge.i + 1
    doc = token.doc
    comma = next((i for i in range(token.i, end) if doc[i].text in (",", "(", "—", "–")), None)
    end = comma if comma is not None else end
    start = token.left_edge.i
    start, end = _trim_tokens(doc, start, end)
    while start < end and _is_quote_token(doc[start]):
        start += 1
    return (start, end) if start < end else (token.i, token.i + 1)


def _is_finite_clause(token: Token) -> bool:
    if token.tag_ in FINITE_TAGS:
        return True
    return any(c.dep_ == "aux" and c.tag_ in FINITE_TAGS for c in token.children)


ADJUNCT_DEPS = frozenset({"prep", "npadvmod", "advmod", "dative", "prt", "agent", "tmod"})
# The cue's own subject, auxiliaries and negation: part of the attribution wherever it stands.
CORE_DEPS = frozenset({"nsubj", "nsubjpass", "aux", "auxpass", "neg"})
# Verbs whose direct object is the addressee, not the content: "told reporters (that) ...".
ADDRESSEE_VERBS = frozenset({"tell", "inform", "remind", "assure", "reassure", "warn", "notify", "ask"})
COMPLEMENTIZERS = frozenset({"that", "whether", "if"})


def _has_own_subject(head: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass", "expl") and c.lower_ != "that" for c in head.children)


def _adjunct_tokens(verb: Token) -> list[int]:
    """The cue's adjuncts right after it ("said on Tuesday in a statement"), as token indices in order."""
    deps = ADJUNCT_DEPS | ({"dobj"} if _lemma(verb) in ADDRESSEE_VERBS else set())
    indices: list[int] = []
    position = verb.i + 1
    for child in verb.rights:
        if child.i != position or child.dep_ not in deps:
            break
        indices.extend(range(child.left_edge.i, child.right_edge.i + 1))
        position = child.right_edge.i + 1
    return indices


def _following_clause(verb: Token) -> tuple[int, int] | None:
    """A clause that starts right after the cue and its adjuncts, wherever the parser hung it: "said in a
    post that ..." read as a relative clause of "post", or a complement attached to another verb."""
    doc = verb.doc
    adjuncts = _adjunct_tokens(verb)
    for i in adjuncts:
        token = doc[i]
        if token.lower_ == "that" and token.dep_ == "mark" and _has_own_subject(token.head):
            return i, token.head.right_edge.i + 1
    position = adjuncts[-1] + 1 if adjuncts else verb.i + 1
    if position >= len(doc):
        return None
    first = doc[position]
    if first.lower_ in COMPLEMENTIZERS and first.dep_ == "mark" and _has_own_subject(first.head):
        return position, first.head.right_edge.i + 1
    for head in (first, *first.ancestors):
        if head.left_edge.i != position:
            break
        marks = {c.lower_ for c in head.children if c.dep_ == "mark"}
        if (
            head.dep_ in ("ccomp", "relcl", "conj")
            and head.pos_ in ("VERB", "AUX")
            and _has_own_subject(head)
            and marks <= COMPLEMENTIZERS
        ):
            return position, head.right_edge.i + 1
    return None


def _reported_range(verb: Token, lemma: str) -> tuple[int, int] | None:
    """The token range of what the cue reports, by the complement its verb takes."""
    return (
        _clause_range(verb, lemma)
        or _infinitive_range(verb, lemma)
        or _accusation_range(verb, lemma)
        or _claim_object_range(verb, lemma)
        or _paratactic_range(verb)
        or _preposition_range(verb, lemma)
        or _object_range(verb, lemma)
    )


def _clause_range(verb: Token, lemma: str) -> tuple[int, int] | None:
    """A reported clause: "said (that) ...", "..., he said", mended where the parser split or misplaced it."""
    clauses = [c for c in verb.children if c.dep_ == "ccomp"]
    obj = _child(verb, "dobj")
    if obj is not None and obj.i > verb.i and lemma not in lexicon.CLAUSE_VERBS:
        # "...: 89% of voters endorse background checks": a clause before a verb of stance that has its own
        # object is not what the verb reports.
        clauses = [c for c in clauses if c.i > verb.i]
    belief_only = lemma in lexicon.BELIEF_VERBS and lemma not in lexicon.SPEECH_VERBS
    following = _following_clause(verb)
    if not clauses or (belief_only and not _is_finite_clause(clauses[0])):
        if lemma not in lexicon.CLAUSE_VERBS:
            return None
        return following if following is not None else _object_led_clause(verb)
    clause = max(clauses, key=lambda c: c.right_edge.i - c.left_edge.i)
    start, end = clause.left_edge.i, clause.right_edge.i + 1
    obj = _child(verb, "dobj")
    if obj is not None and obj.right_edge.i + 1 == start and not _has_own_subject(clause):
        # "warned the new variant could spread": the object is the clause's own subject.
        start = obj.left_edge.i
    if following is not None and verb.i < following[0] < start:
        start, end = following[0], max(end, following[1])
    return _after_headline_colon(clause, start), _before_next_report(clause, end)


def _object_led_clause(verb: Token) -> tuple[int, int] | None:
    """ "says the conflict, and its root cause, remain with him" parsed as an object plus a conjoined verb:
    the object is the subject of the reported clause."""
    obj = _child(verb, "dobj")
    if obj is None or obj.i < verb.i or _lemma(verb) in ADDRESSEE_VERBS:
        return None
    for child in verb.rights:
        clause = child.dep_ in ("conj", "ccomp") and child.pos_ in ("VERB", "AUX")
        if clause and child.i > obj.i and _has_own_subject(child):
            return obj.left_edge.i, child.right_edge.i + 1
    return None


def _infinitive_range(verb: Token, lemma: str) -> tuple[int, int] | None:
    """ "urged Moscow to end the war" (object + to-infinitive), "vowed to retaliate" (the infinitive)."""
    infinitive = _child(verb, "xcomp")
    if infinitive is None:
        return None
    if lemma in lexicon.DIRECTIVE_VERBS:
        addressee = _child(verb, "dobj")
        if addressee is None and lemma == "call":
            on = next((c for c in verb.children if c.lower_ == "on"), None)
            addressee = _child(on, "pobj") if on is not None else None
        start = min(infinitive.left_edge.i, addressee.left_edge.i if addressee is not None else infinitive.i)
        return start, infinitive.right_edge.i + 1
    if lemma in lexicon.COMMISSIVE_VERBS:
        return infinitive.left_edge.i, infinitive.right_edge.i + 1
    return None


def _accusation_range(verb: Token, lemma: str) -> tuple[int, int] | None:
    """ "accused the government of rigging the election": the accused and the charge."""
    if lemma not in lexicon.ACCUSATION_VERBS:
        return None
    accused = _child(verb, "dobj")
    if accused is None:
        return None
    # The charge hangs from the verb, or from the (last) accused when the parser attached it there.
    conjoined = [c for c in verb.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN", "PRON")]
    holders = [verb, accused, *conjoined, *(t for t in accused.subtree if t.dep_ == "conj")]
    reasons = [c for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ in ("of", "for")]
    if not reasons:
        return None
    return accused.left_edge.i, max(r.right_edge.i for r in reasons) + 1


def _claim_object_range(verb: Token, lemma: str) -> tuple[int, int] | None:
    """ "denied reports that troops had crossed": the claim denied or confirmed is the content."""
    if lemma not in lexicon.CLAIM_OBJECT_VERBS:
        return None
    claim = _child(verb, "dobj")
    if claim is None or claim.lemma_.lower() not in lexicon.CLAIM_NOUNS:
        return None
    return claim.left_edge.i, claim.right_edge.i + 1


def _preposition_range(verb: Token, lemma: str) -> tuple[int, int] | None:
    """ "called for a ban on imports", "talked about the economy": the preposition's object."""
    prep = _content_preposition(verb, lemma)
    if prep is None:
        return None
    objects = [c for c in prep.children if c.dep_ in ("pobj", "pcomp")]
    if not objects or objects[0].pos_ == "PRON":
        return None
    end = _before_apposition(objects[0]) if objects[0].dep_ == "pobj" else prep.right_edge.i + 1
    name = next((c for c in verb.rights if c.i >= end and c.lower_ == "as"), None)
    if name is not None and name.left_edge.i == end:
        end = name.right_edge.i + 1  # "referred to him as “the most valuable player”"
    return objects[0].left_edge.i, end


def _content_preposition(verb: Token, lemma: str) -> Token | None:
    preps = lexicon.PREPOSITION_CUES.get(lemma, ())
    return next((c for c in verb.rights if c.dep_ == "prep" and c.lower_ in preps), None)


def _object_range(verb: Token, lemma: str) -> tuple[int, int] | None:
    """ "praised the deal", "cited the investigation": the direct object a stance or report is about; with a
    naming verb, the object and what it is called ("called the plan a disgrace", "described it as a
    mistake"). A bare pronoun object ("denied it") says nothing on its own."""
    if lemma not in lexicon.OBJECT_VERBS and lemma not in lexicon.NAMING_VERBS:
        return None
    obj = _child(verb, "dobj")
    if obj is None or obj.i < verb.i:
        return None
    end = _before_apposition(obj)
    name = _name_of(verb, obj)
    if name is not None and lemma in lexicon.NAMING_VERBS:
        return obj.left_edge.i, name.right_edge.i + 1
    if lemma not in lexicon.OBJECT_VERBS:
        return None
    for reason in verb.rights:
        # "criticized Clinton for accepting donations", "praised him as a fighter": the grounds go with it.
        if reason.i == end and reason.lower_ in ("for", "as"):
            end = reason.right_edge.i + 1
    if obj.pos_ == "PRON":
        return None
    return obj.left_edge.i, end


def _before_apposition(head: Token) -> int:
    """The end of a noun phrase without an apposition after it ("Comey, a Republican appointed ...")."""
    appos = next((c for c in head.rights if c.dep_ == "appos"), None)
    if appos is None:
        return head.right_edge.i + 1
    end = appos.left_edge.i
    while end > head.i + 1 and head.doc[end - 1].is_punct:
        end -= 1
    return end


def _name_of(verb: Token, obj: Token) -> Token | None:
    """What a naming verb calls its object: "called the plan [a disgrace]", "sees the vote [as a test]"."""
    return next(
        (c for c in verb.rights if c.i > obj.i and (c.dep_ in ("oprd", "xcomp") or c.lower_ == "as")), None
    )


def _names_its_object(verb: Token) -> bool:
    """ "called the plan a disgrace": an object and what it is called."""
    obj = _child(verb, "dobj")
    return obj is not None and _name_of(verb, obj) is not None


def _paratactic_range(verb: Token) -> tuple[int, int] | None:
    """The content as the head of the cue: "The economy is shrinking, he said", or around it: "The talks,
    officials said, had been constructive" (one span across the interruption)."""
    if verb.dep_ != "parataxis" and not _is_as_report(verb):
        return None
    head = verb.head
    if verb.i > head.i and verb.left_edge.i > head.left_edge.i and verb.right_edge.i >= head.right_edge.i:
        return head.left_edge.i, verb.left_edge.i
    return head.left_edge.i, head.right_edge.i + 1


def _is_as_report(verb: Token) -> bool:
    """ "..., as the newspaper reported": a report with no complement of its own, set in the clause it
    reports."""
    return (
        verb.dep_ == "advcl"
        and any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children)
        and not any(c.dep_ in ("ccomp", "dobj", "xcomp") for c in verb.children)
        and _lemma(verb) in lexicon.SPEECH_VERBS
    )


def _before_next_report(clause: Token, end: int) -> int:
    """A clause ends before a report joined to it by the same speaker: in "said the vote will go ahead and
    noted that ..." the parser hangs "noted" inside what was said."""
    for child in clause.rights:
        if _is_joined_report(child):
            previous = [c for c in clause.rights if c.i < child.i and c.dep_ in ("cc", "punct")]
            return min([c.i for c in previous if c.i > clause.i] or [child.left_edge.i])
    return end


def _is_joined_report(token: Token) -> bool:
    """ "said the vote will go ahead and noted that": a report joined to the clause that cannot share the
    clause's modal ("will noted"), so it is the speaker's own next report, not part of what was said."""
    if token.dep_ != "conj" or not _is_cue_lemma(token) or _has_own_subject(token):
        return False
    modal = any(c.dep_ == "aux" and c.tag_ == "MD" for c in token.head.children)
    return modal and token.tag_ != "VB"


def _after_headline_colon(clause: Token, start: int) -> int:
    """A clause whose left edge reaches back over a colon ("Live updates: Ukrainian forces are ...")
    starts after it."""
    doc = clause.doc
    colons = [i for i in range(start, clause.i) if doc[i].text == ":"]
    return colons[-1] + 1 if colons else start


def _according_content(according: Token) -> tuple[int, int]:
    sent = according.sent
    phrase_start, phrase_end = according.i, according.right_edge.i + 1
    before = _trim_tokens(according.doc, sent.start, phrase_start)
    after = _trim_tokens(according.doc, phrase_end, sent.end)
    if after[0] >= after[1]:
        return before
    if before[0] >= before[1]:
        return after
    return sent.start, sent.end


def _according_cue(token: Token) -> _Cue | None:
    # "to" right after "according": a parse that hangs an earlier "to" here would give a reversed cue.
    to = next((c for c in token.children if c.lower_ == "to" and c.i == token.i + 1), None)
    if to is None:
        return None
    source = _child(to, "pobj")
    if source is None or source.lemma_.lower() in lexicon.NOT_SOURCES:
        return None  # "according to plan": a norm, not someone reporting
    return _Cue(token, token.i, to.i + 1, source, _according_content(token))


def _cue_span(verb: Token, lemma: str) -> tuple[int, int]:
    start, end = verb.i, verb.i + 1
    particles = lexicon.PARTICLE_CUES.get(lemma, ()) + lexicon.PREPOSITION_CUES.get(lemma, ())
    if end < len(verb.doc) and verb.doc[end].lower_ in particles and verb.doc[end].head.i == verb.i:
        end += 1  # "point out", "called for", "talked about": the verb with its particle
    if verb.dep_ == "pcomp" and verb.head.lower_ == "as" and verb.head.head.lemma_ == "quote":
        # "quoted as saying"; a parse that puts "quoted" after the verb gives no such phrase.
        start = min(start, verb.head.head.i)
    return start, end


def _verb_cue(token: Token) -> _Cue | None:
    if token.pos_ != "VERB":
        return None
    lemma = _lemma(token)
    if lemma not in lexicon.CUE_LEMMAS:
        return None
    particles = lexicon.PARTICLE_CUES.get(lemma)
    if particles and not any(c.lower_ in particles for c in token.children) and not _names_its_object(token):
        return None
    if particles and any(c.dep_ == "prt" and c.lower_ not in particles for c in token.children):
        return None  # "called Russia out for having said ...": another phrasal verb, not "call for"
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children):
        return None  # "is said to be": nobody is reported as saying anything
    if token.tag_ == "VBN" and token.dep_ in ("advcl", "acl") and not _child(token, "aux"):
        return None  # "Asked whether ..., X said": a passive participle, its subject was asked
    if token.dep_ == "xcomp" and _lemma(token.head) in lexicon.NON_REPORTING_GOVERNORS:
        return None  # "declined to say whether ..."
    speaker = _subject(token)
    if speaker is not None and speaker.lower_ in NOT_SPEAKERS:
        return None  # "That's not to say ...", "What they say is ...": no one is being reported
    start, end = _cue_span(token, lemma)
    return _Cue(token, start, end, speaker, _reported_range(token, lemma))


def _noun_cue(token: Token) -> _Cue | None:
    """ "Trump's suggestion that Russia spy on his rival": a noun of saying or believing with its that-clause;
    the possessor, when there is one, is the speaker."""
    if _lemma(token) not in lexicon.REPORT_NOUNS:
        return None
    for clause in token.rights:
        mark = next((c for c in clause.children if c.dep_ == "mark" and c.lower_ == "that"), None)
        if clause.dep_ in ("acl", "ccomp", "appos") and mark is not None and _has_own_subject(clause):
            content = (min(mark.i, clause.left_edge.i), clause.right_edge.i + 1)
            return _Cue(token, token.i, token.i + 1, _child(token, "poss"), content)
    return None


def _headline_cue(doc: Doc) -> _Cue | None:
    """ "Warren: Trump Is a ‘Proven Failure’ in Business": a name, a colon, then what that one said, the way
    headlines and transcripts attribute. The name is a few proper-noun words holding a person or an
    organisation; what follows has a verb."""
    colon = next((t for t in doc[:7] if t.text == ":"), None)
    if colon is None or colon.i == 0:
        return None
    name, said = doc[: colon.i], doc[colon.i + 1 :]
    if not any(e.label_ in ("PERSON", "ORG") for e in name.ents):
        return None
    if not all(t.pos_ in ("PROPN", "PUNCT", "DET", "PART") or t.ent_type_ for t in name):
        return None
    if sum(t.is_alpha for t in said) < 3 or not any(t.pos_ in ("VERB", "AUX") for t in said):
        return None
    start, end = _trim_tokens(doc, 0, colon.i)
    if start >= end:
        return None
    speaker = name.root
    return _Cue(colon, colon.i, colon.i + 1, speaker, (colon.i + 1, len(doc)), speaker_span=(start, end))


def _find_cues(doc: Doc, quoted: list[bool]) -> list[_Cue]:
    cues = []
    for token in doc:
        if quoted[token.i]:
            continue  # words inside quote marks belong to the quoted speaker, not to the reporter
        if token.lower_ == "according":
            cue = _according_cue(token)
        elif token.pos_ == "NOUN":
            cue = _noun_cue(token)
        else:
            cue = _verb_cue(token)
        if cue is not None:
            cues.append(cue)
    if not cues:
        headline = _headline_cue(doc)
        if headline is not None:
            cues.append(headline)
    return cues


def _inside_flags(doc: Doc, segments: list[QuoteSegment]) -> list[bool]:
    flags = [False] * len(doc)
    for segment in segments:
        for token in doc.char_span(segment.start, segment.end, alignment_mode="expand") or ():
            flags[token.i] = True
    return flags


def _has_words(text: str, start: int, end: int) -> bool:
    return start < end and _WORD.search(text, start, end) is not None


def _classify(
    text: str, content: tuple[int, int], segments: list[QuoteSegment]
) -> tuple[str, tuple[int, int], list[int]]:
    """direct when all the reported words are inside one quoted stretch, mixed when only some are."""
    start, end = content
    touched = [i for i, s in enumerate(segments) if s.start < end and start < s.end]
    if not touched:
        return "indirect", content, []
    for i in touched:
        s = segments[i]
        if not _has_words(text, start, s.start) and not _has_words(text, s.end, end):
            return "direct", (s.start, s.end), [i]
    start = min(start, *(segments[i].start for i in touched))
    end = max(end, *(segments[i].end for i in touched))
    return "mixed", (start, end), touched


def _gap_is_clear(doc: Doc, cue: _Cue, start: int, end: int) -> bool:
    """Tokens between a quote and a cue may only be punctuation, the speaker, or the cue's adjuncts
    ("said on Wednesday", "told reporters")."""
    members = {cue.head.i}
    # The addressee of "told" is parsed as its object: "she told reporters, “...”".
    addressee = {"dobj"} if _lemma(cue.head) in ADDRESSEE_VERBS else set()
    for child in cue.head.children:
        if child.dep_ in ADJUNCT_DEPS or child.dep_ in CORE_DEPS or child.dep_ in addressee:
            members.update(t.i for t in child.subtree)
    return all(doc[i].is_punct or doc[i].is_space or i in members for i in range(start, end))


def _gap_words(doc: Doc, cue: _Cue, start: int, end: int) -> int:
    speaker = {t.i for t in cue.speaker.subtree} if cue.speaker is not None else set()
    return sum(1 for i in range(start, end) if not doc[i].is_punct and i not in speaker and i != cue.head.i)


def _adjacent_cue(doc: Doc, span: Any, cues: list[_Cue]) -> _Cue | None:
    """The cue right after a quote ("“...,” she said") or right before it ("He added: “...”"). A quoted
    word or phrase that is not a statement only counts when punctuation sets it off as one."""
    statement = _is_sentence_like(span)
    inner = span.text.rstrip("\"'”’»“‘« ")
    set_off_after = statement or inner.endswith((",", "!", "?"))
    before_mark = doc[span.start - 1].text if span.start > 0 else ""
    set_off_before = statement or before_mark in (":", ",")
    best: tuple[int, int, _Cue] | None = None
    for cue in cues:
        if cue.speaker is None:
            continue
        if set_off_after and cue.start >= span.end and _gap_is_clear(doc, cue, span.end, cue.start):
            rank = (_gap_words(doc, cue, span.end, cue.start), 0)
        elif set_off_before and cue.end <= span.start and _gap_is_clear(doc, cue, cue.end, span.start):
            rank = (_gap_words(doc, cue, cue.end, span.start), -1 if before_mark == ":" else 1)
        else:
            continue
        if best is None or rank < best[:2]:
            best = (rank[0], rank[1], cue)
    return best[2] if best is not None else None


def _is_sentence_like(span: Any) -> bool:
    """Long enough and with a finite verb: a quoted statement, not a scare-quoted word or a title."""
    words = sum(1 for t in span if t.is_alpha)
    return words >= 4 and any(t.tag_ in FINITE_TAGS for t in span)


# Words that join what was reported to what comes after it; left out when the content is cut there.
JOINERS = frozenset({"and", "but", "while", "whereas", "as", "though", "although", "even", "yet"})


def _content_end(doc: Doc, start: int, end: int, *, after_cue: bool) -> int:
    """Where reported content ends, as attribution corpora draw it: before the speaker's next report that
    the parser hung inside it ("... and promised to stay out of it", "..., saying ...") and before a relative
    clause set off by a comma at its very end (", which ..."), the reporter's aside when the content follows
    its cue; before the cue ("..., which has ..., Bedingfield told reporters") it is still the speaker's."""
    for token in doc[start + 1 : end]:
        if _is_next_report(token) or (after_cue and _is_closing_aside(token, end)):
            cut = token.left_edge.i
            while cut > start and (doc[cut - 1].is_punct or doc[cut - 1].lower_ in JOINERS):
                cut -= 1
            if cut > start:
                return cut
    return end


def _is_next_report(token: Token) -> bool:
    """A report with no subject of its own joined to the content: the speaker's, not what was reported."""
    if token.pos_ != "VERB" or not _is_cue_lemma(token) or _has_own_subject(token):
        return False
    if token.dep_ == "conj":
        return True
    return token.dep_ == "advcl" and token.tag_ == "VBG" and token.doc[token.left_edge.i - 1].text == ","


def _is_closing_aside(token: Token, end: int) -> bool:
    """ ", which ..." or ", who ..." running to the end of the content."""
    doc = token.doc
    return (
        token.dep_ == "relcl"
        and token.right_edge.i + 1 >= end
        and doc[token.left_edge.i - 1].text == ","
        and doc[token.left_edge.i].lower_ in ("which", "who")
    )


def _quotes_in(doc: Doc, text: str, segments: list[QuoteSegment], cues: list[_Cue]) -> list[_Found]:
    found: list[_Found] = []
    claimed: set[int] = set()
    for cue in cues:
        if cue.content is None:
            continue
        start, end = _trim_tokens(doc, *cue.content)
        if start >= end:
            continue
        end = _content_end(doc, start, end, after_cue=start > cue.start)
        start, end = _trim_tokens(doc, start, end)
        if start >= end:
            continue
        pieces = _pieces_around(doc, cue, start, end)
        classified = [_classify(text, _token_range_chars(doc, *piece), segments) for piece in pieces]
        if not classified:
            continue
        used = sorted({i for _, _, touched in classified for i in touched})
        kinds = {kind for kind, _, _ in classified}
        kind = kinds.pop() if len(kinds) == 1 else "mixed"
        contents = [content for _, content, _ in classified]
        opened = all(segments[i].opened for i in used)
        closed = all(segments[i].closed for i in used)
        content = (contents[0][0], contents[-1][1])
        found.append(_Found(content, kind, cue, opened, closed, pieces=contents))
        claimed.update(used)
    for i, segment in enumerate(segments):
        if i in claimed:
            continue
        span = doc.char_span(segment.start, segment.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        adjacent = _adjacent_cue(doc, span, cues)
        open_ended = not segment.opened or not segment.closed
        if adjacent is None and not open_ended and not _is_sentence_like(span):
            continue  # scare quotes, titles, a quoted word
        found.append(_Found((segment.start, segment.end), "direct", adjacent, segment.opened, segment.closed))
    return _one_quote_per_cue(found)


# Words left before an attribution that interrupts a relative clause ("which he believes will ..."): the
# clause's gap, not content (the guidelines keep content after the cue).
GAP_WORDS = frozenset({"which", "that", "who", "whom", "whose", "what", "where", "when", "why", "how"})


# A phrase that only sets the scene of the report ("In an interview, Walker said, “...”") is no content.
SCENE_DEPS = frozenset({"prep", "advmod", "npadvmod", "advcl"})


def _pieces_around(doc: Doc, cue: _Cue, start: int, end: int) -> list[tuple[int, int]]:
    """The token ranges of a reported clause with its own attribution cut out: "The talks, officials said,
    had been constructive" is one quote in two pieces; content never holds its own speaker or cue."""
    block = _attribution_block(doc, cue, start, end)
    if block is None:
        return [(start, end)]
    pieces = []
    for before, (lo, hi) in ((True, (start, block[0])), (False, (block[1], end))):
        lo, hi = _trim_tokens(doc, lo, hi)
        words = [t.lower_ for t in doc[lo:hi] if t.is_alpha or t.like_num]
        if words and not (before and (set(words) <= GAP_WORDS or _is_scene(doc, lo, hi))):
            pieces.append((lo, hi))
    return pieces


def _is_scene(doc: Doc, start: int, end: int) -> bool:
    """The token range is one adjunct phrase: a token of SCENE_DEPS with its whole subtree."""
    head = doc[start:end].root
    return head.dep_ in SCENE_DEPS and head.left_edge.i == start and head.right_edge.i + 1 == end


def _attribution_block(doc: Doc, cue: _Cue, start: int, end: int) -> tuple[int, int] | None:
    """The tokens of the attribution inside the reported token range [start, end): the cue, its speaker and
    auxiliaries, the commas around them, and the cue's adjuncts when a comma closes them off ("X, she told
    reporters on Monday, Y"); None when the cue lies outside the range."""
    owned = set(range(cue.start, cue.end))
    if not any(start <= i < end for i in owned):
        return None  # a speaker inside the content with the cue outside is a misparse, dropped later
    if cue.speaker is not None:
        owned.update(range(*cue.speaker_range()))
    core = owned | {cue.head.i}
    adjuncts = set(core)
    deps = ADJUNCT_DEPS | ({"dobj", "dative"} if _lemma(cue.head) in ADDRESSEE_VERBS else set())
    for child in cue.head.children:
        if child.dep_ in CORE_DEPS:
            core.update(t.i for t in child.subtree)
        if child.dep_ in deps or child.dep_ in CORE_DEPS:
            adjuncts.update(t.i for t in child.subtree)
    lo, hi = min(owned), max(owned) + 1
    lo, hi = max(_grow_left(doc, lo, start, core), start), min(_grow_right(doc, hi, end, core), end)
    # Adjuncts count only when a separator still follows them inside the range: one that runs to the end
    # ("whom Erdogan accuses of masterminding the coup") is the content itself.
    wider_lo, wider_hi = _grow_left(doc, lo, start, adjuncts), _grow_right(doc, hi, end, adjuncts)
    lo = wider_lo if wider_lo > start or lo == start else lo
    hi = wider_hi if wider_hi < end or hi == end else hi
    return lo, hi


def _grow_left(doc: Doc, lo: int, start: int, members: set[int]) -> int:
    while lo > start and (lo - 1 in members or _is_separator(doc[lo - 1])):
        lo -= 1
    return lo


def _grow_right(doc: Doc, hi: int, end: int, members: set[int]) -> int:
    while hi < end and (hi in members or _is_separator(doc[hi])):
        hi += 1
    return hi


def _is_separator(token: Token) -> bool:
    return token.is_space or (token.is_punct and not _is_quote_token(token))


def _one_quote_per_cue(found: list[_Found]) -> list[_Found]:
    """Quotes that share one cue are one act of saying: “A,” she said, “B.” is one quote in two pieces."""
    by_cue: dict[int, _Found] = {}
    kept: list[_Found] = []
    for item in sorted(found, key=lambda f: f.content):
        if item.cue is None:
            kept.append(item)
            continue
        first = by_cue.get(item.cue.head.i)
        if first is None:
            by_cue[item.cue.head.i] = item
            kept.append(item)
            continue
        if any(a < d and c < b for a, b in first.pieces for c, d in item.pieces):
            continue  # the same words found twice
        # Sorted by content, so ``item`` starts at or after ``first``: it may only end later.
        if item.content[1] >= first.content[1]:
            first.closed = item.closed
        first.pieces = sorted(first.pieces + item.pieces)
        first.content = (first.pieces[0][0], max(first.content[1], item.content[1]))
        first.kind = first.kind if first.kind == item.kind else "mixed"
    return kept


def _drop_nested(found: list[_Found]) -> list[_Found]:
    """Keep the outer report: a cue inside another quote's content is part of what was reported; and
    "according to" gives way to a reporting verb it wraps ("X said ..., according to a transcript")."""

    def cue_inside(inner: _Found, outer: _Found) -> bool:
        return (
            inner.cue is not None
            and outer is not inner
            and any(start <= inner.cue.head.idx < end for start, end in outer.pieces)
        )

    kept = []
    for item in found:
        if _is_according(item):
            wraps_another = any(cue_inside(other, item) for other in found)
        else:
            wraps_another = any(cue_inside(item, other) for other in found if not _is_according(other))
        if not wraps_another:
            kept.append(item)
    return kept


def _is_according(item: _Found) -> bool:
    return item.cue is not None and item.cue.head.lower_ == "according"


def _gender_of(doc: Doc, start: int, end: int) -> str | None:
    first = doc[start]
    previous = doc[start - 1].lower_ if start > 0 else ""
    if first.lower_ in lexicon.FEMALE_TITLES or previous in lexicon.FEMALE_TITLES:
        return "f"
    if first.lower_ in lexicon.MALE_TITLES or previous in lexicon.MALE_TITLES:
        return "m"
    for token in doc[start:end]:
        if token.lower_ in lexicon.FEMALE_NAMES:
            return "f"
        if token.lower_ in lexicon.MALE_NAMES:
            return "m"
    return None


def _speaker_info(doc: Doc, cue: _Cue) -> dict[str, Any]:
    """The speaker's span and what kind of expression it is, so the parent knows what to resolve."""
    assert cue.speaker is not None
    start, end = cue.speaker_range()
    head = cue.speaker
    info: dict[str, Any] = {"speaker": list(_token_range_chars(doc, start, end)), "speaker_kind": "other"}
    lower = head.lower_
    if lower in lexicon.PRONOUN_LABELS:
        info.update(speaker_kind="pronoun", wants=list(lexicon.PRONOUN_LABELS[lower]))
        info["gender"] = {"he": "m", "she": "f"}.get(lower)
        return info
    span = doc[start:end]
    phrase = doc[head.left_edge.i : head.right_edge.i + 1]
    named = [e for e in phrase.ents if e.label_ in MENTION_LABELS]
    if named or any(t.pos_ == "PROPN" for t in span):
        entity = max(named, key=lambda e: (e.label_ == "PERSON", len(e))) if named else None
        info["speaker_kind"] = "name"
        if entity is not None:
            info["entity"] = [entity.start_char, entity.end_char, entity.label_]
        return info
    definite = any(
        c.dep_ in ("det", "poss") and c.lower_ in ("the", "this", "its", "their") for c in head.children
    )
    lemma = head.lemma_.lower()
    if definite and lemma in lexicon.PERSON_ROLES:
        info.update(speaker_kind="role", wants=["PERSON"])
    elif definite and lemma in lexicon.ORG_ROLES:
        info.update(speaker_kind="role", wants=["ORG", "GPE"])
    return info


def _mentions(doc: Doc, found: list[_Found], speakers: list[tuple[int, int]]) -> list[list[Any]]:
    """Named mentions outside quoted content, with how prominent each is (speaker > subject > other)."""
    mentions = []
    for ent in doc.ents:
        if ent.label_ not in MENTION_LABELS:
            continue
        if any(start <= ent.start_char < end for f in found for start, end in f.pieces):
            continue
        if any(s <= ent.start_char < e for s, e in speakers):
            salience = 2
        else:
            salience = 1 if _in_subject(doc[ent.start]) else 0
        gender = _gender_of(doc, ent.start, ent.end) if ent.label_ == "PERSON" else None
        mentions.append([ent.start_char, ent.end_char, ent.label_, salience, gender])
    return mentions


def _in_subject(token: Token) -> bool:
    """Whether the token is in a subject's subtree: it or one of its heads is a subject. Walking up from the
    few named mentions costs less than collecting every subject's subtree."""
    return token.dep_ in SUBJECT_DEPS or any(head.dep_ in SUBJECT_DEPS for head in token.ancestors)


SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})


def analyse_quotes(doc: Doc) -> dict[str, Any]:
    """Every quote in one record, as plain data that survives the trip back from a worker process: one item
    per piece of content, the pieces of one quote sharing its ``group`` (and its speaker and cue)."""
    text = doc.text  # joined from the tokens on every call: once here
    marks = _double_marks(text)
    segments = find_quote_segments(text, marks)
    cues = _find_cues(doc, _inside_flags(doc, segments))
    found = sorted(_drop_nested(_quotes_in(doc, text, segments, cues)), key=lambda f: f.content)
    quotes = []
    speakers = []
    for group, item in enumerate(found):
        roles: dict[str, Any] = {"kind": item.kind}
        if item.cue is not None:
            roles["cue"] = list(_token_range_chars(doc, item.cue.start, item.cue.end))
            if item.cue.speaker is not None:
                roles.update(_speaker_info(doc, item.cue))
                speakers.append(tuple(roles["speaker"]))
        last = len(item.pieces) - 1
        for n, piece in enumerate(item.pieces):
            quote: dict[str, Any] = {"content": list(piece), **roles}
            if len(item.pieces) > 1:
                quote["group"] = group
            if n == 0 and not item.opened:
                quote["opened"] = False
            if n == last and not item.closed:
                quote["closed"] = False
            quotes.append(quote)
    return {"quotes": quotes, "mentions": _mentions(doc, found, speakers), "marks": len(marks)}


def quote_component(doc: Doc) -> Doc:
    """The spaCy component: stores the analysis where ``Doc.to_bytes`` carries it back to the parent, as one
    JSON value that msgpack copies as it is and orjson reads back quickly."""
    doc.user_data[ANALYSIS_KEY] = orjson.dumps(analyse_quotes(doc))
    return doc


def stored_analysis(doc: Doc) -> dict[str, Any]:
    """The analysis ``quote_component`` left on a Doc (empty when the component did not run)."""
    raw = doc.user_data.get(ANALYSIS_KEY)
    return orjson.loads(raw) if raw else {}


# --- fitting the analysis to the record (in the parent) ------------------------------------------

SPEAKER_KEYS = ("speaker", "speaker_kind", "wants", "gender", "entity")


class _TokenEdges:
    """Snaps character ranges outwards to the record's tokens (the parse may have split text differently)."""

    def __init__(self, tokens: list[RecordToken]) -> None:
        self.starts = [t.start for t in tokens]
        self.ends = [t.end for t in tokens]

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        starts, ends = self.starts, self.ends
        if not starts:
            return (start, end) if start < end else None
        first = bisect.bisect_right(starts, start) - 1
        if first < 0 or ends[first] <= start:
            first += 1  # ``start`` falls between tokens: the next token
        last = bisect.bisect_left(ends, end)
        if last >= len(ends) or starts[last] >= end:
            last -= 1  # ``end`` falls between tokens: the previous token
        if first > last or first >= len(starts) or last < 0:
            return None
        return starts[first], ends[last]


def fit_quotes(items: list[dict[str, Any]], text: str, tokens: list[RecordToken]) -> list[dict[str, Any]]:
    """The analysed pieces made to pass the record's checks and fit every tool, whatever the parse did:
    every role on the record's tokens, content clear of its own quote's speaker and cue (cut around them),
    and no role of one quote overlapping a role of another (one outer report; doccano cannot show overlaps).
    Quotes with a cue are placed first; a cue-less quote that collides is dropped. Each item comes back with
    a ``group`` key; pieces of one quote share it."""
    edges = _TokenEdges(tokens)
    groups: dict[Any, list[dict[str, Any]]] = {}
    for index, item in enumerate(items):
        groups.setdefault(item.get("group", -1 - index), []).append(item)
    placed: dict[Any, list[dict[str, Any]]] = {}
    taken: list[tuple[int, int, str]] = []  # every role kept so far: (start, end, role name)
    for group in sorted(groups, key=lambda g: not any("cue" in item for item in groups[g])):
        pieces = _clear_of(_fit_group(groups[group], text, edges), taken, text, edges)
        placed[group] = pieces
        taken.extend(_role_spans(pieces))
    return [{**piece, "group": group} for group in groups for piece in placed[group]]


def _role_spans(pieces: list[dict[str, Any]]) -> set[tuple[int, int, str]]:
    return {
        (*piece[name], name) for piece in pieces for name in ("content", "speaker", "cue") if piece.get(name)
    }


def _clear_of(
    pieces: list[dict[str, Any]], taken: list[tuple[int, int, str]], text: str, edges: _TokenEdges
) -> list[dict[str, Any]]:
    """A quote's pieces kept clear of the roles other quotes hold: a speaker or cue may be the very span
    another quote names in the same role (two reports by one subject); anything else that overlaps goes."""

    def collides(span: list[int], name: str) -> bool:
        shared = name != "content"  # the same words are never the content of two quotes
        return any(
            s < span[1] and span[0] < e and not (shared and (s, e, n) == (*span, name)) for s, e, n in taken
        )

    if not pieces or not taken:
        return pieces
    if "cue" not in pieces[0] and any(collides(piece["content"], "content") for piece in pieces):
        return []  # a cue-less stretch of quoted words that runs into an attributed quote
    for name, keys in (("speaker", SPEAKER_KEYS), ("cue", ("cue",))):
        if any(piece.get(name) and collides(piece[name], name) for piece in pieces):
            pieces = [{k: v for k, v in piece.items() if k not in keys} for piece in pieces]
    others = [(s, e) for s, e, _ in taken]
    return [part for piece in pieces for part in _cut_item(text, piece, others, edges)]


def _fit_group(members: list[dict[str, Any]], text: str, edges: _TokenEdges) -> list[dict[str, Any]]:
    members = [_snapped(item, edges) for item in members]
    contents = [item["content"] for item in members if item.get("content")]
    roles = {name: {tuple(item[name]) for item in members if item.get(name)} for name in ("speaker", "cue")}

    def touches(spans: set[tuple[int, int]]) -> bool:
        return any(s < e2 and s2 < e for s, e in spans for s2, e2 in contents)

    speaker_on_cue = any(s < e2 and s2 < e for s, e in roles["speaker"] for s2, e2 in roles["cue"])
    if speaker_on_cue or (touches(roles["speaker"]) and not touches(roles["cue"])):
        # Quoted words (or the cue) are not the speaker of their own quote: the parse took one for it.
        members = [{k: v for k, v in item.items() if k not in SPEAKER_KEYS} for item in members]
        roles["speaker"] = set()
    own = sorted(roles["speaker"] | roles["cue"])
    return [piece for item in members if item.get("content") for piece in _cut_item(text, item, own, edges)]


def _cut_item(
    text: str, item: dict[str, Any], roles: list[tuple[int, int]], edges: _TokenEdges
) -> list[dict[str, Any]]:
    """A quote item as pieces whose content leaves out ``roles``: only the first piece is where the quote
    opened, only the last where it closed."""
    cut = _cut_content(text, tuple(item["content"]), roles, edges)
    pieces = []
    for n, content in enumerate(cut):
        piece = {**item, "content": list(content)}
        if n > 0:
            piece.pop("opened", None)
        if n < len(cut) - 1:
            piece.pop("closed", None)
        pieces.append(piece)
    return pieces


def _snapped(item: dict[str, Any], edges: _TokenEdges) -> dict[str, Any]:
    out = dict(item)
    for name in ("content", "speaker", "cue"):
        if out.get(name):
            snapped = edges.snap(*out[name])
            if snapped is None:
                if name == "speaker":
                    for key in SPEAKER_KEYS:
                        out.pop(key, None)
                else:
                    out.pop(name)
            else:
                out[name] = list(snapped)
    return out


def _cut_content(
    text: str, content: tuple[int, int], roles: list[tuple[int, int]], edges: _TokenEdges
) -> list[tuple[int, int]]:
    """Content without the roles inside it; the bits lose the white space and commas at each cut and must
    keep a word."""
    inside = merged_within(content, roles)
    if not inside:
        return [content] if _WORD.search(text, *content) else []
    pieces = []
    for lo, hi in bits_between(text, content, inside, trim=",;:—–"):
        snapped = edges.snap(lo, hi)
        if (
            snapped is not None
            and _WORD.search(text, *snapped)
            and not any(s < snapped[1] and snapped[0] < e for s, e in roles)
        ):
            pieces.append(snapped)
    return pieces


# --- linking and resolution (per document, in the parent) -----------------------------------------


def _reopens(text: str, item: dict[str, Any]) -> bool:
    """A quotation that opens its record with no speaker or cue of its own: “B.” after “A,” she said."""
    return (
        "cue" not in item
        and "speaker" not in item
        and item["kind"] == "direct"
        and item.get("opened", True)
        and not text[: item["content"][0]].strip()
    )


@dataclass(slots=True)
class Mention:
    text: str
    record_id: str
    label: str
    salience: int
    gender: str | None
    start: int


@dataclass(slots=True)
class _Chain:
    """A quote that may still gain pieces in later records: one still open at the end of a record, or the
    latest attributed quote, which a quotation reopened right after it continues. Its pieces so far, who
    said it, and where its latest piece is (record number and paragraph)."""

    id: str
    pieces: list[tuple[str, Quote]] = field(default_factory=list)
    speaker: ResolvedSpeaker | None = None
    record_no: int = 0
    paragraph: int | None = None


# How far a reopened quotation may stand from the quote it continues: records within the same paragraph, or
# the very next record when the input says nothing of paragraphs.
REOPEN_REACH = 3
# Quotes a reopened quotation may continue: quoted words go on quoted words; after a paraphrase ("a survey
# found that ...") a new quotation is more often someone else's.
TAIL_KINDS = frozenset({"direct", "mixed"})


# The same string objects as Quote's default: msgspec leaves out a default by identity, and a kind that came
# back from a worker process is an equal but different string, which would make n_process change the bytes.
_KINDS = {kind: kind for kind in ("direct", "indirect", "mixed")}


def _role(span: list[int] | None) -> Role | None:
    return Role(start=span[0], end=span[1]) if span else None


class QuoteLinker:
    """Per-document quote state: a quote still open at the end of a sentence, the latest attributed quote
    (a quotation reopened right after it, with no cue of its own, goes on with it: “A,” she said. “B.” is one
    quote, as attribution corpora join it), and recent named mentions.

    Records of one document arrive in order. Records are held back only while a quote may still gain pieces,
    at most ``max_chain`` of them, so memory stays flat however long the corpus is.
    """

    def __init__(self, *, source: str = QUOTES_SOURCE, max_chain: int = 8, window: int = 5) -> None:
        self.source = source
        self.max_chain = max_chain
        self.history: deque[list[Mention]] = deque(maxlen=window)
        self.held: list[tuple[str, Record]] = []
        self.chain: _Chain | None = None
        self.tail: _Chain | None = None
        self.last_speaker: tuple[ResolvedSpeaker, int] | None = None
        self.record_no = 0
        self.linked = 0
        self.resolved = 0

    def add(
        self,
        record: Record,
        key: str,
        analysis: dict[str, Any],
        labels: dict[int, tuple[int, str]],
        *,
        write: bool,
    ) -> list[Record]:
        """Take the next record of the document; return the records that are complete, in input order."""
        self.record_no += 1
        paragraph = record.meta.paragraph
        current = [self._mention(record.text, key, m, labels) for m in analysis.get("mentions", [])]
        items = fit_quotes(list(analysis.get("quotes", [])), record.text, record.tokens)
        quotes: list[Quote] = []
        ids: dict[Any, Quote] = {}  # the first piece of each quote (group) in this record
        if self.tail is not None and not self._within_reach(self.tail, paragraph):
            self._end(self.tail)
            self.tail = None
        if self.chain is not None:
            items = self._continue_chain(record, key, analysis, items, current, quotes, ids)
        elif self.tail is not None and items and _reopens(record.text, items[0]):
            items = self._continue_tail(key, items, quotes, ids)
        for item in items:
            first = ids.get(item["group"])
            if first is None and not item.get("opened", True) and "cue" not in item:
                continue  # a stray closing mark: no open quote before it and nobody saying it
            if first is not None:
                quote, who = self._piece_of(first, item), None
                if self.tail is not None and self.tail.id == quote.id:
                    self.tail.pieces.append((key, quote))
            else:
                quote, who = self._quote(record.text, key, item, current, len({q.id for q in quotes}))
                ids[item["group"]] = quote
                if "cue" in item and item["kind"] in TAIL_KINDS:
                    self._follow(_Chain(id=quote.id or key, pieces=[(key, quote)], speaker=who))
            quotes.append(quote)
            if not item.get("closed", True):
                if self.tail is not None and self.tail.id == quote.id:
                    self.chain, self.tail = self.tail, None
                else:
                    self._close_chain()
                    pieces = [(key, q) for q in quotes if q.id == quote.id]
                    self.chain = _Chain(
                        id=quote.id or key, pieces=pieces, speaker=who or self._speaker_of(first)
                    )
        for chain in (self.chain, self.tail):
            if chain is not None and any(k == key for k, _ in chain.pieces):
                chain.record_no, chain.paragraph = self.record_no, paragraph
        self.history.append(current)
        if write:
            record.quotes = quotes
        self.held.append((key, record))
        if len(self.held) >= self.max_chain:
            return self.finish()
        return self._release()

    def finish(self) -> list[Record]:
        """End of the document (or of patience): close any open quote and hand back the held records."""
        self._close_chain()
        if self.tail is not None:
            self._end(self.tail)
            self.tail = None
        released, self.held = [record for _, record in self.held], []
        return released

    def reset(self) -> None:
        """Forget the document: called between documents, after ``finish``."""
        self.history.clear()
        self.chain = None
        self.tail = None
        self.last_speaker = None
        self.record_no = 0

    def _release(self) -> list[Record]:
        """The held records before the first one a pending quote still has a piece in."""
        pending = {k for chain in (self.chain, self.tail) if chain is not None for k, _ in chain.pieces}
        n = 0
        while n < len(self.held) and self.held[n][0] not in pending:
            n += 1
        released, self.held = self.held[:n], self.held[n:]
        return [record for _, record in released]

    def _within_reach(self, tail: _Chain, paragraph: int | None) -> bool:
        """Whether a quotation reopened in this record may still continue ``tail``."""
        gap = self.record_no - tail.record_no
        if paragraph is None or tail.paragraph is None:
            return gap <= 1
        return paragraph == tail.paragraph and gap <= REOPEN_REACH

    def _follow(self, chain: _Chain) -> None:
        """``chain`` is now the latest attributed quote; the one before it can gain no more pieces."""
        if self.tail is not None and self.tail is not chain:
            self._end(self.tail)
        self.tail = chain

    def _continue_tail(
        self, key: str, items: list[dict[str, Any]], quotes: list[Quote], ids: dict[Any, Quote]
    ) -> list[dict[str, Any]]:
        """The reopened quotation at the start of this record, as more pieces of the latest attributed quote;
        return the items still to handle."""
        tail = self.tail
        assert tail is not None
        group = items[0]["group"]
        members = [item for item in items if item["group"] == group]
        for item in members:
            piece = Quote(
                content=_role(item["content"]),
                kind=_KINDS[item["kind"]],
                source=self.source,
                id=tail.id,
                speaker_resolved=tail.speaker,
            )
            ids.setdefault(group, piece)
            tail.pieces.append((key, piece))
            quotes.append(piece)
        if not members[-1].get("closed", True):
            self.chain, self.tail = tail, None
        return [item for item in items if item["group"] != group]

    def _continue_chain(
        self,
        record: Record,
        key: str,
        analysis: dict[str, Any],
        items: list[dict[str, Any]],
        current: list[Mention],
        quotes: list[Quote],
        ids: dict[Any, Quote],
    ) -> list[dict[str, Any]]:
        """Extend the open quote with this record if it carries on; return the items still to handle."""
        chain = self.chain
        assert chain is not None
        text = record.text
        if analysis.get("marks", 0) == 0 and text.strip():
            # A sentence inside a quote that runs on: all of it is quoted, and said by the same speaker; a
            # report inside it ("She said that ...") is part of what is quoted (one outer report).
            whole = _TokenEdges(record.tokens).snap(len(text) - len(text.lstrip()), len(text.rstrip()))
            if whole is not None:
                piece = Quote(
                    content=Role(*whole),
                    kind="direct",
                    source=self.source,
                    id=chain.id,
                    speaker_resolved=chain.speaker,
                )
                chain.pieces.append((key, piece))
                quotes.append(piece)
                return []
        if items and not items[0].get("opened", True):
            # The closing mark the open quote was waiting for, with any pieces of the same quote after it
            # ("...,” she said, “and more.”).
            group = items[0]["group"]
            members = [item for item in items if item["group"] == group]
            first, who = self._quote(text, key, members[0], current, len(quotes))
            first.id = chain.id
            ids[group] = first
            chain.speaker = chain.speaker or who
            for n, item in enumerate(members):
                piece = first if n == 0 else self._piece_of(first, item)
                chain.pieces.append((key, piece))
                quotes.append(piece)
            if members[-1].get("closed", True):
                self.chain = None
                if chain.speaker is not None or any(q.cue is not None for _, q in chain.pieces):
                    self._follow(chain)  # closed, and attributed: a quotation reopened next may go on with it
                else:
                    self._end(chain)
            return [item for item in items if item["group"] != group]
        self._close_chain()  # the quote never closed: keep what it had, start afresh
        return items

    def _close_chain(self) -> None:
        chain, self.chain = self.chain, None
        if chain is not None:
            self._end(chain)

    def _end(self, chain: _Chain) -> None:
        """The quote gains no more pieces: each piece lists the other records holding pieces of it."""
        records = list(dict.fromkeys(k for k, _ in chain.pieces))
        if len(records) < 2:
            return
        for key, piece in chain.pieces:
            # As everywhere in the record: the *other* records that hold pieces of this quote.
            piece.linked_records = [other for other in records if other != key]
            if piece.speaker is None and piece.speaker_resolved is None:
                piece.speaker_resolved = chain.speaker
        self.linked += 1

    def _quote(
        self, text: str, key: str, item: dict[str, Any], current: list[Mention], index: int
    ) -> tuple[Quote, ResolvedSpeaker | None]:
        """The record's Quote for one analysed item, and who said it (named, resolved or carried over)."""
        quote = Quote(
            content=_role(item["content"]),
            speaker=_role(item.get("speaker")),
            cue=_role(item.get("cue")),
            kind=_KINDS[item["kind"]],
            source=self.source,
            id=f"{key}:q{index}",
        )
        kind = item.get("speaker_kind")
        who: ResolvedSpeaker | None = None
        if kind in ("pronoun", "role"):
            who = quote.speaker_resolved = self._resolve(item, current)
            self.resolved += who is not None
            if who is None and kind == "role":
                who = self._named(text, key, item)  # "the chancellor" still names who goes on speaking
        elif kind is not None:
            who = self._named(text, key, item)
        elif (
            "cue" not in item and self.last_speaker is not None and self.record_no - self.last_speaker[1] <= 1
        ):
            # A quote with no cue of its own right after an attributed one: the same speaker goes on.
            who = quote.speaker_resolved = self.last_speaker[0]
        if who is not None and kind is not None:
            self._remember_speaker(who, item, current)
        return quote, who

    def _piece_of(self, first: Quote, item: dict[str, Any]) -> Quote:
        """Another piece of the quote whose first piece in this record is ``first``: its own content, the
        same speaker, cue, id and resolution."""
        return Quote(
            content=_role(item["content"]),
            speaker=_role(item.get("speaker")),
            cue=_role(item.get("cue")),
            kind=first.kind,
            source=self.source,
            id=first.id,
            speaker_resolved=first.speaker_resolved,
        )

    @staticmethod
    def _speaker_of(first: Quote | None) -> ResolvedSpeaker | None:
        return first.speaker_resolved if first is not None else None

    @staticmethod
    def _named(text: str, key: str, item: dict[str, Any]) -> ResolvedSpeaker:
        entity = item.get("entity")
        if entity:
            return ResolvedSpeaker(text=text[entity[0] : entity[1]], record_id=key, label=entity[2])
        start, end = item["speaker"]
        return ResolvedSpeaker(text=text[start:end], record_id=key)

    def _remember_speaker(self, who: ResolvedSpeaker, item: dict[str, Any], current: list[Mention]) -> None:
        self.last_speaker = (who, self.record_no)
        if who.label:
            gender = item.get("gender") if who.label == "PERSON" else None
            # The latest speaker is the likeliest referent of the next "it said" or "she said".
            current.append(Mention(who.text, who.record_id, who.label, 3, gender, item["speaker"][0]))

    def _resolve(self, item: dict[str, Any], current: list[Mention]) -> ResolvedSpeaker | None:
        """The nearest fitting mention: this sentence before the speaker first, then earlier sentences;
        within one sentence, speakers before subjects before other mentions, later before earlier."""
        wants = tuple(item.get("wants", ()))
        gender = item.get("gender")
        before = item["speaker"][0]
        for mentions in ([m for m in current if m.start < before], *reversed(self.history)):
            fitting = [
                m for m in mentions if m.label in wants and not (gender and m.gender and m.gender != gender)
            ]
            if fitting:
                best = max(enumerate(fitting), key=lambda pair: (pair[1].salience, pair[0]))[1]
                return ResolvedSpeaker(text=best.text, record_id=best.record_id, label=best.label)
        return None

    @staticmethod
    def _mention(text: str, key: str, raw: list[Any], labels: dict[int, tuple[int, str]]) -> Mention:
        start, end, label, salience, gender = raw
        if start in labels:
            # Document-level entity rules in the parent (surnames) may have changed the label or the end.
            end, label = labels[start]
        return Mention(text[start:end], key, label, salience, gender, start)
