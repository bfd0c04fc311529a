"""Body extraction on invented fixture pages (``tests/fixtures/pages/``).

Each fixture is ``NAME.txt`` (a scraped page) plus ``NAME.body.txt`` (the expected body
paragraphs, blank-line separated). Names starting with ``a`` are text left by a main-content
extractor; ``b`` are whole-page dumps (menus, footers, related lists, cookie banners…).

* every phrase family has a line in some fixture that must be removed with a sensible reason;
* body lines that merely mention cookies, ads, newsletters, comments, photos or "read more" stay;
* non-English pages never come out empty;
* the mean shingle F1 per flavour stays at the level reached (``benchmarks/bench_extraction.py``).
"""

from __future__ import annotations

import importlib.util
import sys
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cleaners.pipeline import Source, body_text, clean_corpus, documents

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "fixtures" / "pages"
NAMES = sorted(p.name[: -len(".body.txt")] for p in PAGES.glob("*.body.txt"))

_spec = importlib.util.spec_from_file_location(
    "bench_extraction", ROOT / "benchmarks" / "bench_extraction.py"
)
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("bench_extraction", bench)
_spec.loader.exec_module(bench)

#: Mean shingle F1 per flavour reached when these thresholds were set (a: 0.9925, b: 0.9587).
MIN_MEAN_F1 = {"a": 0.975, "b": 0.96}  # the line model, trained mostly on real pages: 0.981 / 0.969
NON_ENGLISH = [
    n
    for n in NAMES
    if any(
        k in n for k in ("french", "german", "spanish", "russian", "chinese", "arabic", "japanese", "thai")
    )
]


@cache
def doc(name: str) -> dict[str, Any]:
    """The contract document of one fixture page, cleaned on its own."""
    raw = (PAGES / f"{name}.txt").read_bytes()
    return documents(clean_corpus([Source(f"{name}.txt", raw)]))[f"{name}.txt"]


def raw_lines(name: str) -> list[str]:
    return (PAGES / f"{name}.txt").read_text(encoding="utf-8").splitlines()


def gold(name: str) -> str:
    return (PAGES / f"{name}.body.txt").read_text(encoding="utf-8")


def norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).split())


def roles_of(name: str, text: str) -> list[tuple[str, str | None]]:
    """Role and reason of every raw line of fixture ``name`` whose stripped text is ``text``."""
    lines = raw_lines(name)
    by_n = {d["n"]: (d["role"], d["reason"]) for d in doc(name)["lines"]}
    hits = [by_n[i + 1] for i, ln in enumerate(lines) if ln.strip() == text]
    assert hits, f"{text!r} is not a line of {name}.txt"
    return hits


def test_fixture_set_is_complete() -> None:
    assert len(NAMES) >= 30
    for n in NAMES:
        assert (PAGES / f"{n}.txt").is_file(), n
        assert gold(n).strip(), n
    assert {n[0] for n in NAMES} == {"a", "b"}
    assert len(NON_ENGLISH) >= 16


_BP = {"boilerplate"}
#: the line model names the feature group that removed a line (docs/line-model.md: how lines are classified)
_MODEL = {
    "model_shape",
    "model_language",
    "model_lexicon",
    "model_repetition",
    "model_position",
    "model_context",
    "model_file",
}
_NAV = {"navigation", "link_menu", "before_body", "after_body"} | _MODEL
# (family, fixture, exact line, allowed roles, allowed reasons)
FAMILY_CASES: list[Any] = [
    ("ad_slot", "a02_wire_ap_ads", "Advertisement", _BP, {"ad_slot"}),
    ("ad_slot", "a02_wire_ap_ads", "ADVERTISEMENT", _BP, {"ad_slot"}),
    ("ad_slot", "a02_wire_ap_ads", "Story continues below advertisement", _BP, {"ad_slot"}),
    ("ad_slot", "b04_blog_full", "Header Ads Widget", _BP, {"ad_slot"}),
    ("ad_slot", "a24_ap_file_captions", "SKIP ADVERTISEMENT", _BP, {"ad_slot"}),
    ("ad_slot", "a24_ap_file_captions", "Supported by", _BP, {"ad_slot"}),
    ("ad_slot", "a15_french", "Publicité", _BP, {"ad_slot"}),
    ("ad_slot", "a16_german", "Anzeige", _BP, {"ad_slot"}),
    ("read_more", "a08_related_second", "READ FULL ARTICLE", _BP, {"read_more_link"}),
    ("read_more", "a13_readmore_variants", "Read Entire Article", _BP, {"read_more_link"}),
    (
        "read_more",
        "a13_readmore_variants",
        "Read more: How food costs are squeezing school budgets",
        _BP,
        {"read_more_link"},
    ),
    (
        "read_more",
        "a13_readmore_variants",
        "READ MORE: Free meals expanded to 12,000 more pupils",
        _BP,
        {"read_more_link"},
    ),
    (
        "read_more",
        "a13_readmore_variants",
        "Also read: Teachers warn of hungry pupils in afternoon classes",
        _BP,
        {"read_more_link"},
    ),
    (
        "read_more",
        "a15_french",
        "Lire aussi : Le vélo en ville, une révolution lente",
        _BP,
        {"read_more_link"},
    ),
    ("read_more", "a18_russian", "Читайте также: Как изменится транспорт в городе", _BP, {"read_more_link"}),
    ("read_more", "a20_arabic", "اقرأ أيضا: ارتفاع الطلب على الكهرباء في الصيف", _BP, {"read_more_link"}),
    (
        "related",
        "a08_related_second",
        "RELATED: Dutch and German engineers share lessons from storm surge season",
        {"title", "boilerplate"},
        {None, "related_link"},
    ),
    ("related", "a07_mostly_boilerplate", "Related Stories", _BP, {"related_link", "related_teaser"}),
    ("related", "b18_related_questions", "More in Health", _BP, {"read_more_link", "related_link"}),
    ("syndication", "a11_syndication", "SOURCE: www.ruralaffairs.example", {"meta"}, {"source_line"}),
    (
        "syndication",
        "a11_syndication",
        "This article originally appeared on Rural Affairs Weekly.",
        {"meta"},
        {"syndication"},
    ),
    ("share", "a23_markup_share", "Share on Facebook | Share on Twitter | Email", _BP, {"share_row"}),
    ("share", "a23_markup_share", "Facebook Twitter WhatsApp", _BP, {"share_row"}),
    ("share", "a24_ap_file_captions", "Click to share on Facebook (Opens in new window)", _BP, {"share_row"}),
    (
        "follow",
        "a23_markup_share",
        "Follow us on Instagram @wetlandnews",
        _BP,
        {"share_row", "follow_prompt"},
    ),
    (
        "newsletter",
        "a07_mostly_boilerplate",
        "Sign up for our Morning Briefing newsletter",
        _BP,
        {"newsletter_prompt"},
    ),
    (
        "newsletter",
        "a07_mostly_boilerplate",
        "Download the app for breaking news alerts",
        _BP,
        {"newsletter_prompt"},
    ),
    ("newsletter", "b01_local_news", "Enter your email", _BP, {"newsletter_prompt"}),
    ("newsletter", "b18_related_questions", "Thank you for subscribing!", _BP, {"newsletter_prompt"}),
    (
        "newsletter",
        "a24_ap_file_captions",
        "By subscribing, you agree to our Terms of Use and Privacy Policy.",
        _BP,
        {"newsletter_prompt"},
    ),
    (
        "cookie",
        "b01_local_news",
        "We use cookies to improve your experience on our site and to show you relevant advertising. By continuing "
        "you agree to our Cookie Policy. Accept Reject",
        _BP,
        {"cookie_banner"},
    ),
    (
        "cookie",
        "b17_opinion_full",
        "We use cookies and similar technologies to personalise ads. Accept Reject",
        _BP,
        {"cookie_banner"},
    ),
    ("cookie", "b02_tech_magazine", "Accept all", _BP, {"cookie_banner"}),
    ("cookie", "b15_one_sentence_full", "Accept cookies", _BP, {"cookie_banner"}),
    (
        "cookie",
        "b07_spanish_full",
        "Utilizamos cookies propias y de terceros para mejorar nuestros servicios. Aceptar Rechazar Configurar",
        _BP,
        {"cookie_banner"},
    ),
    *(
        ("comments", "a03_blog_comments", line, _BP, {"comment_prompt"})
        for line in (
            "0 Comments",
            "Post a Comment",
            "Leave a Reply",
            "Be the first to comment",
            "Loading comments...",
            "Comments are closed.",
            "Reply",
            "12 thoughts on “Why our town library still lends out seeds every spring”",
            "Your email address will not be published. Required fields are marked *",
        )
    ),
    ("comments", "b04_blog_full", "4 comments:", _BP, {"comment_prompt"}),
    ("comments", "b04_blog_full", "Anonymous said...", _BP, {"comment_prompt"}),
    ("comments", "b13_sports", "Comments (48)", _BP, {"comment_prompt"}),
    pytest.param(
        "comments",
        "b04_blog_full",
        "Great post, raised beds saved my garden too.",
        _BP,
        {"comment_section"},
    ),
    ("timestamp", "a12_timestamps", "20 hours ago 3", _BP, {"timestamp"}),
    ("timestamp", "a02_wire_ap_ads", "Updated 14 hours ago", _BP, {"timestamp"}),
    ("timestamp", "a07_mostly_boilerplate", "5 min read", _BP, {"timestamp"}),
    ("timestamp", "a07_mostly_boilerplate", "Listen to this article", _BP, {"timestamp"}),
    ("timestamp", "a24_ap_file_captions", "Listen to article", _BP, {"timestamp"}),
    ("timestamp", "a28_live_blog", "23:41 GMT", _BP, {"timestamp"}),
    ("timestamp", "a28_live_blog", "Updated at 11.05pm GMT", _BP, {"timestamp"}),
    ("tags", "a03_blog_comments", "Tags: library, seeds, spring", _BP, {"tag_list"}),
    ("tags", "a03_blog_comments", "Filed under: Community, Gardening", _BP, {"tag_list"}),
    ("tags", "b04_blog_full", "Labels: allotment, winter, vegetables", _BP, {"tag_list"}),
    ("tags", "a24_ap_file_captions", "Tagged: drought, water, Nevada", _BP, {"tag_list"}),
    pytest.param(
        "author_bio",
        "a14_author_bio",
        "Lena Vogt is a transport correspondent based in Berlin. She has written about railways for "
        "fifteen years.",
        _BP | {"byline"},
        {"author_bio", "author_box"},
    ),
    pytest.param(
        "author_bio",
        "b17_opinion_full",
        "Rosa Lindqvist is a contributing writer and the author of two books on work.",
        _BP | {"byline"},
        {"author_bio", "author_box"},
    ),
    ("navigation", "b01_local_news", "← Previous", _BP, {"navigation"}),
    ("navigation", "b01_local_news", "Next →", _BP, {"navigation"}),
    ("navigation", "b17_opinion_full", "Older Posts", _BP, {"navigation"}),
    ("navigation", "b01_local_news", "Home > News > Local", _BP, {"navigation"}),
    ("navigation", "a24_ap_file_captions", "1 of 12", _BP, {"navigation"}),
    ("navigation", "b01_local_news", "Sport", _BP, _NAV),
    ("navigation", "b03_tv_station", "Police search for driver after hit-and-run on Route 9", _BP, _NAV),
    (
        "copyright",
        "b01_local_news",
        "© 2026 The County Chronicle. All rights reserved.",
        _BP,
        {"copyright_footer"},
    ),
    (
        "copyright",
        "a02_wire_ap_ads",
        "Copyright 2026 The Associated Press. All rights reserved. This material may not be published, broadcast, "
        "rewritten or redistributed without permission.",
        _BP,
        {"copyright_footer"},
    ),
    (
        "copyright",
        "a01_wire_reuters",
        "Our Standards: The Thomson Reuters Trust Principles., opens new tab",
        _BP,
        {"copyright_footer"},
    ),
    (
        "copyright",
        "b17_opinion_full",
        "© 2026 The Weekly Argument. Editorial policy | Privacy policy",
        _BP,
        {"copyright_footer"},
    ),
    (
        "copyright",
        "b08_russian_full",
        "© 2026 Сибирские новости. Все права защищены.",
        _BP,
        {"copyright_footer"},
    ),
    ("markup", "a23_markup_share", "|---|---|", _BP, {"markup_residue"}),
    ("markup", "a23_markup_share", "</div>", _BP, {"markup_residue"}),
    ("markup", "a23_markup_share", "=======", _BP, {"markup_residue"}),
    ("markup", "a23_markup_share", "&nbsp;", _BP, {"markup_residue", "no_visible_text"}),
    ("markup", "a26_embeds_inline_related", "pic.twitter.com/Xb12Ab34", _BP, {"markup_residue"}),
    (
        "markup",
        "a26_embeds_inline_related",
        "— Opposition Transport Team (@OppTransport) March 3, 2026",
        _BP,
        {"markup_residue"},
    ),
    ("markup", "a26_embeds_inline_related", "View this post on Instagram", _BP, {"markup_residue"}),
    ("share", "b21_comment_thread", "Like this:", _BP, {"share_row"}),
    ("share", "b21_comment_thread", "Like Loading...", _BP, {"share_row"}),
    ("comments", "b21_comment_thread", "Leave a Reply Cancel reply", _BP, {"comment_prompt"}),
    ("byline", "a03_blog_comments", "Posted by Harriet Moss", {"byline"}, {"byline"}),
    (
        "caption",
        "a09_captions",
        "Ash rises from the crater above the village of Lembah on Tuesday. KCNA VIA KNS/AFP via Getty Images",
        {"caption"},
        {"photo_credit"},
    ),
    (
        "caption",
        "a09_captions",
        "Residents wait at a temporary shelter in a school gym. (Photo: Rina Halim/Island Daily)",
        {"caption"},
        {"photo_credit"},
    ),
    (
        "caption",
        "a09_captions",
        "Photograph: Dewi Santoso/Reuters",
        {"caption"},
        {"caption_prefix", "photo_credit"},
    ),
    (
        "caption",
        "a09_captions",
        "Image credit: Volcanology and Geological Hazard Agency",
        {"caption"},
        {"caption_prefix", "photo_credit"},
    ),
    (
        "caption",
        "a09_captions",
        "A girl carries her cat to an evacuation truck. Purchase Licensing Rights, opens new tab",
        {"caption"},
        {"photo_credit"},
    ),
    (
        "caption",
        "a09_captions",
        "Smoke over the ridge on Tuesday, Mar. 3, 2026. (AP Photo/Made Nagi)",
        {"caption"},
        {"photo_credit"},
    ),
    (
        "caption",
        "a24_ap_file_captions",
        "FILE - A boat ramp sits far above the waterline at Lake Corran, Aug. 14, 2025. (AP Photo/Lena Ortiz, File)",
        {"caption"},
        {"caption_prefix", "photo_credit"},
    ),
    ("caption", "a24_ap_file_captions", "Getty Images", {"caption"}, {"photo_credit"}),
    (
        "caption",
        "a24_ap_file_captions",
        "Image source, Getty Images",
        {"caption"},
        {"caption_prefix", "photo_credit"},
    ),
    (
        "caption",
        "a24_ap_file_captions",
        "Credit...Tomas Lind for The Desert Ledger",
        {"caption"},
        {"caption_prefix", "photo_credit"},
    ),
    ("byline", "a02_wire_ap_ads", "By MARTA OLSEN Associated Press", {"byline"}, {"byline"}),
    (
        "byline",
        "a01_wire_reuters",
        "Reporting by Ioana Petrescu; Additional reporting by Tom Hale in London; Editing by Jan Harvey",
        {"byline"},
        {"byline", "credit_line"},
    ),
    ("dateline", "a11_syndication", "March 2, 2026", {"meta"}, {"published_line"}),
    ("dateline", "a01_wire_reuters", "Published March 5, 2026", {"meta"}, {"published_line"}),
]


#: Known structural failures (reported to the lead; cleaners/structure.py decides these lines):
#: (fixture, exact line, what it should be). They xfail until the structure learns them.
STRUCTURAL_FIXED = [
    (
        "b18_related_questions",
        "Is the four-day week coming to hospitals?",
        "not body",
        "a related headline ending in ? is an anchor and pulls the related list into the body",
    ),
    (
        "b21_comment_thread",
        "This is exactly what the town needed. Well done to everyone involved.",
        "not body",
        "comment text after a comment count is body (comments extend the anchor span)",
    ),
    (
        "b21_comment_thread",
        "Margaret H.",
        "not body",
        "a commenter name between comment texts is a subheading",
    ),
    (
        "b13_sports",
        "• 23’ Goal: Jamal Ortiz scores for City from the penalty spot",
        "body",
        "list items after a subheading that follows the last anchor are dropped as after_body",
    ),
]
#: Still known to fail: strict, so a fix shows up as XPASS -> move the case to STRUCTURAL_FIXED.
STRUCTURAL = [
    (
        "b18_related_questions",
        "The Courier is an independent newspaper founded in 1887 and owned by a charitable trust.",
        "not body",
        "a publisher blurb after the story is a terminated sentence",
    ),
    (
        "b14_press_release",
        "Eastvale Water supplies drinking water to 1.4 million people in the Eastvale region.",
        "not body",
        "an 'About <company>' boilerplate block after a press release",
    ),
    (
        "a26_embeds_inline_related",
        "We need to talk about trains. Not fantasy timetables, real ones.",
        "not body",
        "embedded tweet text right above its '— Name (@handle) date' attribution",
    ),
]


@pytest.mark.parametrize(("name", "line", "want", "why"), STRUCTURAL_FIXED)
def test_structural_cases(name: str, line: str, want: str, why: str) -> None:
    got = [role for role, _ in roles_of(name, line)]
    assert all((role == "body") == (want == "body") for role in got), (why, got)


@pytest.mark.parametrize(("name", "line", "want", "why"), STRUCTURAL)
@pytest.mark.xfail(reason="known structural gap (see the closing note)", strict=True)
def test_known_structural_failures(name: str, line: str, want: str, why: str) -> None:
    got = [role for role, _ in roles_of(name, line)]
    assert all((role == "body") == (want == "body") for role in got), (why, got)


def test_syndicated_copies_in_one_batch_keep_their_body() -> None:
    """The same page twice in one run (a syndicated copy) must not lose its body to cross-file repetition."""
    for name in ("a22_thai", "a05_subheadings_lists"):
        raw = (PAGES / f"{name}.txt").read_bytes()
        docs = documents(clean_corpus([Source("one.txt", raw), Source("two.txt", raw)]))
        assert bench.prf(body_text(docs["one.txt"]), gold(name))[2] >= 0.95, name


@pytest.mark.parametrize(("family", "name", "line", "roles", "reasons"), FAMILY_CASES)
def test_family_line_is_removed_with_its_reason(
    family: str, name: str, line: str, roles: set[str], reasons: set[str | None]
) -> None:
    for role, reason in roles_of(name, line):
        assert role != "body", (family, line)
        assert role in roles and reason in reasons, (family, line, role, reason)


def test_every_family_of_the_brief_is_covered() -> None:
    fams = {c.values[0] if hasattr(c, "values") else c[0] for c in FAMILY_CASES}
    assert fams >= {
        "ad_slot",
        "read_more",
        "related",
        "syndication",
        "share",
        "follow",
        "newsletter",
        "cookie",
        "comments",
        "timestamp",
        "tags",
        "author_bio",
        "navigation",
        "copyright",
        "markup",
        "caption",
        "byline",
        "dateline",
    }


def test_wire_dateline_stays_in_the_paragraph() -> None:
    paras = doc("a01_wire_reuters")["articles"][0]["paragraphs"]
    assert paras[0].startswith("BUCHAREST, March 5 (Reuters) – Romanian dock workers")
    paras = doc("b16_wire_full_related")["articles"][0]["paragraphs"]
    assert paras[0].startswith("TOKYO, March 3 (Reuters) – A powerful typhoon")


def test_a_second_article_glued_after_related_is_split_off() -> None:
    for name in ("a08_related_second", "b16_wire_full_related"):
        arts = doc(name)["articles"]
        assert len(arts) == 2, name
        assert arts[1]["paragraphs"] and arts[1]["paragraphs"][0].split()[0] in {"GRONINGEN", "TOKYO"}


#: Pages whose body is tricky: one-sentence paragraphs, lines ending in ”, subheadings and list
#: items, sentences that mention cookies, ads, newsletters, comments, photos or "read more".
TRICKY = [
    "a04_one_sentence",
    "a05_subheadings_lists",
    "a06_curly_quotes",
    "a10_tricky_mentions",
    "a15_french",
    pytest.param(
        "b02_tech_magazine",
        # a review's "What we liked" heading and its short bullets, after the last prose paragraph:
        # the line model reads them as a link list (real pages have far more of those than this)
        marks=pytest.mark.xfail(
            reason="known gap of the line model: short bullets after the story", strict=True
        ),
    ),
    "b15_one_sentence_full",
    "b17_opinion_full",
]


@pytest.mark.parametrize("name", TRICKY)
def test_tricky_body_lines_survive(name: str) -> None:
    got = {norm(p) for a in doc(name)["articles"] for p in a["paragraphs"]}
    missing = [p for p in gold(name).split("\n\n") if p.strip() and norm(p) not in got]
    assert not missing, missing


#: Body sentences that mention the words the furniture families look for.
MENTIONS = [
    "Follow the protests on social media, organisers urged supporters.",
    "Police said the suspect’s brother contributed to the report.",
    "Next, the committee will review the budget.",
    "You can refuse cookies, but the site will not work, the regulator said, urging users to accept.",
    "Readers who sign up for the newsletter get a free tote bag, the paper said.",
    "Read more books, the minister told pupils.",
    "Copyright lawyers said the ruling would change how music is licensed.",
    "By subscribing to the theory, he said, you ignore the evidence.",
    "Supported by the unions, the strike spread to three more ports.",
    "Previous attempts to reform the law had failed.",
    "The ad feedback from viewers was overwhelmingly negative.",
    "Reply from the ministry came two weeks later.",
    "Share prices fell 4% on Tuesday.",
    "Listen to the victims, the bishop said.",
    "Photo evidence was presented in court on Monday.",
    "Related charges were dropped in 2024.",
    "Sign up rates for the paid edition have fallen.",
    "Enter your email address below, the scam message told victims.",
    "Advertisement spending rose by 8% last year.",
    "We found cookies and crumbs in every drawer, the inspector said.",
]


@pytest.mark.parametrize("line", MENTIONS)
def test_sentences_mentioning_furniture_words_stay_body(line: str) -> None:
    page = [
        "Port reopens after storm",
        "The port reopened on Wednesday after a storm closed it for two days.",
        "Dock workers cleared debris from the quays overnight.",
        line,
        "Shipping companies said delays would last until the weekend.",
        "The harbour master thanked crews for their work.",
    ]
    d = documents(clean_corpus([Source("m.txt", "\n".join(page).encode())]))["m.txt"]
    assert (d["lines"][3]["role"], d["lines"][3]["reason"]) == ("body", None), d["lines"][3]


@pytest.mark.parametrize("name", NON_ENGLISH)
def test_non_english_pages_are_not_empty(name: str) -> None:
    text = body_text(doc(name))
    assert text.strip(), name
    assert bench.prf(text, gold(name))[1] >= 0.9, name  # recall


def test_every_line_gets_one_role() -> None:
    for name in NAMES:
        n_lines = [d["n"] for d in doc(name)["lines"]]
        expected = [i + 1 for i, ln in enumerate(raw_lines(name)) if ln.strip(" \t\u00a0")]
        assert n_lines == expected, name


@pytest.mark.parametrize("flavour", ["a", "b"])
def test_mean_shingle_f1_per_flavour(flavour: str) -> None:
    scores, baseline = [], []
    for name in (n for n in NAMES if n[0] == flavour):
        g = gold(name)
        scores.append(bench.prf(body_text(doc(name)), g)[2])
        keep = "\n".join(ln for ln in raw_lines(name) if ln.strip())
        baseline.append(bench.prf(keep, g)[2])
    mean, base = sum(scores) / len(scores), sum(baseline) / len(baseline)
    assert mean >= MIN_MEAN_F1[flavour], (flavour, round(mean, 4))
    assert mean > base, (flavour, round(mean, 4), round(base, 4))
