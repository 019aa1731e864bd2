"""News-aware sentence segmentation: paragraph and sentence spans as code-point offsets into the source text.

How it decides, in one paragraph: text is first cut into paragraphs at every line break, and a paragraph break
always ends a sentence. Inside a paragraph a compiled regex finds the candidate ends (a run of ``. ? ! …``
with the closing quotes and brackets that follow it, then white space; or a full stop glued between a word and
a capitalised word, as in ``world.Today``). Each candidate is then judged by small rules that look at the
word before it (title, initial, dotted initialism, time, company or state suffix, numeric abbreviation) and
the token after it (case, digit, opening quote, a common sentence-opening word). Numbered, lettered and
bulleted list items are cut before their markers. Nothing is ever normalised: only offsets are returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import InputError, UsageError

Span = tuple[int, int]

# ----------------------------------------------------------------------------------------------------
# Patterns (compiled once; the per-candidate rules below are plain set lookups and string tests)

# The line breaks the record format treats as paragraph breaks; \r\n is one break, not two.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029]")

# Closing quotes, brackets and footnote marks that belong to the sentence they close. A curly closing quote
# may follow after a space (nested quotes: ``.’ ”``); a straight one after a space is an opener instead.
# Zero-width characters glued to the full stop stay with it too.
_CLOSERS = r"(?:[\"'”’»)\]}\u200b-\u200d\u2060\ufeff]|\[\d{1,3}\]|[ \u00a0\u2009\u202f](?=[”’»]))*"
_CANDIDATE = re.compile(
    # the look-ahead lets the regex engine skip to terminator characters fast (about 4x on news text)
    r"(?=[.?!…‽⁇⁈⁉‼。！？])(?:"
    # a spaced ellipsis (". . .") first, so its dots are one candidate, then any run of terminators
    r"(?P<stop>\.(?:[ \u00a0]\.){2,}|[.?!…‽⁇⁈⁉‼]+)(?P<close>" + _CLOSERS + r")(?=\s|$)"
    # "world.Today": a full stop with no space, between a lower-case letter or digit and a capitalised word
    r"|(?P<glue>(?<=[a-z0-9%])\.(?=[A-Z][a-z]))"
    # CJK full stops end a sentence without any space after them
    r"|(?P<cjk>[。！？]+[」』”’）)]*))"
)
# What follows a candidate: white space, opening quotes or brackets, then the next word (if it is a word).
_NEXT = re.compile(r"\s*(?P<open>[\"'“‘«„‚”’(\[{¿¡]*)(?P<word>[^\W_][\w'’\-]*)?")
_ALNUM = re.compile(r"[^\W_]")
# Dotted abbreviations: U.S, U.K, Ph.D, e.g, a.m, D.C (the final full stop is not part of the word)
_DOTTED = re.compile(r"(?:[A-Za-z]{1,3}\.)+[A-Za-z]{1,3}")
# A sentence so far that is only a list marker ("1", "• 9", "a", "iv", "(2") never ends at its full stop.
_MARKER_ONLY = re.compile(r"[•◦▪‣⁃●\-*]?\s*\(?(?:\d{1,3}|[A-Za-z]|[ivx]{1,4}|[IVX]{1,4})")
# "At 5 a.m." opening a sentence is an adverbial, not a sentence of its own.
_FRONTED_TIME = re.compile(
    r"[\"'“‘(]*(?:(?:at|by|before|after|until|till|from|since|around|about|shortly|just|on|early|late|"
    r"[a-z]+day|,)\s*)*\d{1,2}(?:[:.]\d{2})?\s*[ap]\.m",
    re.IGNORECASE,
)
_TIME_WORD = re.compile(r"[\w'’\-]+\s+time\b")
_NEXT_IS_INITIAL = re.compile(r"\s*[A-Z]\.(?:\s|$)")

_BULLET_CHARS = "•◦▪‣⁃●"
_BULLET = re.compile(f"[{_BULLET_CHARS}]")
_MARKER = re.compile(rf"(?:[{_BULLET_CHARS}]\s*)?(?P<label>\d{{1,3}}|[A-Za-z])(?P<punct>\.\)|\.|\))(?=\s)")
_COLON_LIST = re.compile(r":\s+(?=(?:\d{1,3}|[A-Za-z])(?:\.\)|\.|\))\s)")
_LONG_WORD = re.compile(r"[^\W\d_]{2,}")

# ----------------------------------------------------------------------------------------------------
# Word lists (case-sensitive: "Gen." is a title, "gen." is not)


def _words(*lines: str) -> frozenset[str]:
    return frozenset(word for line in lines for word in line.split())


# Titles and name prefixes: a capitalised word after them is the name they introduce, never a new sentence.
TITLES = _words(
    "Mr Mrs Ms Mx Messrs Mmes Mme Mlle Dr Drs Prof Profs Gen Gens Lt Col Maj Capt Cpt Cmdr Cdr Comdr Adm",
    "Sgt Cpl Pvt Pte Brig Cmdt Sen Sens Rep Reps Gov Govs Pres Supt Insp Det Amb Atty Sec Treas Rev Revs",
    "Fr Hon Rt Msgr St Ste Sts Mt Mts Ft",
)
# Infix abbreviations: always followed by more of the same sentence.
INFIX = _words("vs Vs v cf viz e.g i.e eg ie")
# Abbreviations that take a number ("No. 5", "Jan. 5", "p. 55"); before a capital they end a sentence.
NUMERIC = _words(
    "No Nos no nos Nr N° Nº Vol vol Vols vols p pp para paras Para Art art Arts Ch ch Chap chap",
    "Fig fig Figs figs Eq eq Op op Ed ed Eds eds approx Approx ca c est Est Tel tel ext Ext Rs Apt apt",
    "Rm Bldg min max hr hrs yr yrs mo mos wk wks ft lb lbs oz sq cu",
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec",
)
# Abbreviations that end a name (companies, suffixes, streets, U.S. states, weekdays): they end the sentence
# only when a common sentence-opening word follows ("Briggs & Co. It closed" but "Apple Inc. Chief ...").
SUFFIXES = _words(
    "Inc Corp Co Cos Ltd Plc plc LLC Bros Jr Sr Esq Ave Blvd Rd Hwy Pkwy Ln al Assn Dept Univ Intl Natl",
    "Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Kans Ky La Md Mass Mich Minn Miss Mo Mont Neb",
    "Nev Okla Ore Pa Penn Tenn Tex Va Vt Wash Wis Wyo Alta Ont Que",
    "Mon Tue Tues Wed Thu Thur Thurs Fri",
)
# Names that end in "!" ("Yahoo! Finance") behave like suffixes.
BANG_NAMES = _words("Yahoo Jeopardy")
# Capitalised words that usually open a sentence and rarely continue a name: after "U.S." or "Inc." they
# mean a new sentence ("in the U.S. How about you?"), while other capitals mean a name goes on
# ("the U.S. Government", "Apple Inc. Chief Executive").
STARTERS = _words(
    "A An The This That These Those There Here He She It They We I You His Her Its Their Our My Your",
    "Him Them But And Or So Yet Nor If When Whenever While Whereas Although Though Because Since After",
    "Before As At In On For From By With Without Within Under Over During Into To Of Despite Meanwhile",
    "However Moreover Also Still Then Now Later Earlier Yesterday Today Tonight Tomorrow What Why How",
    "Who Whom Whose Where Which Some Many Most All Both Each Every Any Few Several No Not Such Other",
    "Another Last Next According Is Are Was Were Be Do Does Did Can Could Will Would Should Shall Might",
    "Must Has Have Had Let Please Yes Mr Mrs Ms Just Only Even Instead Indeed Otherwise Thus Therefore",
    "Once Until Unless Among Against About Around Through Like Unlike More Less One Two Three Four Five",
    "Six Seven Eight Nine Ten Finally Overall Separately Elsewhere Currently Recently Already Again",
    "Perhaps Maybe Often Never Always Sometimes Whether Well Oh",
)
# Words that carry on after "p.m.": time zones, and the day or month news style puts after a time
# ("10 a.m. ET on Monday", "at 5 p.m. Wednesday", "at 9 a.m. March 3").
TIME_FOLLOWERS = _words(
    "ET EST EDT CT CST CDT MT MST MDT PT PST PDT GMT UTC BST CET CEST EET EEST MSK IST JST KST HKT SGT",
    "AEST AEDT Eastern Central Mountain Pacific Atlantic",
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "January February March April June July August September October November December",
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec",
)
# Lower-case words that name a single capital letter ("plan B.", "vitamin C."): that letter is no initial.
LETTER_LABELS = _words(
    "plan option vitamin type grade class group section part appendix exhibit category level phase tier",
    "row column block gate terminal wing letter model series stage size unit building runway platform",
    "pool division league list hepatitis schedule article figure table step",
)
_ROMAN = re.compile(r"[IVXLC]+")
# After a quoted question or exclamation, "Name said." is the reporting clause of that quote. The verb may
# take a short tail ("told reporters on Thursday") but not a clause of its own ("said he would ...").
_REPORTING = re.compile(
    r"\s*(?:[A-Z][\w'’.\-]*\s+)(?:(?:[A-Z][\w'’.\-]*|mayor|minister|president|spokesman|spokeswoman|"
    r"spokesperson|official|chief|secretary|leader|general|of|the|de|van|von|al)\s+){0,5}"
    r"(?:said|says|asked|asks|added|adds|told|tells|replied|replies|wrote|writes|tweeted|shouted|exclaimed|"
    r"cried|answered|recalled|wondered|demanded|insisted|joked|quipped|posted)"
    r"(?:\s+(?!(?:he|she|they|it|we|I|you|that|there|this|who|which)\b)[\w'’\-]+){0,5}(?=\s*[.,;:!?]|\s*$)"
)

# ----------------------------------------------------------------------------------------------------
# Public functions


def split_paragraphs(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Half-open, trimmed spans of the non-blank paragraphs of text[start:end]; offsets index ``text``.

    A paragraph ends at every line break: ``\\n``, ``\\r\\n``, ``\\r``, U+2028 and U+2029.
    """
    end = _check_bounds(text, start, end)
    spans: list[Span] = []
    pos = start
    for match in _LINE_BREAK.finditer(text, start, end):
        _append_trimmed(spans, text, pos, match.start())
        pos = match.end()
    _append_trimmed(spans, text, pos, end)
    return spans


def segment_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans over text[start:end]: trimmed, in order, never crossing a paragraph break."""
    spans: list[Span] = []
    for p_start, p_end in split_paragraphs(text, start, end):
        pos = p_start
        for cut in _sentence_cuts(text, p_start, p_end):
            _append_trimmed(spans, text, pos, cut)
            pos = cut
        _append_trimmed(spans, text, pos, p_end)
    return spans


# Unit name -> segmenter, so a caller (convert --unit) picks one by the user's word.
SEGMENTERS: dict[str, Callable[..., list[Span]]] = {
    "sentence": segment_sentences,
    "paragraph": split_paragraphs,
}


@dataclass
class SegmentSummary:
    """What ``segment_files`` wrote, for the one-line report on stderr."""

    files: int
    paragraphs: int
    units: int
    output: str


def segment_files(*, sources: list[str], output: str, unit: str = "sentence") -> SegmentSummary:
    """Write one JSON line per sentence (or paragraph) of each UTF-8 text file: source, offsets, text.

    Offsets index the file's text as decoded (a leading BOM is not part of it), so
    ``text[start:end]`` of the file read with ``encoding="utf-8-sig", newline=""`` is the line's ``text``.
    """
    import orjson

    from toolkit.jsonl import atomic_output
    from toolkit.readers.base import read_text, source_name

    if unit not in SEGMENTERS:
        raise UsageError(f"unknown unit {unit!r}", hint=f"use one of: {', '.join(sorted(SEGMENTERS))}")
    for source in sources:
        if source != "-" and Path(source).is_dir():
            raise InputError("is a folder, expected a text file", path=source_name(source), rule="not-a-file")
    paragraphs = units = 0
    with atomic_output(output, "wb") as handle:
        for source in sources:
            text, _ = read_text(source)
            name = source_name(source)
            for index, (p_start, p_end) in enumerate(split_paragraphs(text)):
                paragraphs += 1
                spans = [(p_start, p_end)] if unit == "paragraph" else segment_sentences(text, p_start, p_end)
                for start, end in spans:
                    line = {"source": name, "unit": units, "paragraph": index, "start": start, "end": end}
                    line["text"] = text[start:end]
                    handle.write(orjson.dumps(line) + b"\n")
                    units += 1
    return SegmentSummary(files=len(sources), paragraphs=paragraphs, units=units, output=output)


def _check_bounds(text: str, start: int, end: int | None) -> int:
    end = len(text) if end is None else end
    if not 0 <= start <= end <= len(text):
        raise UsageError(f"span [{start}, {end}) is outside the text (length {len(text)})")
    return end


def _append_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


# ----------------------------------------------------------------------------------------------------
# The scanner: candidate ends in one paragraph, judged in order


def _sentence_cuts(text: str, p_start: int, p_end: int) -> list[int]:
    """Offsets where one sentence of the paragraph ends and the next may begin (before trimming)."""
    cuts: list[int] = []
    list_cuts = _list_cuts(text, p_start, p_end)
    k = 0
    last = p_start  # where the current sentence starts
    for match in _CANDIDATE.finditer(text, p_start, p_end):
        if match.end() >= p_end:
            break  # the paragraph end closes the last sentence anyway
        while k < len(list_cuts) and list_cuts[k] <= match.start():
            if list_cuts[k] > last:
                cuts.append(list_cuts[k])
                last = list_cuts[k]
            k += 1
        if _ends_sentence(text, match, last, p_end):
            cuts.append(match.end())
            last = match.end()
    cuts.extend(cut for cut in list_cuts[k:] if cut > last)
    return cuts


def _ends_sentence(text: str, match: re.Match[str], last: int, p_end: int) -> bool:
    """Whether the candidate ``match`` ends the sentence that started at ``last``."""
    cs = match.start()
    if not _ALNUM.search(text, last, cs):
        return False  # nothing but punctuation so far
    if cs - last <= 6 and _MARKER_ONLY.fullmatch(text, last, cs):
        return False  # "1." / "a." / "• 9." opening a list item
    if match.group("cjk") is not None:
        return True
    if match.group("glue") is not None:
        return _glued_end(text, last, cs, match.end())
    stop = match.group("stop")
    nxt = _NEXT.match(text, match.end(), p_end)
    assert nxt is not None  # every part of the pattern is optional: it always matches
    after = _Next(text, nxt, p_end)
    if "?" in stop or "!" in stop or any(ch in stop for ch in "‽⁇⁈⁉‼"):
        verdict = _question_end(text, match, last, after)
    elif " " in stop or "\u00a0" in stop:
        # ". . ." marks words left out inside a sentence; ". . . ." is an omission plus a full stop
        verdict = stop.count(".") >= 4 and not after.lower
    elif len(stop) > 1 or stop == "…":
        # "..." and "…": an ellipsis before a capital ends the sentence, unless it is "[...]" in a citation
        verdict = not after.lower and text[cs - 1 : cs] not in ("[", "(")
    else:
        verdict = _full_stop_end(text, last, cs, after, closed=bool(match.group("close").strip()))
    return verdict and not _inside_embedded_parenthesis(text, last, cs, match.end(), p_end)


class _Next:
    """The token after a candidate: its opening quotes, first character and word, with case tests."""

    __slots__ = ("first", "lower", "digit", "quote", "word", "pos")

    def __init__(self, text: str, nxt: re.Match[str], p_end: int) -> None:
        self.pos = nxt.end("open")
        self.first = text[self.pos] if self.pos < p_end else ""
        self.word = nxt.group("word") or ""
        opener = nxt.group("open")
        self.quote = bool(opener) and any(ch in opener for ch in "\"'“‘«„‚”’")
        # "iPhone", "eBay": a lower-case first letter with a capital right after starts a sentence too
        self.lower = self.first.islower() and self.word[1:3] == self.word[1:3].lower()
        self.digit = self.first.isdigit()


def _word_before(text: str, last: int, cs: int) -> str:
    """The white-space-delimited word ending at ``cs``, without leading quotes or brackets."""
    i = cs
    while i > last and not text[i - 1].isspace():
        i -= 1
    return text[i:cs].lstrip("\"'“‘«„‚([{")


def _previous_word(text: str, last: int, cs: int) -> str:
    """The word before the word ending at ``cs`` (empty at the start of the sentence)."""
    i = cs
    while i > last and not text[i - 1].isspace():
        i -= 1
    while i > last and text[i - 1].isspace():
        i -= 1
    return _word_before(text, last, i).rstrip(",;:")


def _word_kind(text: str, last: int, cs: int, word: str) -> str:
    """Which kind of abbreviation (if any) ``word`` is, given the sentence so far."""
    if word in TITLES:
        if word in ("St", "Ste") and _is_name_like(_previous_word(text, last, cs)):
            return "suffix"  # "Main St." is a street; "St. Petersburg" is a saint
        return "title"
    if len(word) == 1 and word.isalpha() and word.isupper():
        return "initial"
    if word in INFIX:
        return "infix"
    if _DOTTED.fullmatch(word):
        return "time" if word.replace(".", "").lower() in ("am", "pm") else "initialism"
    if word in NUMERIC:
        return "numeric"
    if word in SUFFIXES:
        return "suffix"
    return "word"


def _is_name_like(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].isdigit())


def _full_stop_end(text: str, last: int, cs: int, after: _Next, *, closed: bool) -> bool:
    """A single full stop: decided by the kind of word before it and the token after it.

    ``closed`` says a closing quote or bracket follows the full stop: then even an abbreviation ends the
    sentence before a capital ("... back to the U.S.” Officials said").
    """
    word = _word_before(text, last, cs)
    kind = _word_kind(text, last, cs, word)
    if kind == "word":
        # an opening quote after a full stop starts the next sentence whatever its case
        return not after.lower or after.quote
    if after.lower or kind in ("title", "infix"):
        return False
    if closed:
        return True
    if kind == "initial":
        return _letter_ends_sentence(text, last, cs, word, after)
    if kind == "numeric":
        return not (after.digit or _ROMAN.fullmatch(after.word))  # "No. 5", "Vol. II"
    if after.digit:
        return False  # "the U.S. 10-year yield", "p.m. 20 minutes later" stays one sentence
    if kind == "time":
        return _time_ends_sentence(text, last, cs, after)
    return after.quote or after.word in STARTERS  # initialism or suffix


def _letter_ends_sentence(text: str, last: int, cs: int, letter: str, after: _Next) -> bool:
    """A capital letter and a full stop: an initial ("George W. Bush"), unless it is "I" or "plan B"."""
    if _NEXT_IS_INITIAL.match(text, after.pos):
        return False  # "I. M. Pei", "J. R. R. Tolkien"
    if after.word in STARTERS:
        return True  # nobody's surname is "The": "a grade of A. The next year ..."
    before = _previous_word(text, last, cs)
    if before.lower() in LETTER_LABELS:
        return True
    return letter == "I" and before.isalpha() and before.islower()  # "you and I. Did you ..."


def _time_ends_sentence(text: str, last: int, cs: int, after: _Next) -> bool:
    """ "at 5 p.m. The minister ..." ends; "At 5 a.m. Mr. Smith went" and "10 a.m. ET" do not."""
    if after.word in TIME_FOLLOWERS or _TIME_WORD.match(text, after.pos):
        return False
    return not (cs - last <= 40 and _FRONTED_TIME.fullmatch(text, last, cs))


def _question_end(text: str, match: re.Match[str], last: int, after: _Next) -> bool:
    """ "?" and "!" end a sentence unless lower case follows or a reporting clause closes the quote."""
    if after.lower:
        return False
    if match.group("close") and _REPORTING.match(text, match.end()):
        return False  # "“Are we winning?” Zelenskiy asked." is one sentence
    if "!" in match.group("stop") and _word_before(text, last, match.start()) in BANG_NAMES:
        return after.quote or after.word in STARTERS
    return True


def _glued_end(text: str, last: int, cs: int, pe: int) -> bool:
    """ "world.Today": a missing space after a full stop, but not in a URL, an e-mail or an abbreviation."""
    i = cs
    while i > last and not text[i - 1].isspace():
        i -= 1
    j = pe
    while j < len(text) and not text[j].isspace():
        j += 1
    run = text[i:j]
    if "@" in run or "/" in run or "www." in run.lower():
        return False
    word = text[i:cs].lstrip("\"'“‘«„‚([{")
    return len(word) > 1 and _word_kind(text, last, cs, word) == "word"


def _inside_embedded_parenthesis(text: str, last: int, cs: int, pe: int, p_end: int) -> bool:
    """A full stop inside "( ... )" that the sentence continues after, as in "(He left. It rained.) and"."""
    if text.find("(", last, cs) < 0 or text.count("(", last, cs) <= text.count(")", last, cs):
        return False
    close = text.find(")", pe, p_end)
    if close < 0:
        return False
    rest = text[close + 1 : close + 3].lstrip()
    return bool(rest) and (rest[0].islower() or rest[0] in ",;:")


# ----------------------------------------------------------------------------------------------------
# Lists: cuts before item markers, independent of full stops


def _list_cuts(text: str, p_start: int, p_end: int) -> list[int]:
    """Offsets of list-item starts after the first: bullets, and runs of "1. 2. 3." / "a) b) c)" markers."""
    cuts: set[int] = set()
    if _BULLET.search(text, p_start, p_end):
        bullets = [
            m.start()
            for m in _BULLET.finditer(text, p_start, p_end)
            if m.start() == p_start or text[m.start() - 1].isspace()
        ]
        if len(bullets) >= 2:
            cuts.update(b for b in bullets if b > p_start)
    first = _MARKER.match(text, p_start, p_end)
    if first is not None:
        cuts.update(_marker_run(text, first, p_end))
    if text.find(":", p_start, p_end) >= 0:
        # "Two demands: 1. a ceasefire 2. a swap": after a colon the first item is cut off the intro too
        for colon in _COLON_LIST.finditer(text, p_start, p_end):
            first = _MARKER.match(text, colon.end(), p_end)
            run = _marker_run(text, first, p_end) if first is not None else []
            if run:
                cuts.update([colon.end(), *run])
    return sorted(cuts)


def _marker_run(text: str, first: re.Match[str], p_end: int) -> list[int]:
    """Starts of the markers continuing the list that ``first`` opens (same style, next number or letter)."""
    label, punct = first.group("label"), first.group("punct")
    # "A. Smith met B. Jones" is initials, so a list with capital letters needs three items
    min_items = 3 if label.isalpha() and label.isupper() else 2
    starts: list[int] = []
    pos = first.end()
    while (label := _next_label(label)) is not None:
        pattern = re.compile(rf"(?<=\s)(?:[{_BULLET_CHARS}]\s*)?{re.escape(label + punct)}(?=\s)")
        found = pattern.search(text, pos, p_end)
        if found is None or not _LONG_WORD.search(text, pos, found.start()):
            break
        starts.append(found.start())
        pos = found.end()
    return starts if len(starts) + 1 >= min_items else []


def _next_label(label: str) -> str | None:
    if label.isdigit():
        return str(int(label) + 1)
    if label in ("z", "Z"):
        return None
    return chr(ord(label) + 1)
