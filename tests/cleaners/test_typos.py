"""Tests for cleaners.typos: each kind found, clean prose left alone, seed gold, eval thresholds."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.typos import KINDS, Typo, count_names, find_typos, find_typos_in_text

ROOT = Path(__file__).resolve().parents[2]
# shared/ sits beside the repository (../shared), as in CI; /work/shared on a developer machine
GOLD_DIR = next(
    (d for d in (ROOT.parent / "shared" / "gold", Path("/work/shared/gold")) if d.is_dir()),
    ROOT.parent / "shared" / "gold",
)


def _flags(*paragraphs: str, name_counts: dict[str, int] | None = None) -> list[tuple[int, str, str]]:
    return [(t.paragraph, t.token, t.kind) for t in find_typos(list(paragraphs), name_counts)]


def _one(paragraph: str) -> Typo:
    found = find_typos([paragraph])
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------------- positives


@pytest.mark.parametrize(
    ("text", "token", "suggestion"),
    [
        ("Officials said they would recieve the report on Monday.", "recieve", "receive"),
        ("The goverment denied the claims.", "goverment", "government"),
        ("It was definately the largest attack this year.", "definately", "definitely"),
        ("Troops were moved to a seperate base.", "seperate", "separate"),
        ("The incident occured near the border.", "occured", "occurred"),
        ("The talks will continue untill Friday.", "untill", "until"),
        ("Several soliders were wounded.", "soliders", "soldiers"),  # transposition
        ("The milttary said the strike hit a depot.", "milttary", "military"),  # doubled letter
        ("Prices rose by 3% after new tarrifs were announced.", "tarrifs", "tariffs"),
        ("The comitments were made in Paris.", "comitments", "commitments"),  # dropped letter
        ("Two companys bid for the contract.", "companys", "companies"),
        ("The goverment’s plan was rejected.", "goverment’s", "government’s"),  # possessive
        ("They signed a long-tern agreement.", "tern", None),  # real word: must NOT be flagged
        ("They signed a long-rnage deal.", "rnage", "range"),  # hyphenated compounds: parts checked
        # uncommon words (zipf 1.8 to 2.5) with a far commoner word one edit away: real typos-dev slips
        ("The minister siad the talks had ended.", "siad", "said"),
        ("Prices rose anf then fell.", "anf", "and"),
        ("The match wos played in Rome.", "wos", "was"),
        # uncommon real words with no such neighbour stay
        ("The dirigible landed near the tussock grass.", "dirigible", None),
        ("A sextant and a marmoset were sold.", "sextant", None),
    ],
)
def test_misspelling(text: str, token: str, suggestion: str | None) -> None:
    found = find_typos([text])
    if suggestion is None:
        assert found == []
        return
    t = _one(text)
    assert (t.token, t.kind, t.suggestion) == (token, "misspelling", suggestion)
    assert text[t.start : t.end] == t.token
    assert 0.0 <= t.confidence <= 1.0


def test_sentence_initial_known_misspelling() -> None:
    t = _one("Goverment officials declined to comment.")
    assert (t.token, t.suggestion) == ("Goverment", "Government")


def test_doubled_word() -> None:
    t = _one("Analysts said the the overture was unlikely to succeed.")
    assert (t.token, t.kind, t.suggestion) == ("the the", "doubled_word", "the")
    assert _one("The The talks resumed.").kind == "doubled_word"


def test_grammar_with_was() -> None:
    t = _one("Several came back injured, with Kim was shown hugging a soldier in a wheelchair.")
    assert (t.token, t.kind) == ("was", "grammar")
    assert find_typos(["He left, with what was described as relief, and with it was gone."]) == []
    assert find_typos(["With the vote over, officials were relieved."]) == []


def test_stray_period() -> None:
    t = _one("The animals were. for the Korean people.")
    assert (t.token, t.kind, t.suggestion) == ("were.", "stray_period", "were")


def test_spacing() -> None:
    t = _one("The talks ended on Friday.Negotiators will meet again.")
    assert (t.kind, t.suggestion) == ("spacing", "Friday. Negotiators")
    assert _one("The talks ended,and negotiators went home.").kind == "spacing"


def test_bracket_echo() -> None:
    p = "Discontent among the Democratic People’s Republic of Korea has increased [Democratic People’s Republic of Korea] army soldiers."
    t = _one(p)
    assert (t.token, t.kind) == ("[Democratic People’s Republic of Korea]", "bracket_echo")


@pytest.mark.parametrize(
    ("paragraph", "token"),
    [
        ("‘Discontent has increased due to the lack of food,” the GUR said.", "‘Discontent"),
        ("Officials said the animals were “a gift from Vladimir Putin’ to the people.", "“a gift"),
        ("He said: “We will never give up. Then he left.", "“We will"),
        ('The minister called it "fake news and left.', '"fake'),
        ("“He told me ‘we are leaving.” she said.", "‘we are"),
    ],
)
def test_unbalanced_quote(paragraph: str, token: str) -> None:
    t = _one(paragraph)
    assert (t.token, t.kind) == (token, "unbalanced_quote")


def test_open_quote_flagged_when_next_paragraph_does_not_reopen() -> None:
    ps = [
        "He said: “The sisters made the biggest mistake of their lives.",
        "‘After all, the drone doesn’t care.’",
    ]
    assert _flags(*ps) == [(0, "“The sisters", "unbalanced_quote")]


def test_name_inconsistency() -> None:
    ps = [
        "GUR official Andriy Chernyak said troops were ready.",
        "Chernya said so on radio.",
        "Chernyak added more.",
    ]
    found = find_typos(ps)
    assert [(t.paragraph, t.token, t.kind, t.suggestion) for t in found] == [
        (1, "Chernya", "name_inconsistency", "Chernyak")
    ]


@pytest.mark.parametrize(
    ("article", "variant", "dominant"),
    [
        # a last letter typed twice is not a name suffix
        (["Klinsmann scored twice.", "Klinsmannn said he was pleased."], "Klinsmannn", "Klinsmann"),
        # a truncation wordfreq hardly knows, though the full name is it plus a suffix (-s, -n)
        (["Eyles won.", "Eyles lost.", "Eyles drew.", "Eyle, who won, said so."], "Eyle", "Eyles"),
        # used once each: the spelling wordfreq knows (name_tie_zipf) is the dominant one
        (["said Johan Sletten, 52.", "Slette, a caretaker, said so."], "Slette", "Sletten"),
    ],
)
def test_name_variants_cut_short_or_doubled(article: list[str], variant: str, dominant: str) -> None:
    assert [(t.token, t.kind, t.suggestion) for t in find_typos(article)] == [
        (variant, "name_inconsistency", dominant)
    ]


def test_a_surnames_feminine_ending_is_not_a_truncation() -> None:
    article = ["Aiza Dudayeva said so.", "Dudayeva left.", "The leader Dzhokhar Dudayev died."]
    assert find_typos(article) == []


def test_a_rare_word_used_again_in_the_article_is_the_writers_own() -> None:
    """Golf's "bogeying" is unknown to wordfreq; used more than ``rare_word_max_uses`` times in
    one article it is not flagged, in one article alone it is; codespell's entries always are."""
    from cleaners.config import CONFIG

    once = ["He struggled, bogeying the first hole."]
    again = once + ["After bogeying the 10th he rallied."] * CONFIG.rare_word_max_uses
    assert [t.token for t in find_typos(once)] == ["bogeying"]
    assert find_typos(again) == []
    repeated_known = ["We recieve it."] * (CONFIG.rare_word_max_uses + 1)
    assert {t.token for t in find_typos(repeated_known)} == {"recieve"}


def test_capitalised_slip_of_a_common_word() -> None:
    """A rare capitalised word that a common word becomes with a letter left out, typed twice, or
    swapped with its neighbour is flagged with that word, possessive kept outside the span."""
    ps = ["Wheat rose in Chicag on Friday.", "The Russsian Federation and Egyppt’s army met Jnoes."]
    assert [(t.token, t.kind, t.suggestion) for t in find_typos(ps)] == [
        ("Chicag", "misspelling", "Chicago"),
        ("Russsian", "misspelling", "Russian"),
        ("Egyppt", "misspelling", "Egypt"),
        ("Jnoes", "misspelling", "Jones"),
    ]


@pytest.mark.parametrize(
    "paragraph",
    [
        "Climbers crossed the Pamir range.",  # a name one substitution from "pair"
        "Moer said so. Moer left. The firm Moer grew.",  # used three times: a name in its own right
        "Shares of Controls Inc rose.",  # an ending, not a slip
        "Ezer Weizman spoke in Tel Aviv.",
    ],
)
def test_rare_names_are_not_capitalised_slips(paragraph: str) -> None:
    assert [t for t in find_typos([paragraph]) if t.kind == "misspelling"] == []


def test_real_word_slip_in_a_context_never_seen_with_it() -> None:
    """A known word one edit from a far commoner one is flagged when neither neighbour is ever
    seen beside it and one is seen beside the commoner word; a context that fits it keeps it."""
    flagged = find_typos(["Officials said thee government fell.", "They waited fro the bus."])
    assert [(t.token, t.suggestion) for t in flagged] == [("thee", "the"), ("fro", "for")]
    fine = ["They sang of thee at dawn.", "Traders hurried to and fro.", "He wore a tie to court."]
    assert [t for t in find_typos(fine) if t.kind == "misspelling"] == []


def test_name_counts_from_corpus() -> None:
    article = ["Minister Budanov spoke.", "Officials met Budanow later."]
    assert _flags(*article) == []  # one each: no dominant spelling in the article
    corpus = count_names(["Budanov said.", "Kyrylo Budanov added.", "Budanov left."] + article)
    assert _flags(*article, name_counts=corpus) == [(1, "Budanow", "name_inconsistency")]


# --------------------------------------------------------------------------------- negatives


@pytest.mark.parametrize(
    "paragraph",
    [
        # names and acronyms
        "Tanasyuk, Butusov and Zelenskyy met the GUR, the NIS and KCNA officials in Zheleznogorsk.",
        "Korea and Korean troops, Russia and Russian forces, Ukraine and Ukrainian drones, Kim and Kim’s sister.",
        "Iran and Iraq, Austria and Australia, Niger and Nigeria signed the accord in Abuja.",
        "Sheikh Tamim bin Hamad Al Thani met Hamas leaders. Hamas said talks went well. Hamas thanked Qatar.",
        "Choe Son Hui met Choi Sang-mok and Lee Jae-myung. Choi and Choi’s aides left early.",
        "Sergei Lavrov and Sergei Shoigu met Ivanov and Ivanova in Moscow.",
        # British and American spellings
        "The theatre’s colour programme honoured the organisation; the theater’s color program honored the organization.",
        "The defence ministry said manoeuvres and maneuvers would continue.",
        # numbers, units, URLs, handles
        "Temperatures hit 47.5C, winds reached 120km/h and a 155mm shell cost $3,000 in 2024.",
        "See https://www.example.org/reports/2025/sahel.pdf or www.unocha.org, and follow @UNOCHA and #SahelCrisis.",
        "The file is at example.com/path and the email is press@example.org.",
        # possessive plurals, contractions, abbreviations
        "The soldiers’ families, the countries’ ambassadors and the workers’ union didn’t agree.",
        "The meeting starts at 9:30 a.m. and ends at 5 p.m., i.e. before markets close, vs. last year etc. and so on.",
        "The U.S. and U.K. envoys met Dr. Khan of St. Mary’s and Mr. Tanaka at approx. noon.",
        # legitimate doubles
        "He said he had had enough, and that that was why he left.",
        # balanced quotes, apostrophes
        "“We are holding,” Voloshyn said. “Every metre costs them dearly.”",
        "‘After all, the drone doesn’t care at all that they are now Vera and Lida…’",
        "He called it ‘a farce’, and the minister’s aides agreed.",
        # bracket that adds information
        "The agency [the NIS] said the soldiers (about 3,000 of them) were sent to Kursk.",
        # decimals and dotted names
        "Growth was 6.2% and the yen was at 151.20; Node.js and ASP.NET were mentioned.",
    ],
)
def test_clean_paragraph_not_flagged(paragraph: str) -> None:
    assert find_typos([paragraph]) == []


def test_multi_paragraph_quotation_is_fine() -> None:
    ps = [
        "“We must be ready,” Starmer said. “Our adversaries are rearming, and so must we.",
        "“This is not a choice between guns and butter.”",
    ]
    assert find_typos(ps) == []


def test_common_misspellings_are_in_codespell() -> None:
    # codespell's list reaches misspellings common enough to be in wordfreq ("recieve" zipf 2.75)
    assert _one("They recieved it.").confidence >= 0.9


# --------------------------------------------------------------------------------- interface


def test_results_sorted_and_tokens_match() -> None:
    ps = ["The the goverment said it.", "Troops were. for sure ‘here.”", "Fine."]
    found = find_typos(ps)
    assert found == sorted(found, key=lambda t: (t.paragraph, t.start))
    for t in found:
        assert ps[t.paragraph][t.start : t.end] == t.token
        assert t.kind in KINDS


def test_find_typos_in_text_offsets_are_into_whole_text() -> None:
    text = "First line is fine.\n\n  The goverment said so.\nLast line."
    found = find_typos_in_text(text)
    assert [(t.paragraph, t.token) for t in found] == [(2, "goverment")]
    t = found[0]
    assert text[t.start : t.end] == "goverment"


def test_empty_input() -> None:
    assert find_typos([]) == []
    assert find_typos(["", " "]) == []
    assert find_typos_in_text("") == []


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from(list("abcdeAB .,“”‘’'\"[]()-\n12é")), max_size=60), max_size=4)
)
def test_property_spans_are_valid(paragraphs: list[str]) -> None:
    found = find_typos(paragraphs)
    assert found == sorted(found, key=lambda t: (t.paragraph, t.start))
    for t in found:
        assert paragraphs[t.paragraph][t.start : t.end] == t.token
        assert t.kind in KINDS and 0.0 <= t.confidence <= 1.0
    text = "\n".join(paragraphs)
    for t in find_typos_in_text(text):
        assert text[t.start : t.end] == t.token


# --------------------------------------------------------------------------------- seeds


def _gold_files() -> list[Path]:
    return sorted(GOLD_DIR.glob("*.gold.json")) if GOLD_DIR.is_dir() else []


@pytest.mark.skipif(not _gold_files(), reason="shared gold not available")
@pytest.mark.parametrize("gold_file", _gold_files(), ids=lambda p: p.name[:3])
def test_seed_gold_exactly(gold_file: Path) -> None:
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    for ai, art in enumerate(gold["articles"]):
        paras = art["body_paragraphs"]
        want = [g for g in gold["typos"] if g["article_index"] == ai]  # incl. the one grammar flag
        got = find_typos(paras)
        assert len(got) == len(want), [(t.paragraph, t.token, t.kind) for t in got]
        for g in want:
            para = paras[g["paragraph_index"]]
            gs = (
                g["start"]
                if para[g["start"] : g["start"] + len(g["token"])] == g["token"]
                else para.find(g["token"])
            )
            ge = gs + len(g["token"])
            match = [t for t in got if t.paragraph == g["paragraph_index"] and t.start < ge and gs < t.end]
            assert len(match) == 1, (g, got)
            assert match[0].kind == g["kind"]
            if g["kind"] == "name_inconsistency":
                assert match[0].suggestion == g["suggestion"]


# --------------------------------------------------------------------------------- evaluation set


def _bench():  # type: ignore[no-untyped-def]
    path = ROOT / "benchmarks" / "bench_typos.py"
    spec = importlib.util.spec_from_file_location("bench_typos", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_typos"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_eval_set_is_big_enough() -> None:
    sets = _bench().load_eval()
    labelled = [a for n, arts in sets.items() if not n.startswith("clean") for a in arts]
    assert sum(len(a.corrupted) for a in labelled) >= 60
    assert sum(len(a.labels) for a in labelled) >= 60
    kinds = {lb.kind for a in labelled for lb in a.labels}
    assert set(KINDS) - {"grammar"} <= kinds


def test_eval_thresholds() -> None:
    bench = _bench()
    sets = bench.load_eval()
    labelled = [a for n, arts in sets.items() if not n.startswith("clean") for a in arts]
    every = [a for arts in sets.values() for a in arts]
    r = bench.evaluate(labelled)
    assert r["f1"] >= 0.90, r
    assert r["first_suggestion_accuracy"] >= 0.70, r
    for name in ("holdout", "holdout2"):  # written after tuning on dev.txt
        held = bench.evaluate(sets[name])
        assert held["f1"] >= 0.85, (name, held)
    allr = bench.evaluate(every)
    assert allr["name_false_alarms_per_1k_words"] <= 0.3, allr
    assert allr["clean_flags_per_1k_words"] <= 0.5, allr


def _screens(paras: list[str]) -> list[int]:
    import polars as pl

    from cleaners.typos import screen_paragraphs

    df = pl.DataFrame({"key": [0] * len(paras), "paragraph": list(range(len(paras))), "text": paras})
    return screen_paragraphs(df).sort("paragraph")["screen"].to_list()


def test_the_screens_never_change_the_flags() -> None:
    """Skipping the detectors the polars screens rule out gives exactly the same flags."""
    from cleaners.typos import ALL_DETECTORS

    bench = _bench()
    skipped = 0
    for a in [a for arts in bench.load_eval().values() for a in arts]:
        for paras in (a.corrupted, a.clean):
            screen = _screens(paras)
            skipped += sum(bin(ALL_DETECTORS & ~m).count("1") for m in screen)
            assert find_typos(paras, screen=screen) == find_typos(paras)
    assert skipped > 1000  # the screens do rule detectors out


# the characters each detector turns on, and the ones where Python and polars disagree
_SCREEN_ALPHABET = "aAbBzZéÉşñ ’'\".,!?:;…“”‘(()[]«—-*•0123²ſİıǅª\u0301\x1c\u00a0"
_SCREEN_WORDS = st.sampled_from(
    [
        "the",
        "The",
        "with",
        "was",
        "were",
        "said",
        "recieve",
        "Goverment",
        "U.S.",
        "a.m.",
        "Kim",
        "Kim’s",
        "Kym",
        "Chicag",
        "Egyppt’s",
        "Russsian",
        "thee",
        "of",
        "tie",
        "government",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(_SCREEN_WORDS, st.text(alphabet=_SCREEN_ALPHABET, max_size=6)), max_size=12).map(
            " ".join
        ),
        min_size=1,
        max_size=4,
    )
)
def test_the_screens_never_change_the_flags_on_generated_text(paras: list[str]) -> None:
    assert find_typos(paras, screen=_screens(paras)) == find_typos(paras)


def test_safe_chars_mean_the_same_to_python_and_polars() -> None:
    """On every character of SAFE_CHARS both regex engines agree on letters, digits, space and case."""
    import re

    import polars as pl

    from cleaners.typos import SAFE_CHARS

    chars = [chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF]
    series = pl.Series(chars)
    safe = series.str.contains(f"^[{SAFE_CHARS}]$")
    chars = series.filter(safe).to_list()
    assert 400 < len(chars) < 1000
    frame = pl.Series(chars)
    for pattern in (r"\s", r"[^\W\d_]", r"\w", r"\d", r"[a-z]", r"[A-Z]"):
        ours = frame.str.contains(f"^(?:{pattern})$").to_list()
        theirs = [re.fullmatch(pattern, c) is not None for c in chars]
        assert ours == theirs, pattern
    assert frame.str.to_lowercase().to_list() == [c.lower() for c in chars]
    assert not any(c.isdigit() and not c.isascii() for c in chars)
    # doubled words: two safe characters equal under re.IGNORECASE are equal once lowercased
    # (ſ matches s there, İ matches i: neither is safe)
    for c in chars:
        folded = re.compile(re.escape(c), re.IGNORECASE)
        assert all(c.lower() == d.lower() for d in chars if folded.fullmatch(d)), c


def _reference_name_tokens(paragraph: str) -> list[tuple[int, int, str, bool]]:
    """The name tokenizer as first written: every word visited in Python."""
    from cleaners.typos import _WORD, _is_sentence_start, _name_form

    out = []
    for m in _WORD.finditer(paragraph):
        w = m.group()
        if not w[0].isupper():
            continue
        name = _name_form(w) if ("'" in w or "’" in w) else w
        if len(name) < 2 or not name[0].isupper() or not name[1:].islower():
            continue
        s, e = m.span()
        if (s and paragraph[s - 1].isdigit()) or (e < len(paragraph) and paragraph[e].isdigit()):
            continue
        out.append((s, s + len(name), name, _is_sentence_start(paragraph, s)))
    return out


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_SCREEN_ALPHABET + "KkOo", max_size=40) | st.text(max_size=40))
def test_name_tokens_skip_lowercase_words_in_the_regex_engine(text: str) -> None:
    from cleaners.typos import _name_tokens

    assert list(_name_tokens(text)) == _reference_name_tokens(text)


def _names_by_key(groups: list[list[str]]) -> tuple[list[tuple[int, str, int]], list[tuple[int, str, int]]]:
    """(``name_counts`` rows, ``count_names`` of each group as rows) for paragraphs in groups."""
    import polars as pl

    from cleaners.typos import name_counts

    frame = pl.DataFrame(
        {"k": [k for k, g in enumerate(groups) for _ in g], "text": [p for g in groups for p in g]},
        schema={"k": pl.Int64, "text": pl.Utf8},
    )
    expected = sorted((k, name, c) for k, g in enumerate(groups) for name, c in count_names(g).items())
    return name_counts(frame, "k").rows(), expected


def _known_to_python(text: str) -> bool:
    """No character that Python's Unicode tables leave unassigned (polars' Rust tables are newer)."""
    import unicodedata

    return all(unicodedata.category(c) != "Cn" for c in text)


# the tokenizer's edges: apostrophes joining words, digits on either side, openers and quotes
# before a word, sentence ends, non-ASCII upper and lower case, titlecase, ², combining marks
_NAME_ALPHABET = "aAbKkOoéÉǅ中² ’'\".!?:…“‘(—-*\x1c\u00a0\u0301019_,;Ⅻ"
# names, common words that only count when seen mid-sentence, and what goes before a word
_NAME_WORDS = st.sampled_from(
    [
        "Kim",
        "Kim’s",
        "The",
        "Then",
        "O'Brien",
        "l’Orient",
        "3Kim",
        "Kim2",
        "Mǅa",
        "a",
        ".",
        "‘",
        "“",
        '"',
        "(",
        "—",
        "3",
        " ",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text(alphabet=_NAME_ALPHABET, max_size=30)
            | st.lists(st.one_of(_NAME_WORDS, st.text(alphabet=_NAME_ALPHABET, max_size=3))).map("".join)
            | st.lists(_NAME_WORDS).map(" ".join)
            | st.text(max_size=30).filter(_known_to_python),
            max_size=4,
        ),
        max_size=4,
    )
)
def test_vectorized_name_counts_equal_count_names(groups: list[list[str]]) -> None:
    got, expected = _names_by_key(groups)
    assert got == expected


def test_vectorized_name_counts_on_the_eval_set_and_seeds() -> None:
    from cleaners.pipeline import Source, clean_corpus

    bench = _bench()
    groups = [[*a.corrupted, *a.clean] for arts in bench.load_eval().values() for a in arts]
    seeds = clean_corpus([Source(p.name, p.read_bytes()) for p in sorted((ROOT / "seeds").glob("*.txt"))])
    groups += seeds.articles["paragraphs"].to_list()
    got, expected = _names_by_key(groups)
    assert len(expected) > 500
    assert got == expected


def test_name_tokens_on_the_eval_set() -> None:
    from cleaners.typos import _name_tokens

    bench = _bench()
    paras = [p for arts in bench.load_eval().values() for a in arts for p in (*a.corrupted, *a.clean)]
    assert sum(len(_reference_name_tokens(p)) for p in paras) > 1000
    for p in paras:
        assert list(_name_tokens(p)) == _reference_name_tokens(p)


def test_a_tie_between_two_dominant_spellings_does_not_depend_on_count_order() -> None:
    """Pooled counts arrive in a different order in incremental and full runs (and per batch):
    on a tie in count and frequency the suggestion is the first spelling in code-point order."""
    from cleaners.typos import NameIndex

    a = {"Kovalen": 1, "Kovaben": 4, "Kobalen": 4}
    b = {"Kobalen": 4, "Kovaben": 4, "Kovalen": 1}
    assert NameIndex(a).dominant("Kovalen") == NameIndex(b).dominant("Kovalen") == "Kobalen"


def test_screening_a_slice_of_articles_at_a_time_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """detect_typos screens SCREEN_ARTICLES articles at a time (for memory): with slices of two
    articles the flags are those of one slice holding every article."""
    import cleaners.pipeline as pipeline

    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    corpus = pipeline.clean_corpus([pipeline.Source(p.name, p.read_bytes()) for p in seeds])
    arts = corpus.articles
    names = pipeline.name_rows(arts)
    pooled = pipeline.pool_names(names)
    monkeypatch.setattr(pipeline, "SCREEN_ARTICLES", 10_000)
    whole = pipeline.detect_typos(arts, pooled, names)
    monkeypatch.setattr(pipeline, "SCREEN_ARTICLES", 2)
    assert len(arts) > 4  # several slices
    sliced = pipeline.detect_typos(arts, pooled, names)
    assert len(whole) > 5
    assert sliced.equals(whole)


def test_zipf_table_equals_wordfreqs_frequency_dict() -> None:
    """The table read from wordfreq's packed buckets has wordfreq's words, order and values."""
    import math

    import wordfreq

    from cleaners.typos import _zipf_table

    want = {w: math.log10(f) + 9.0 for w, f in wordfreq.get_frequency_dict("en", "large").items()}
    got = _zipf_table()
    assert list(got.items()) == list(want.items())
    assert len(got) > 300_000


def test_deletion_index_holds_each_words_deletions_once() -> None:
    """Every key of the compact index lists, in order and once, the words it was made from."""
    from cleaners.typos import _deleted_from, _pool

    words, deletes, _ = _pool()
    want: dict[str, dict[str, None]] = {}
    for w in words:
        for key in (w, *(w[:i] + w[i + 1 :] for i in range(len(w)))):
            want.setdefault(key, {})[w] = None
    assert deletes.keys() == want.keys()
    assert all(_deleted_from(deletes, k) == tuple(v) for k, v in want.items())
    assert sum(isinstance(v, tuple) for v in deletes.values()) > 1000  # the shared keys are there too


def test_the_spacing_pattern_keeps_its_matches_without_backtracking() -> None:
    """The possessive form of the spacing pattern matches what the backtracking one matched."""
    import re

    from cleaners.typos import _LETTERS, _SPACING

    old = re.compile(
        rf"(?<![\w.])({_LETTERS}*[a-z]{_LETTERS}*)([.!?;:,])([A-Z][a-z]+|[a-z]{{2,}})(?![A-Za-z])"
    )
    samples = [
        "He left.Then she came,and stayed;later on.",
        "ÉTAT,Paris and NASA.Gov; e.g.Some,thing ABC.Def",
        "word,Word word.word. x.Yy mid:Way end!Now q?Ask",
        "ünïcode,Zürich straße.Berlin aaaa,bbbbB cc.DDee",
    ]
    for text in samples:
        assert [m.span() for m in _SPACING.finditer(text)] == [m.span() for m in old.finditer(text)], text


def _typos_cli(*args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    import subprocess

    r = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "newsclean"), "typos", *args],
        input=stdin,
        capture_output=True,
        timeout=300,
    )
    return r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8")


def test_typos_jsonl_batch_adds_each_document_s_id(tmp_path: Path) -> None:
    docs = [
        {"id": 7, "text": "The the council met."},
        {"id": "b", "text": "Nothing wrong here."},
        {"id": "c", "text": "She will recieve the report."},
    ]
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps(d) for d in docs) + "\n\n", encoding="utf-8")
    rc, out, err = _typos_cli("--jsonl", str(f))
    assert rc == 0, err
    flags = [json.loads(line) for line in out.splitlines()]
    assert [(x["id"], x["token"]) for x in flags] == [(7, "The the"), ("c", "recieve")]
    # offsets are into each document's own text, as with one text on stdin
    rc1, one, _ = _typos_cli("-", stdin=docs[2]["text"].encode())
    assert rc1 == 0 and {k: v for k, v in flags[1].items() if k != "id"} == json.loads(one)


def test_typos_jsonl_malformed_line_is_a_usage_error_naming_the_line(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": 1, "text": "The the end."}\n{"id": 2}\n', encoding="utf-8")
    rc, out, err = _typos_cli("--jsonl", str(f))
    assert rc == 2 and out == "" and "line 2" in err


def test_typos_on_empty_input_exits_zero_with_no_flags() -> None:
    rc, out, err = _typos_cli("-", stdin=b"")
    assert (rc, out) == (0, ""), err


def test_the_suggestion_fits_the_words_around_it() -> None:
    # the same misspelling, two contexts: the bigram counts pick the correction each one needs
    a = find_typos(["They toured the wourld, then came home."])
    b = find_typos(["He said they wourld go home."])
    assert [(t.token, t.suggestion) for t in a] == [("wourld", "world")]
    assert [(t.token, t.suggestion) for t in b] == [("wourld", "would")]
