"""Typo detection for normalized news paragraphs: reported, never corrected.

Kinds found (see ``shared/CONTRACT.md``): ``misspelling``, ``name_inconsistency``,
``doubled_word``, ``stray_period``, ``unbalanced_quote``, ``bracket_echo`` and ``spacing``.
``grammar`` covers one narrow pattern only (a finite verb inside an absolute "with"
phrase: ", with Kim was shown hugging").

Only packaged data is used, loaded lazily and cached on first use:

* wordfreq's ``large`` English list (British and American spellings both present) decides
  whether a lowercase word is known, and supplies candidate corrections ranked by edit
  distance (optimal string alignment, so a transposition costs 1) and then frequency;
* codespell's ``dictionary.txt`` of known misspellings ("recieve->receive") gives
  high-confidence flags with the right suggestion, even for misspellings common enough to be
  in wordfreq;
* small lexicons in ``cleaners/data/`` (abbreviations, legitimately doubled words, codespell
  entries that are real words in news prose).

Capitalised words in mid-sentence and all-caps acronyms are presumed to be names and never
judged by the dictionary; a name is flagged only as a near-variant of a more frequent name.

>>> [(t.kind, t.token, t.suggestion) for t in find_typos(["The goverment said the the talks were. over."])]
[('misspelling', 'goverment', 'government'), ('doubled_word', 'the the', 'the'), ('stray_period', 'were.', 'were')]
>>> find_typos(["Colour and honour are fine in London, as is the U.S. economy at 3.5% (see www.example.com)."])
[]
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import polars as pl

from cleaners.config import CONFIG

__all__ = [
    "KINDS",
    "SCREENED",
    "NameIndex",
    "Typo",
    "count_names",
    "find_typos",
    "find_typos_in_text",
    "name_counts",
    "screen_paragraphs",
    "suggest",
]

KINDS = (
    "misspelling",
    "name_inconsistency",
    "doubled_word",
    "stray_period",
    "unbalanced_quote",
    "bracket_echo",
    "grammar",
    "spacing",
)


@dataclass(frozen=True)
class Typo:
    """One suspected typo.

    ``start``/``end`` are character offsets into ``paragraphs[paragraph]`` (for
    :func:`find_typos_in_text`, into the whole text) and ``token`` is the text they cover.
    """

    paragraph: int
    start: int
    end: int
    token: str
    kind: str
    suggestion: str | None
    confidence: float


# ---------------------------------------------------------------------------------------------
# Lexicons (lazy, cached)


def _data_lines(name: str) -> list[str]:
    """Non-comment, non-blank lines of ``cleaners/data/<name>``."""
    try:
        text = resources.files("cleaners").joinpath("data", name).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover - source checkout fallback
        text = (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@functools.cache
def _abbreviations() -> frozenset[str]:
    return frozenset(_data_lines("abbreviations.txt"))


@functools.cache
def _legit_doubles() -> frozenset[str]:
    return frozenset(_data_lines("legit_doubles.txt"))


@functools.cache
def _zipf_table() -> dict[str, float]:
    """wordfreq 'large' English: word -> zipf frequency (log10 per billion words).

    The values of ``log10(f) + 9`` over ``wordfreq.get_frequency_dict("en", "large")``, read from
    its packed buckets: one float per frequency band, not per word, and no copy left in
    wordfreq's own caches (which would hold a second table of 321,000 words in every process).
    """
    import wordfreq

    table: dict[str, float] = {}
    buckets = wordfreq.read_cBpack(wordfreq.available_languages("large")["en"])
    for index, bucket in enumerate(buckets):  # as get_frequency_dict: the index is -centibels
        if bucket:
            zipf = math.log10(wordfreq.cB_to_freq(-index)) + 9.0
            table.update(dict.fromkeys(bucket, zipf))
    return table


def _zipf(word: str) -> float:
    """Zipf frequency of a lowercase word, 0.0 when unknown.

    >>> _zipf("the") > 7, _zipf("colour") > 4, _zipf("xqzvv")
    (True, True, 0.0)
    """
    return _zipf_table().get(word, 0.0)


@functools.cache
def _codespell() -> dict[str, str]:
    """codespell's known misspellings -> best single-word correction (fewest edits, then commonest)."""
    import codespell_lib

    path = Path(codespell_lib.__file__).parent / "data" / "dictionary.txt"
    exclude = set(_data_lines("codespell_exclude.txt"))
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        wrong, _, right = line.partition("->")
        options = [o.strip() for o in right.split(",") if o.strip() and " " not in o.strip()]
        if not options or not wrong.isalpha() or wrong in exclude:
            continue
        if len(options) > 1:  # "rnage->rage, range": fewest edits, then the commoner word
            options.sort(key=lambda o: (_osa(wrong, o.lower()), -_zipf(o.lower())))
        fix = options[0]
        if "-" in fix:
            continue
        if _zipf(wrong) >= CONFIG.codespell_max_zipf or _zipf(fix.lower()) <= _zipf(wrong):
            continue
        table[wrong] = fix
    return table


@functools.cache
def _pool() -> tuple[dict[str, float], dict[str, str | tuple[str, ...]], dict[int, list[str]]]:
    """Candidate corrections: word -> zipf, a one-deletion index, and words by length.

    The deletion index maps a key to its one word as a plain string (305,000 of its 343,000
    keys), else to a tuple of words: a list per key cost ~25 MiB more in every process.
    """
    bad = _codespell()
    words = {
        w: z
        for w, z in _zipf_table().items()
        if z >= CONFIG.pool_zipf and w.isalpha() and w not in bad and len(w) > 1
    }
    deletes: dict[str, str | tuple[str, ...]] = {}
    by_len: dict[int, list[str]] = defaultdict(list)
    for w in words:
        by_len[len(w)].append(w)
        for key in (w, *(w[:i] + w[i + 1 :] for i in range(len(w)))):
            had = deletes.get(key)  # a word whose deletions coincide ("aa": "a", "a") is listed once
            if had is None:
                deletes[key] = w
            elif isinstance(had, str):
                if had != w:
                    deletes[key] = (had, w)
            elif had[-1] != w:
                deletes[key] = (*had, w)
    return words, deletes, dict(by_len)


def _deleted_from(deletes: dict[str, str | tuple[str, ...]], key: str) -> tuple[str, ...]:
    """The words of the deletion index under ``key``, in the order they were added.

    >>> _deleted_from({"cat": "cat", "at": ("at", "cat")}, "at"), _deleted_from({"cat": "cat"}, "cat")
    (('at', 'cat'), ('cat',))
    """
    found = deletes.get(key, ())
    return (found,) if isinstance(found, str) else found


def _osa(a: str, b: str) -> int:
    from rapidfuzz.distance import OSA

    return int(OSA.distance(a, b))


@functools.lru_cache(maxsize=65536)
def _candidates(word: str, max_dist: int = 2) -> tuple[tuple[str, int, float], ...]:
    """Known words within ``max_dist`` edits, best first: (word, distance, zipf).

    >>> _candidates("recieve")[0][:2]
    ('receive', 1)
    """
    if len(word) > CONFIG.max_word_chars:
        return ()
    deletes = _pool()[1]
    found: dict[str, int] = {}
    keys = {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}
    for k in keys:
        for c in _deleted_from(deletes, k):
            if c != word and c not in found:
                d = _osa(word, c)
                if d <= 1:
                    found[c] = d
    if not found and max_dist >= 2 and len(word) > 3:
        found = _within(word, max_dist)
    return _ranked(word, found)


def _within(word: str, max_dist: int) -> dict[str, int]:
    """Known words of the pool within ``max_dist`` edits of ``word``, one letter longer or shorter at
    most (+-2 letters is rare and costly), with their distance."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    by_len = _pool()[2]
    found: dict[str, int] = {}
    for n in range(max(2, len(word) - 1), len(word) + 2):
        bucket = by_len.get(n)
        if bucket:
            for c, d, _ in process.extract(
                word, bucket, scorer=OSA.distance, score_cutoff=max_dist, limit=None
            ):
                if c != word:
                    found[c] = int(d)
    return found


def _ranked(word: str, found: Mapping[str, int]) -> tuple[tuple[str, int, float], ...]:
    """(word, distance, zipf) of ``found``: fewest edits, same first letter, commonest first."""
    words, first = _pool()[0], word[:1]
    ranked = sorted(found.items(), key=lambda cd: (cd[1], cd[0][:1] != first, -words[cd[0]], cd[0]))
    return tuple((c, d, words[c]) for c, d in ranked)


@functools.lru_cache(maxsize=65536)
def _nearby(word: str) -> tuple[tuple[str, int, float], ...]:
    """Like :func:`_candidates`, with the two-edit words even when one edit finds some: the
    choices context weighs for a flagged word (``wourld``: would, world; ``foow``: foot, for).

    >>> [c for c, d, _ in _nearby("foow") if d == 2][:3]
    ['for', 'from', 'few']
    """
    cands = _candidates(word)
    if len(word) <= 3 or len(word) > CONFIG.max_word_chars or any(d == 2 for _, d, _ in cands):
        return cands
    return _ranked(word, {**_within(word, 2), **{c: d for c, d, _ in cands}})


def suggest(word: str) -> str | None:
    """Best correction for a (lowercase) word, or None.

    >>> suggest("goverment"), suggest("definately"), suggest("soliders")
    ('government', 'definitely', 'soldiers')
    """
    w = word.lower().replace("’", "'")
    fix = _codespell().get(w)
    if fix is None:
        cands = _candidates(w)
        fix = cands[0][0] if cands else None
    if fix is not None and word[:1].isupper():
        fix = fix[:1].upper() + fix[1:]
    return fix


# ---------------------------------------------------------------------------------------------
# Tokens

_LETTERS = r"[^\W\d_]"
_WORD = re.compile(rf"{_LETTERS}+(?:['’]{_LETTERS}+)*")
_CHUNK = re.compile(r"\S+")
_URLISH = re.compile(
    r"(?i)(?:https?:|www\.|@|#|/|\\|_|\w\.(?:com|org|net|gov|edu|io|co|uk|ru|ua|kr|de|fr|info|biz)\b|\.\w+\.\w)"
)
_SENT_END = frozenset(".!?:…")
_OPENERS = "“‘\"'([{«—–-*•"
_HYPHEN_NAME = re.compile(rf"(?:^|[^\w’'-])[A-Z]{_LETTERS}*[a-z](?:-[a-z]+)*$")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
#: A clitic ending of a word, either apostrophe (the possessive 's, 'd, 'll, 're, 've, 'm, 't).
_CLITIC = re.compile(r"['’](?:s|d|ll|re|ve|m|t)$")


def _is_sentence_start(text: str, pos: int) -> bool:
    """True when the word at ``pos`` begins a sentence (or a quotation or the paragraph)."""
    i = pos - 1
    while i >= 0 and (text[i].isspace() or text[i] in _OPENERS):
        if text[i] in '“"‘':
            return True
        i -= 1
    return i < 0 or text[i] in _SENT_END


def _name_form(word: str) -> str:
    """Strip a possessive ending from a name token ("Kim’s" -> "Kim")."""
    return _POSSESSIVE.sub("", word)


#: Where a :data:`_WORD` token can start with anything but an ASCII lowercase letter: a letter not
#: after a letter, nor after an apostrophe that joins it to one. Most words start lowercase; the
#: regex engine skips them, so Python sees only the tokens that may be names.
_CAP_WORD = re.compile(rf"(?<!{_LETTERS})(?<!{_LETTERS}['’])(?=[^\W\d_a-z]){_WORD.pattern}")


def _name_tokens(paragraph: str) -> Iterable[tuple[int, int, str, bool]]:
    """Capitalised tokens: (start, end, name without possessive, starts a sentence).

    >>> [t[2:] for t in _name_tokens("Kim’s aide met Putin. Then éric left, said O'Brien")]
    [('Kim', True), ('Putin', False), ('Then', True)]
    """
    for m in _CAP_WORD.finditer(paragraph):
        w = m.group()
        if not w[0].isupper():
            continue  # a non-ASCII lowercase start (éric)
        name = _name_form(w) if ("'" in w or "’" in w) else w
        if len(name) < 2 or not name[0].isupper() or not name[1:].islower():
            continue
        s, e = m.span()
        if (s and paragraph[s - 1].isdigit()) or (e < len(paragraph) and paragraph[e].isdigit()):
            continue
        yield s, s + len(name), name, _is_sentence_start(paragraph, s)


def count_names(paragraphs: Iterable[str]) -> Counter[str]:
    """Count capitalised name tokens (possessives folded).

    A capitalised word that starts a sentence counts only when it also appears capitalised
    mid-sentence or is not a common English word ("The", "Then" are not names).

    >>> sorted(count_names(["Kim met Putin.", "The talks with Kim’s envoy went well."]).items())
    [('Kim', 2), ('Putin', 1)]
    """
    counts: Counter[str] = Counter()
    initial: Counter[str] = Counter()
    for p in paragraphs:
        for _, _, name, first in _name_tokens(p):
            (initial if first else counts)[name] += 1
    for name, c in initial.items():
        if name in counts or _zipf(name.lower()) < 4.0:
            counts[name] += c
    return counts


# The same tokens in polars' (Rust) regex syntax, for :func:`name_counts`. Python's letters
# ``[^\W\d_]`` are the letters and the numerals that are not decimal digits; ``str.isspace``
# also counts the separators U+001C-U+001F. Rust's Unicode tables are newer than Python's: a
# character Python's ``unicodedata`` does not know yet may be classed differently.
_RX_L = r"\p{L}\p{Nl}\p{No}"
_RX_RUN = rf"[\s\x1c-\x1f{re.escape(_OPENERS)}]"
#: A word with an uppercase first letter (``str.isupper``), letters joined by apostrophes.
_RX_CAP = rf"[\p{{Uppercase}}&&[{_RX_L}]][{_RX_L}]*(?:['’][{_RX_L}]+)*"
#: A paragraph is cut into pieces: everything up to and including the next capitalised word
#: that starts a token (after a non-letter that is not an apostrophe joining it to a letter, as
#: ``_CAP_WORD``'s look-behinds say), then the rest. Pieces are contiguous: each piece's first
#: character is the one right after the previous word.
_RX_PIECE = rf"(?s).*?(?:[^{_RX_L}'’]|[^{_RX_L}]['’]){_RX_CAP}|(?s).+"
#: Starts a sentence (:func:`_is_sentence_start`): the white space and openers before the word
#: hold a quote, or follow a sentence end.
_RX_INITIAL = rf"(?:[{re.escape(''.join(sorted(_SENT_END)))}]|[“\"‘]{_RX_RUN}*){_RX_RUN}*$"


def name_counts(paragraphs: pl.DataFrame, key: str) -> pl.DataFrame:
    """:func:`count_names` of every group of paragraphs at once, with polars expressions.

    ``paragraphs`` has a ``key`` column and a ``text`` column (one paragraph per row; the
    groups are the ``key`` values). Returns one row per (``key``, ``name``) with its ``count``,
    sorted by both: the same counts as :func:`count_names` on each group's paragraphs. Python
    runs only for the sentence-initial names never seen mid-sentence (their word frequency).

    >>> df = pl.DataFrame({"k": [0, 0, 1], "text": ["Kim met Putin.", "The talks with Kim’s envoy went well.", "Then éric left"]})
    >>> name_counts(df, "k").rows()
    [(0, 'Kim', 2), (0, 'Putin', 1)]
    """
    text = pl.col("text")
    # a "." before the paragraph is its start (a sentence start); a space after it ends the
    # last piece, which tells whether a digit follows the last word
    pieces = (
        paragraphs.lazy()
        .filter(text.is_not_null())
        .select(key, piece=(pl.lit(".") + text + pl.lit(" ")).str.extract_all(_RX_PIECE))
        .explode("piece")
        .with_columns(
            word=pl.col("piece").str.extract(rf"({_RX_CAP})$"),
            after=pl.col("piece").shift(-1).str.head(1),
        )
        .filter(pl.col("word").is_not_null())
        .with_columns(gap=pl.col("piece").str.head(-pl.col("word").str.len_chars().cast(pl.Int64)))
    )
    tokens = (
        pieces.filter(~pl.col("gap").str.contains(r"\d$") & ~pl.col("after").str.contains(r"^\d"))
        .with_columns(name=pl.col("word").str.replace(r"['’][sS]$", ""))
        .with_columns(rest=pl.col("name").str.slice(1))
        .filter(
            (pl.col("name").str.len_chars() >= 2)
            & ~pl.col("rest").str.contains(r"[\p{Uppercase}\p{Lt}]")
            & pl.col("rest").str.contains(r"\p{Lowercase}")
        )
        .with_columns(first=pl.col("gap").str.contains(_RX_INITIAL))
        .group_by(key, "name")
        .agg(
            mid=(~pl.col("first")).sum().cast(pl.Int64),
            initial=pl.col("first").sum().cast(pl.Int64),
        )
        .collect()
    )
    only_initial = tokens.filter(pl.col("mid") == 0)["name"].unique().to_list()
    rare = [n for n in only_initial if _zipf(n.lower()) < 4.0]
    keep_initial = (pl.col("mid") > 0) | pl.col("name").is_in(rare)
    return (
        tokens.select(
            key, "name", count=pl.col("mid") + pl.when(keep_initial).then(pl.col("initial")).otherwise(0)
        )
        .filter(pl.col("count") > 0)
        .sort(key, "name")
    )


# ---------------------------------------------------------------------------------------------
# Detectors. Each yields (start, end, kind, suggestion, confidence) for one paragraph.

_Hit = tuple[int, int, str, str | None, float]


#: A misspelling check's verdict: (suggestion, confidence, rule). The rule is ``codespell`` (its
#: list of common misspellings), ``ending`` (companys: companies), ``nearest`` (the nearest
#: common word, which the context may re-rank: :func:`_in_context`) or ``real_word``.
_Verdict = tuple[str | None, float, str]


def _check_word(word: str) -> _Verdict | None:
    """Judge one lowercase word: None if fine, else its :data:`_Verdict`.

    >>> _check_word("recieve"), _check_word("siad")
    (('receive', 0.95, 'codespell'), ('said', 0.7, 'nearest'))
    """
    return _check_lower(word.replace("’", "'"))


@functools.lru_cache(maxsize=131072)
def _check_lower(w: str) -> _Verdict | None:
    if len(w) < 2 or len(w) > CONFIG.max_word_chars:
        return None
    fix = _codespell().get(w)
    if fix is not None:
        return fix, 0.95, "codespell"
    z = _zipf(w)
    if len(w) > 4 and w.endswith("ys") and w[-3] not in "aeiouy" and _zipf(w[:-2] + "ies") >= 3.0:
        return w[:-2] + "ies", 0.85, "ending"  # companys -> companies
    if z >= CONFIG.known_zipf:
        return None
    if "'" in w:
        base = _CLITIC.sub("", w)
        if base != w:
            return _check_lower(base) if base else None
        return None
    if z > 0:
        near = [
            c for c in _candidates(w, 1 if z >= CONFIG.very_rare_zipf else 2) if not _is_inflected(w, c[0])
        ]
        if any(
            c[2] >= max(CONFIG.fix_min_zipf, z + CONFIG.rare_gap) for c in near
        ):  # flagged; the nearest, commonest fix
            return near[0][0], 0.7 if near[0][1] == 1 else 0.6, "nearest"
        return None
    cands = _candidates(w)
    if cands:
        return cands[0][0], 0.8 if cands[0][1] == 1 else 0.6, "nearest"
    return None


def _context_score(
    word: str, cand: str, distance: int, zipf: float, before: str | None, after: str | None
) -> float:
    """How well ``cand`` corrects ``word`` between the words ``before`` and ``after`` (lowercase,
    None at a paragraph's edge): its zipf, how often each pair has been seen (the bigram counts),
    the edits, a shared first letter; weighted by the ``suggest_*`` values of CONFIG."""
    seen = _bigrams()
    pairs = 0.0
    if before:
        pairs += math.log1p(seen.get(f"{before} {cand}", 0))
    if after:
        pairs += math.log1p(seen.get(f"{cand} {after}", 0))
    return (
        zipf
        + CONFIG.suggest_context * pairs
        - CONFIG.suggest_distance * distance
        + CONFIG.suggest_first_letter * (cand[:1] == word[:1])
    )


def _neighbours(p: str, start: int, end: int) -> tuple[str | None, str | None]:
    """The lowercase words right before and after ``p[start:end]`` (None past punctuation or an edge)."""
    before = _WORD_BEFORE.search(p, 0, start)
    after = _WORD_AFTER.match(p, end)
    return (before.group(1).lower() if before else None, after.group(1).lower() if after else None)


def _in_context(p: str, start: int, end: int, w: str) -> str | None:
    """The correction of the flagged lowercase word ``w`` (``p[start:end]``) that best fits the
    words around it, among its :func:`_nearby` words (None when it has none).

    >>> _in_context("in the wourld of", 7, 13, "wourld"), _in_context("I wourld go", 2, 8, "wourld")
    ('world', 'would')
    """
    w = _CLITIC.sub("", w.replace("’", "'"))
    before, after = _neighbours(p, start, end)
    best, top = None, -math.inf
    for c, d, z in _nearby(w):
        score = _context_score(w, c, d, z, before, after)
        if score > top:
            best, top = c, score
    return best


_INFLECTIONS = ("s", "es", "d", "ed", "er", "ers", "ly", "ing", "y", "n", "ness", "ism")


def _is_inflected(word: str, base: str) -> bool:
    """True when ``word`` is ``base`` plus a common ending (paged/page), a real word in its own right.

    >>> _is_inflected("paged", "page"), _is_inflected("goverments", "governments")
    (True, False)
    """
    return len(word) > len(base) and word.startswith(base) and word[len(base) :] in _INFLECTIONS


def _looks_foreign(p: str) -> bool:
    """True when too many lowercase words are unknown to wordfreq.

    >>> _looks_foreign("Der Bundestag hat gestern das neue Gesetz über die Rente beschlossen, sagte er.")
    True
    >>> _looks_foreign("The Bundestag passed the new pension law yesterday, he said.")
    False
    """
    words = [w for w in _WORD.findall(p) if w.islower()]
    if len(words) < 8:
        return False
    unknown = sum(1 for w in words if _zipf(w.replace("’", "'")) < CONFIG.known_zipf)
    return unknown > CONFIG.foreign_share * len(words)


def _misspellings(p: str, counts: Mapping[str, int], uses: Callable[[str], int]) -> Iterable[_Hit]:
    """Misspelled words of ``p``; ``counts`` are the name counts, ``uses(w)`` how often the
    lowercase word ``w`` occurs in the article (a rare word used more than ``rare_word_max_uses``
    times is the writer's own, not a slip; codespell's misspellings are flagged however often).

    >>> [h[:4] for h in _misspellings("He siad so.", {}, lambda w: 1)]
    [(3, 7, 'misspelling', 'said')]
    >>> list(_misspellings("He siad so.", {}, lambda w: 3))
    []
    """
    if _looks_foreign(p):
        return
    for chunk in _CHUNK.finditer(p):
        text = chunk.group()
        if _URLISH.search(text):
            continue
        base = chunk.start()
        for m in _WORD.finditer(text):
            w = m.group()
            s, e = m.span()
            if (s and text[s - 1].isdigit()) or (e < len(text) and text[e].isdigit()):
                continue
            if (s and text[s - 1] == ".") or (e + 1 < len(text) and text[e] == "." and text[e + 1].isalpha()):
                continue  # a.m., U.S.-style dotted tokens
            if s > 1 and text[s - 1] in "-‐" and _HYPHEN_NAME.search(text, 0, s - 1):
                continue  # the lowercase part of a hyphenated given name: Sang-mok, Jae-myung
            if w.islower():
                res = _check_word(w)
                if res is None:
                    res = _real_word_slip(p, base + s, base + e, w)
                elif res[2] != "codespell" and uses(w) > CONFIG.rare_word_max_uses:
                    continue
                if res is None:
                    continue
                fix, conf, rule = res
                if rule == "nearest":
                    fix = _in_context(p, base + s, base + e, w) or fix
                if "'" in w or "’" in w:
                    tail = _CLITIC.search(w)
                    if tail and fix is not None and "'" not in fix:
                        fix += tail.group().replace("'", "’") if "’" in w else tail.group()
                yield base + s, base + e, "misspelling", fix, conf
            elif w[0].isupper() and w[1:].islower():
                hit = _title_hit(p, w, base + s, counts)
                if hit is not None:
                    yield hit


def _title_hit(p: str, w: str, start: int, counts: Mapping[str, int]) -> _Hit | None:
    """A capitalised word of ``p`` at ``start``: one of codespell's misspellings starting a
    sentence (Goverment officials said ...), or a slip of a common word (:func:`_check_title`)."""
    if counts.get(w, 0) < 2 and _is_sentence_start(p, start):
        fix = _codespell().get(w.lower())
        if fix is not None:
            return start, start + len(w), "misspelling", fix[:1].upper() + fix[1:], 0.85
    name = _name_form(w)
    if counts.get(name, 0) > CONFIG.slip_max_uses:
        return None
    slip = _check_title(name.lower().replace("’", "'"))
    if slip is None:
        return None
    return start, start + len(name), "misspelling", slip[:1].upper() + slip[1:], 0.7


def _slips(w: str) -> set[str]:
    """The words ``w`` is a slip of when typed with a letter left out, a letter typed twice, or
    two neighbouring letters swapped (the inverse of :func:`_slip_forms`).

    >>> sorted(c for c in _slips("chinna") | _slips("jnoes") if _zipf(c) > 4)
    ['china', 'jones']
    """
    out = {w[:i] + ch + w[i:] for i in range(len(w) + 1) for ch in "abcdefghijklmnopqrstuvwxyz"}
    out.update(w[:i] + w[i + 1 :] for i in range(len(w) - 1) if w[i] == w[i + 1])
    out.update(w[:i] + w[i + 1] + w[i] + w[i + 2 :] for i in range(len(w) - 1))
    out.discard(w)
    return out


def _slip_forms(c: str) -> Iterable[str]:
    """What ``c`` becomes with a letter left out, a letter typed twice, or two neighbours swapped.

    >>> sorted(_slip_forms("ab"))
    ['a', 'aab', 'abb', 'b', 'ba']
    """
    for i in range(len(c)):
        yield c[:i] + c[i + 1 :]
        yield c[:i] + c[i] + c[i:]
    for i in range(len(c) - 1):
        yield c[:i] + c[i + 1] + c[i] + c[i + 2 :]


@functools.lru_cache(maxsize=65536)
def _check_title(w: str) -> str | None:
    """The common word a capitalised word (lowercased, no possessive) slipped from, or None.

    A capitalised word is usually a name, and a rare or unknown one is no error: it is flagged
    only when it is rare (under ``known_zipf``) and a common word (``fix_min_zipf``, and
    ``rare_gap`` more common) becomes it with one letter left out, typed twice, or swapped with
    its neighbour, not by an ending (Chicag, Russsian, Jnoes; Pamir is not "pair" misspelt).

    >>> _check_title("chicag"), _check_title("russsian"), _check_title("jnoes"), _check_title("moscow")
    ('chicago', 'russian', 'jones', None)
    >>> _check_title("pamir"), _check_title("controls")
    (None, None)
    """
    if len(w) < CONFIG.slip_min_chars or len(w) > CONFIG.max_word_chars or not w.isalpha():
        return None
    z = _zipf(w)
    if z >= CONFIG.known_zipf:
        return None
    best = max(((_zipf(c), c) for c in _slips(w) if not _is_inflected(w, c)), default=None)
    if best is None or best[0] < max(CONFIG.fix_min_zipf, z + CONFIG.rare_gap):
        return None
    return best[1]


def _edits1(w: str) -> Iterable[str]:
    """The strings one edit from ``w``: a letter deleted, inserted, replaced, or two swapped."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    for i in range(len(w) + 1):
        if i < len(w):
            yield w[:i] + w[i + 1 :]
            if i + 1 < len(w):
                yield w[:i] + w[i + 1] + w[i] + w[i + 2 :]
        for ch in letters:
            yield w[:i] + ch + w[i:]
            if i < len(w):
                yield w[:i] + ch + w[i + 1 :]


def _confusable(w: str) -> tuple[str, ...]:
    """The far commoner words one edit from the known word ``w``, best first (its candidates at
    least ``rare_gap`` more common and ``fix_min_zipf`` common, not an ending away)."""
    z = _zipf(w)
    return tuple(
        c
        for c, _, zc in _candidates(w, 1)
        if zc >= max(CONFIG.fix_min_zipf, z + CONFIG.rare_gap)
        and not (_is_inflected(w, c) or _is_inflected(c, w))
    )


@functools.cache
def confusables() -> dict[str, tuple[str, ...]]:
    """Known words a far commoner word is one edit from, with those words best first (tie: the,
    fro: for, from; thee: the): a slip of the commoner word types them. Found from the commoner
    words' edits, so only the 1,400 or so such words are looked up.

    >>> confusables()["thee"], confusables()["fro"], "house" in confusables()
    (('the',), ('for', 'from'), False)
    """
    table = _zipf_table()
    floor = CONFIG.known_zipf + CONFIG.rare_gap
    found: set[str] = set()
    for c, zc in table.items():
        if zc >= floor and c.isalpha():
            found.update(
                v for v in _edits1(c) if CONFIG.known_zipf <= table.get(v, 0.0) <= zc - CONFIG.rare_gap
            )
    out = {}
    for w in sorted(found):
        fixes = _confusable(w)
        if fixes:
            out[w] = fixes
    return out


@functools.cache
def _bigrams() -> dict[str, int]:
    """The English bigram counts symspellpy ships (``frequency_bigramdictionary_en_243_342.txt``,
    243,000 pairs from Google Books n-grams): how often two words ("of the") are seen side by
    side. Only the file is read."""
    import importlib.util

    spec = importlib.util.find_spec("symspellpy")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("symspellpy is not installed: the real-word check needs its bigram counts")
    path = Path(spec.submodule_search_locations[0]) / "frequency_bigramdictionary_en_243_342.txt"
    with path.open(encoding="utf-8") as f:
        return {a + " " + b: int(n) for a, b, n in (line.split() for line in f)}


_WORD_BEFORE = re.compile(rf"({_LETTERS}+) +$")
_WORD_AFTER = re.compile(rf" +({_LETTERS}+)")


def _real_word_slip(p: str, start: int, end: int, w: str) -> _Verdict | None:
    """A known word of ``p`` (``p[start:end] == w``) that is a slip of a far commoner one (:func:`confusables`):
    flagged when neither word beside it is ever seen next to it and one is seen next to the
    commoner word (``said thee government``: "said thee" and "thee government" are never seen,
    "the government" is).

    >>> _real_word_slip("He said thee government fell.", 8, 12, "thee")
    ('the', 0.6, 'real_word')
    >>> _real_word_slip("My country, ’tis of thee I sing.", 20, 24, "thee") is None  # "of thee" is seen
    True
    """
    fixes = confusables().get(w)
    if not fixes:
        return None
    seen = _bigrams()
    before, after = _neighbours(p, start, end)

    def fits(word: str) -> bool:  # seen beside either neighbour
        return bool(before and f"{before} {word}" in seen) or bool(after and f"{word} {after}" in seen)

    if fits(w):
        return None
    candidates = [fix for fix in fixes if fits(fix)]
    if not candidates:
        return None
    best = max(candidates, key=lambda f: _context_score(w, f, 1, _zipf(f), before, after))  # first on a tie
    return best, 0.6, "real_word"


_DOUBLE = re.compile(rf"(?<![\w’'-])({_LETTERS}+)\s+(\1)(?![\w’'-])", re.IGNORECASE)


def _doubled(p: str) -> Iterable[_Hit]:
    for m in _DOUBLE.finditer(p):
        a, b = m.group(1), m.group(2)
        low = a.lower()
        if low in _legit_doubles():
            continue
        if a[:1].isupper() and b[:1].isupper() and _zipf(low) < 5.0:
            continue  # "Bora Bora", "Duran Duran"
        yield m.start(), m.end(), "doubled_word", a, 0.9


_STRAY = re.compile(rf"(?<![\w.’'-])([a-z]+)\.\s+([a-z]{_LETTERS}*)(?![\w.’']*[A-Z])")


def _stray_periods(p: str) -> Iterable[_Hit]:
    for m in _STRAY.finditer(p):
        w = m.group(1)
        if w in _abbreviations() or len(w) < 2 or _zipf(w) < CONFIG.known_zipf:
            continue
        if m.start(1) > 0 and p[m.start(1) - 1] == ".":
            continue
        yield m.start(1), m.end(1) + 1, "stray_period", w, 0.8


# Possessive runs and a lookahead for the lowercase letter: one pass per word, no backtracking
# over the ways a long run of letters could be split.
_SPACING = re.compile(
    rf"(?<![\w.])((?={_LETTERS}*?[a-z]){_LETTERS}++)([.!?;:,])([A-Z][a-z]++|[a-z]{{2,}}+)(?![A-Za-z])"
)


def _spacing(p: str) -> Iterable[_Hit]:
    for m in _SPACING.finditer(p):
        left, punct, right = m.groups()
        if len(left) < 2:
            continue
        chunk_start = p.rfind(" ", 0, m.start()) + 1
        chunk_end = p.find(" ", m.end())
        chunk = p[chunk_start : chunk_end if chunk_end >= 0 else len(p)]
        if _URLISH.search(chunk):
            continue
        if right[0].islower() and punct not in ",;":
            continue  # "node.js", "example.org"
        if right[0].islower() and (
            _zipf(left.lower()) < CONFIG.known_zipf or _zipf(right) < CONFIG.known_zipf
        ):
            continue
        if left.lower() in _abbreviations():
            continue
        yield m.start(), m.end(), "spacing", f"{left}{punct} {right}", 0.75


_BRACKET = re.compile(r"\[([^\[\]]{3,200})\]|\(([^()]{3,200})\)")
_BWORD = re.compile(rf"{_LETTERS}+(?:['’]{_LETTERS}+)*|\d+")


def _bracket_echoes(p: str) -> Iterable[_Hit]:
    for m in _BRACKET.finditer(p):
        square = m.group(1) is not None
        inner = m.group(1) if square else m.group(2)
        words = [w.lower() for w in _BWORD.findall(inner or "")]
        if sum(len(w) > 1 and w.isalpha() for w in words) < 3:
            continue
        before = [w.lower() for w in _BWORD.findall(p[: m.start()])][-25:]
        if square:
            seen = set(before)
            if sum(w in seen for w in words) / len(words) < 0.8:
                continue
        else:
            n = len(words)
            if not any(before[i : i + n] == words for i in range(len(before) - n + 1)):
                continue
        yield m.start(), m.end(), "bracket_echo", None, 0.85


_WITH_WAS = re.compile(r"(?:^|[,;(—–] )[Ww]ith((?: [\w’'-]+){1,4}?) (was|were) (?=[a-z]{3,}\b)")
_CLAUSE_WORDS = frozenset(
    "that which who whom whose what where when while how why if as because since although though "
    "whatever whoever whichever than and or but".split()
)


def _grammar(p: str) -> Iterable[_Hit]:
    """An absolute "with" phrase given a finite verb: ", with Kim was shown hugging" (with Kim shown).

    >>> p = "Several came back injured, with Kim was shown hugging a soldier."
    >>> [p[s:e] for s, e, *_ in _grammar(p)]
    ['was']
    >>> list(_grammar("He left, with what was described as relief."))
    []
    """
    for m in _WITH_WAS.finditer(p):
        words = m.group(1).lower().split()
        if any(w in _CLAUSE_WORDS for w in words):
            continue
        yield m.start(2), m.end(2), "grammar", None, 0.5


# ---------------------------------------------------------------------------------------------
# Quotes

_OPEN = {"“": "”", "‘": "’"}


_QUOTE_CHAR = re.compile('[“”‘’"]')


def _quote_events(p: str) -> list[tuple[int, str]]:
    """Quote marks that act as quotes (apostrophes dropped): (offset, char).

    >>> _quote_events("“It doesn’t,” he said of the ‘90s.")
    [(0, '“'), (12, '”')]
    """
    out: list[tuple[int, str]] = []
    for m in _QUOTE_CHAR.finditer(p):
        i, ch = m.start(), m.group()
        prev = p[i - 1] if i else " "
        nxt = p[i + 1] if i + 1 < len(p) else " "
        if ch == "’" and prev.isalnum() and nxt.isalnum():
            continue  # doesn’t
        if ch == "‘" and (nxt.isdigit() or (prev.isalpha() and nxt.isalpha())):
            continue  # ‘90s, rock ‘n’ roll
        out.append((i, ch))
    return out


def _span_after(p: str, i: int) -> int:
    """End of the word following the quote at ``i`` (two words when the first is short).

    >>> p = "“The Wei and ‘Discontent among"
    >>> p[0:_span_after(p, 0)], p[13:_span_after(p, 13)]
    ('“The Wei', '‘Discontent')
    """
    m = _WORD.match(p, i + 1)
    if not m:
        return i + 1
    if len(m.group()) < 4:
        m2 = _WORD.match(p, m.end() + 1)
        if m2 and p[m.end()] == " ":
            return m2.end()
    return m.end()


def _span_before(p: str, i: int) -> int:
    j = i
    while j > 0 and (p[j - 1].isalnum() or p[j - 1] in "’'-"):
        j -= 1
    return j


def _quotes(paragraphs: Sequence[str], idx: int) -> Iterable[_Hit]:
    p = paragraphs[idx]
    nxt = paragraphs[idx + 1].lstrip() if idx + 1 < len(paragraphs) else ""
    prev_open = idx > 0 and _ends_open(paragraphs[idx - 1])
    stack: list[tuple[int, str]] = []
    straight: list[int] = []
    hits: list[_Hit] = []
    for i, ch in _quote_events(p):
        if ch == '"':
            if straight:
                straight.pop()
            else:
                straight.append(i)
        elif ch in _OPEN:
            stack.append((i, ch))
        elif ch == "’":
            if stack and stack[-1][1] == "‘":
                stack.pop()
            # otherwise an apostrophe after a word (countries’)
        elif ch == "”":
            if stack and stack[-1][1] == "“":
                stack.pop()
            elif stack:  # ‘ closed by ”
                j, _ = stack.pop()
                hits.append((j, _span_after(p, j), "unbalanced_quote", None, 0.8))
                if stack and stack[-1][1] == "“":
                    stack.pop()
            elif not prev_open and not hits:
                hits.append((_span_before(p, i), i + 1, "unbalanced_quote", None, 0.6))
    for j, ch in stack:
        if j == stack[0][0] and nxt.startswith(ch):
            continue  # multi-paragraph quotation: the next paragraph reopens
        hits.append((j, _span_after(p, j), "unbalanced_quote", None, 0.75))
    for j in straight:
        if not nxt.startswith('"'):
            hits.append((j, _span_after(p, j), "unbalanced_quote", None, 0.6))
    return hits


def _ends_open(p: str) -> bool:
    depth = 0
    for _, ch in _quote_events(p):
        if ch == "“":
            depth += 1
        elif ch == "”" and depth:
            depth -= 1
    return depth > 0


# ---------------------------------------------------------------------------------------------
# Names

_NAME_SUFFIXES = frozenset(
    "n an ian ean s es ese i is a er ers ern ic ics ish ism ist ists ite ites y ia o ans ians ns".split()
)


def _inflection(a: str, b: str) -> bool:
    """True when one name is the other plus a common suffix (Korea/Korean, Kozlov/Kozlova).

    A last letter typed twice is not a suffix (Klinsmannn).

    >>> _inflection("Korea", "Korean"), _inflection("Ukraine", "Ukrainian"), _inflection("Chernya", "Chernyak")
    (True, True, False)
    >>> _inflection("Klinsmann", "Klinsmannn")
    False
    """
    short, long = sorted((a.lower(), b.lower()), key=len)
    if len(long) == len(short) or long == short + short[-1:]:
        return False
    stems = {short}
    if short[-1:] in "aeiouy":
        stems.add(short[:-1])
    return any(long.startswith(s) and long[len(s) :] in _NAME_SUFFIXES for s in stems)


def _by_length(counts: Mapping[str, int]) -> dict[int, list[str]]:
    """Names that can be a dominant spelling (used twice, or known to wordfreq), by length."""
    by_len: dict[int, list[str]] = defaultdict(list)
    known = min(CONFIG.name_tie_zipf, CONFIG.name_max_zipf)
    for n, c in counts.items():
        if len(n) >= 4 and (c >= 2 or _zipf(n.lower()) >= known):
            by_len[len(n)].append(n)
    return by_len


def _dominant(name: str, counts: Mapping[str, int], by_len: Mapping[int, list[str]]) -> str | None:
    """A more frequent near-variant of ``name`` in ``counts``, or None.

    The other spelling must be used at least twice and twice as often, or, on a tie, be a
    name wordfreq knows (``name_tie_zipf``) while ``name`` is unknown to it (Guteres beside
    Guterres). A spelling that is the other plus a name suffix is a name in its own right
    (Korea, Korean), unless it is the shorter, wordfreq hardly knows it and the suffix is not
    the feminine ``-a`` of a surname (:func:`_truncation`).
    """
    z = _zipf(name.lower())
    if len(name) < 4 or z >= CONFIG.name_max_zipf + 2.0:
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    mine = counts.get(name, 1)
    best: tuple[int, float, str] | None = None
    for n in range(len(name) - 2, len(name) + 3):
        bucket = by_len.get(n)
        if not bucket:
            continue
        limit = 2 if n >= 8 else 1
        if abs(n - len(name)) > limit:
            continue
        for other, _, _ in process.extract(name, bucket, scorer=OSA.distance, score_cutoff=limit, limit=None):
            c = counts[other]
            if other == name or c < mine:
                continue
            oz = _zipf(other.lower())
            if z >= CONFIG.name_max_zipf and oz - z < CONFIG.name_zipf_gap:
                continue  # a real name in its own right (Hamad beside Hamas), unless far rarer (Ghandi)
            if not (c >= 2 and c >= 2 * mine) and not (z == 0.0 and oz >= CONFIG.name_tie_zipf):
                continue
            if _inflection(name, other) and not _truncation(name, other, z):
                continue
            # ties go to the first spelling in code-point order, not to the order of the counts
            if best is None or (c, oz) > best[:2] or ((c, oz) == best[:2] and other < best[2]):
                best = (c, oz, other)
    return best[2] if best else None


def _truncation(name: str, other: str, z: float) -> bool:
    """True when ``name`` (zipf ``z``) reads as ``other`` cut short rather than a name it inflects:
    it is the shorter, rarer than ``name_max_zipf``, and ``other`` does not add the feminine
    ending of a surname (Dudayev, Dudayeva).

    >>> _truncation("Eyle", "Eyles", 0.0), _truncation("Dudayev", "Dudayeva", 0.0), _truncation("Korea", "Korean", 4.6)
    (True, False, False)
    """
    return len(name) < len(other) and z < CONFIG.name_max_zipf and not other.endswith("a")


class NameIndex:
    """Near-variant look-ups over one pool of name counts, remembered across the articles sharing it.

    >>> idx = NameIndex({"Chernyak": 5, "Chernya": 1})
    >>> idx.dominant("Chernya"), idx.dominant("Chernyak")
    ('Chernyak', None)
    """

    def __init__(self, counts: Mapping[str, int]) -> None:
        self.counts = counts
        self.by_len = _by_length(counts)
        self._memo: dict[str, str | None] = {}

    def dominant(self, name: str) -> str | None:
        """The more frequent near-variant of ``name`` (see :func:`_dominant`), or None."""
        try:
            return self._memo[name]
        except KeyError:
            dom = self._memo[name] = _dominant(name, self.counts, self.by_len)
            return dom


def _name_hits(p: str, names: NameIndex) -> Iterable[_Hit]:
    for s, e, name, _ in _name_tokens(p):
        dom = names.dominant(name)
        if dom is not None:
            yield s, e, "name_inconsistency", dom, 0.8


# ---------------------------------------------------------------------------------------------
# Entry points


def _ys_slip(w: str) -> bool:
    """The "companys" plural slip that :func:`_check_lower` corrects even for known words."""
    return len(w) > 4 and w.endswith("ys") and w[-3] not in "aeiouy" and _zipf(w[:-2] + "ies") >= 3.0


@functools.cache
def vocabulary() -> pl.DataFrame:
    """Lowercase words the misspelling check always accepts, as a frame to join against.

    Known to wordfreq (zipf >= the known threshold), not one of codespell's misspellings, not
    the "-ys" plural slip, not one of the :func:`confusables`. A word outside it may be flagged; a
    word inside it never is.
    """
    cs = _codespell()
    slips = confusables()
    words = [
        w
        for w, z in _zipf_table().items()
        if z >= CONFIG.known_zipf and w not in cs and not _ys_slip(w) and w not in slips
    ]
    return pl.DataFrame({"word": words}, schema={"word": pl.Utf8})


@functools.cache
def codespell_words() -> pl.DataFrame:
    """codespell's misspellings (lowercase), as a frame to join against."""
    return pl.DataFrame({"word": list(_codespell())}, schema={"word": pl.Utf8})


#: The word pattern of :data:`_WORD`, for polars.
@functools.cache
def slip_forms() -> pl.DataFrame:
    """Every rare word a common one becomes by a slip (:func:`_slip_forms`), as a frame to join
    against: a capitalised word outside it is never flagged as one (:func:`_check_title`)."""
    table = _zipf_table()
    forms = {
        f
        for c, z in table.items()
        if z >= CONFIG.fix_min_zipf and c.isalpha()
        for f in _slip_forms(c)
        if len(f) >= CONFIG.slip_min_chars and table.get(f, 0.0) < CONFIG.known_zipf
    }
    return pl.DataFrame({"word": sorted(forms)}, schema={"word": pl.Utf8})


WORD_PATTERN = r"[^\W\d_]+(?:['’][^\W\d_]+)*"


def spelling_suspects(paragraphs: pl.DataFrame) -> pl.DataFrame:
    """The (``key``, ``paragraph``) pairs whose text may hold a misspelling, by joins, not Python per word.

    ``paragraphs`` has ``key``, ``paragraph`` and ``text``. A paragraph is a suspect when a lowercase
    word is outside :func:`vocabulary`, or a capitalised word is one of codespell's misspellings
    or one of :func:`slip_forms`;
    every other paragraph gives no misspelling flag, so :func:`find_typos` may skip that check.

    >>> df = pl.DataFrame({"key": [0, 0], "paragraph": [0, 1], "text": ["He said so.", "We recieve it."]})
    >>> spelling_suspects(df).rows()
    [(0, 1)]
    """
    tok = pl.col("tok")
    first = tok.str.slice(0, 1)
    rest = tok.str.slice(1)
    low = pl.col("raw_low").str.replace_all("’", "'", literal=True)
    tokens = (
        paragraphs.select("key", "paragraph", tok=pl.col("text").str.extract_all(WORD_PATTERN))
        .explode("tok")
        .drop_nulls("tok")
        .with_columns(raw_low=tok.str.to_lowercase())
    )
    # each token lowercased once; the capitalised test only on the tokens that are not lowercase
    # (a capitalised token's first letter changes when lowercased, so it is one of them)
    lower = tokens.filter(tok == pl.col("raw_low")).with_columns(low=low)
    unknown = lower.join(vocabulary(), left_on="low", right_on="word", how="anti")
    caps = (
        tokens.filter(tok != pl.col("raw_low"))
        .filter((first != first.str.to_lowercase()) & (rest == rest.str.to_lowercase()))
        .with_columns(low=low)
    )
    name_low = pl.col("low").str.replace(r"'s$", "")  # possessive folded, as _name_form does
    known_slip = pl.concat(
        [
            caps.join(codespell_words(), left_on="low", right_on="word", how="semi"),
            caps.join(codespell_words(), left_on="raw_low", right_on="word", how="semi"),
            caps.join(slip_forms(), left_on=name_low, right_on="word", how="semi"),
        ]
    )
    return pl.concat([unknown, known_slip]).select("key", "paragraph").unique().sort("key", "paragraph")


#: Characters on which Python's ``re`` and polars' regex engine agree about letters, digits, white
#: space and lowercase (``tests/cleaners/test_typos.py`` checks every one). A paragraph holding any other
#: character is not screened: every detector runs on it.
SAFE_CHARS = (
    r"\t\x20-\x7E\u00A0-\u00B1\u00B4-\u00B8\u00BA\u00BB\u00BF-\u012F\u0132-\u017E\u0180-\u024F"
    r"\u2010-\u203E\u2041-\u2053\u2055-\u205E\u20A0-\u20C0"
)


#: Detectors a vectorized screen (:func:`screen_paragraphs`) can rule out for a paragraph, in bit order.
SCREENED = (
    "misspelling",
    "doubled_word",
    "stray_period",
    "spacing",
    "bracket_echo",
    "grammar",
    "unbalanced_quote",
)
#: A screen mask that runs every screened detector.
ALL_DETECTORS = (1 << len(SCREENED)) - 1
_BIT = {kind: 1 << i for i, kind in enumerate(SCREENED)}

#: Per screened detector, a polars regex every paragraph it can flag matches (a necessary condition).
_NEEDS = {
    "stray_period": r"[a-z]\.\s+[a-z]",  # _STRAY: word. lowercase
    "spacing": r"[a-z][^\W\d_]*[.!?;:,][A-Za-z]",  # _SPACING: word,Word
    "bracket_echo": r"[\[(]",
    "grammar": r"(?s)[Ww]ith .*(?:was|were) [a-z]",
    "unbalanced_quote": '[“”‘"]',  # a paragraph whose only quote marks are ’ never has an open quote
}


def _neighbours_equal(paragraphs: pl.DataFrame) -> pl.Series:
    """Per row of ``paragraphs``: two neighbouring words of its lowercased text are equal.

    Words are compared down one exploded column (a word and the one before it, in the same row),
    not a list evaluation per row.

    >>> _neighbours_equal(pl.DataFrame({"text": ["We said said it.", "He said so.", "", "The the"]})).to_list()
    [True, False, False, True]
    """
    w = pl.col("w")
    words = paragraphs.select(w=pl.col("text").str.to_lowercase().str.extract_all(r"[^\W\d_]+"))
    equal = (
        words.with_row_index("row")
        .explode("w")  # a row without words may leave no row here: the join below gives it False
        .select("row", equal=(w == w.shift(1)) & (pl.col("row") == pl.col("row").shift(1)))
        .group_by("row")
        .agg(pl.col("equal").any())
    )
    return (
        words.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"))
        .join(equal, on="row", how="left", maintain_order="left")
        .get_column("equal")
        .fill_null(False)
    )


def screen_paragraphs(paragraphs: pl.DataFrame) -> pl.DataFrame:
    """Which detectors can fire on each paragraph, decided for the whole frame by polars expressions.

    ``paragraphs`` has ``key``, ``paragraph`` and ``text``; the result has ``key``, ``paragraph``
    and ``screen``, a bit mask over :data:`SCREENED` (bit ``i`` set: ``SCREENED[i]`` may fire).
    A cleared bit is a proof, not a guess: the detector's own pattern cannot match there
    (misspellings: :func:`spelling_suspects`; doubled words: no two neighbouring words are equal).
    :func:`find_typos` given these masks returns exactly what it returns without them.

    >>> df = pl.DataFrame({"key": [0, 0], "paragraph": [0, 1], "text": ["He said so.", "We said said it."]})
    >>> [[k for k in SCREENED if m & _BIT[k]] for m in screen_paragraphs(df)["screen"]]
    [[], ['doubled_word']]
    """
    text = pl.col("text")
    needs = {kind: text.str.contains(pattern) for kind, pattern in _NEEDS.items()}
    suspects = spelling_suspects(paragraphs).with_columns(misspelling=pl.lit(True))
    mask = sum(
        (pl.col(kind).cast(pl.Int32) * _BIT[kind] for kind in SCREENED),
        start=pl.lit(0, dtype=pl.Int32),
    )
    return (
        paragraphs.select("key", "paragraph", "text")
        .join(suspects, on=["key", "paragraph"], how="left", maintain_order="left")
        .with_columns(
            pl.col("misspelling").fill_null(False),
            unsafe=text.str.contains(f"[^{SAFE_CHARS}]"),
            doubled_word=_neighbours_equal(paragraphs),
            **needs,
        )
        .select(
            "key",
            "paragraph",
            screen=pl.when("unsafe").then(pl.lit(ALL_DETECTORS, dtype=pl.Int32)).otherwise(mask),
        )
    )


def find_typos(
    paragraphs: Sequence[str],
    name_counts: Mapping[str, int] | None = None,
    screen: Sequence[int] | None = None,
    names: NameIndex | None = None,
    check_names: bool = True,
) -> list[Typo]:
    """Suspected typos in one article's body paragraphs, sorted by (paragraph, start).

    ``name_counts`` are corpus-wide counts from :func:`count_names`; when None the article's
    own names are counted. ``names`` is a :class:`NameIndex` over those counts shared by several
    articles (it remembers its look-ups). ``screen``, when given, is a mask per paragraph from
    :func:`screen_paragraphs`: the detectors it rules out are skipped, and the result is the same.
    ``check_names=False`` skips the name check (for a caller that knows no name has a variant).

    >>> ps = ["Andriy Chernyak spoke.", "Chernyak said so.", "Chernya also said it."]
    >>> [(t.paragraph, t.token, t.kind, t.suggestion) for t in find_typos(ps)]
    [(2, 'Chernya', 'name_inconsistency', 'Chernyak')]
    """
    if names is None:
        names = NameIndex(name_counts if name_counts is not None else count_names(paragraphs))
    counts = names.counts
    words: Counter[str] | None = None

    def uses(w: str) -> int:  # counted over the whole article, screened paragraphs or not
        nonlocal words
        if words is None:
            words = Counter(m.group().lower() for q in paragraphs if q for m in _WORD.finditer(q))
        return words[w]

    out: list[Typo] = []
    for idx, p in enumerate(paragraphs):
        if not p:
            continue
        run = ALL_DETECTORS if screen is None else screen[idx]
        hits: list[_Hit] = []
        if run:
            if run & _BIT["misspelling"]:
                hits.extend(_misspellings(p, counts, uses))
            if run & _BIT["doubled_word"]:
                hits.extend(_doubled(p))
            if run & _BIT["stray_period"]:
                hits.extend(_stray_periods(p))
            if run & _BIT["spacing"]:
                hits.extend(_spacing(p))
            if run & _BIT["bracket_echo"]:
                hits.extend(_bracket_echoes(p))
            if run & _BIT["grammar"]:
                hits.extend(_grammar(p))
            if run & _BIT["unbalanced_quote"]:
                hits.extend(_quotes(paragraphs, idx))
        if check_names:
            hits.extend(_name_hits(p, names))
        if not hits:
            continue
        hits.sort(key=lambda h: (h[0], -h[4]))
        last_end = -1
        for s, e, kind, sug, conf in hits:
            if s < last_end and kind in ("misspelling", "name_inconsistency"):
                continue  # one flag per span
            out.append(Typo(idx, s, e, p[s:e], kind, sug, round(conf, 2)))
            last_end = max(last_end, e)
    out.sort(key=lambda t: (t.paragraph, t.start, t.end))
    return out


def find_typos_in_text(text: str) -> list[Typo]:
    """Typos in free text, one paragraph per non-blank line.

    ``paragraph`` is the 0-based index of the line in ``text.splitlines()``; ``start`` and
    ``end`` are offsets into the whole ``text`` (so ``text[start:end] == token``).

    >>> text = "Fine line.\\n\\nThe the end."
    >>> [(t.paragraph, t.start, t.end, t.token) for t in find_typos_in_text(text)]
    [(2, 12, 19, 'The the')]
    """
    lines = text.splitlines(keepends=True)
    offsets: list[int] = []
    pos = 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln)
    kept = [(i, ln.rstrip("\r\n")) for i, ln in enumerate(lines) if ln.strip()]
    found = find_typos([ln for _, ln in kept])
    out = []
    for t in found:
        line_no, _ = kept[t.paragraph]
        base = offsets[line_no]
        out.append(Typo(line_no, base + t.start, base + t.end, t.token, t.kind, t.suggestion, t.confidence))
    return out


def release_lexicons() -> None:
    """Drop the loaded word tables and the per-word caches (~95 MiB); the next check loads them again.

    For a process that is done checking typos and has other work to do, or that changed
    :data:`~cleaners.config.CONFIG` (the tables follow its thresholds).

    >>> _ = _zipf_table(); release_lexicons(); _zipf_table.cache_info().currsize
    0
    """
    for cached in (
        _abbreviations,
        _legit_doubles,
        _zipf_table,
        _codespell,
        _pool,
        _candidates,
        _nearby,
        _check_lower,
        _check_title,
        confusables,
        slip_forms,
        _bigrams,
        vocabulary,
        codespell_words,
    ):
        cached.cache_clear()
