"""Deterministic generator of synthetic scraped news articles for the benchmark.

    .venv/bin/python benchmarks/generate.py --n 10000 --out /tmp/corpus [--seed 0] [--jobs 2]

Writes ``N`` files named ``<index>_<hex>.txt`` (about 3 KB each). The same ``--seed`` gives
byte-identical files whatever ``--jobs`` is: every file has its own random stream, seeded
from ``(seed, index)``.

Each file is built from one of several site *families* (page furniture as scrapers capture
it) around prose assembled from word lists and sentence templates:

``wire``      "Published <date>", dateline, licensing caption, NBSP-only spacer lines,
              "READ FULL ARTICLE", "SOURCE: www.site.com", often a glued second article
              ("RELATED: …", its title, caption, "SITE | Published <date>", its body)
``blogspot``  "Header Ads Widget", repeated title, "Post a Comment", "0 Comments"
``tabloid``   "20 hours ago 3", agency photo captions ("… KCNA VIA KNS/AFP via Getty Images"),
              "Read Entire Article"
``magazine``  byline, share row, "Advertisement", "(Photo: …)" captions, newsletter prompt,
              tag list, copyright footer
``local``     relative timestamp, ad slots, "RELATED: …" links, comment prompts
``plain``     title and body only (captions as bare lines)

Damage is layered on top at random: mojibake (UTF-8 read as cp1252: "â€™") in some
paragraphs, whole files in cp1252 bytes, a cp1252 line inside a UTF-8 file, no-break and
zero-width spaces, HTML entities, CRLF line ends, and typos (doubled words, common
misspellings, variants of a name used elsewhere in the same article).

As a module: ``generate(n, out_dir, seed=0) -> list[Path]``; ``build_file(index, seed)``
returns one file's name, bytes and the features it got (used by the tests).

>>> name, data, feats = build_file(3, seed=0)
>>> build_file(3, seed=0)[1] == data
True
>>> name.endswith(".txt") and feats["family"] in FAMILIES
True
"""

from __future__ import annotations

import argparse
import codecs
import hashlib
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

FAMILIES = ("wire", "blogspot", "tabloid", "magazine", "local", "plain")
_FAMILY_WEIGHTS = (24, 14, 16, 20, 16, 10)

# ---------------------------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------------------------

FIRST = (
    "Oleg Yuriy Andriy Maria Elena Sarah James Michael David Laura Anna Peter Thomas Daniel "
    "Sofia Olena Ivan Dmitry Natalia Hannah Emily Robert Jennifer Carlos Lucia Ahmed Fatima Omar "
    "Hiroshi Yuki Min-jun Ji-woo Seo-yeon Kwang Park Li Wei Chen Mei Rajesh Priya Amara Kwame "
    "Ingrid Lars Pierre Claire Giulia Marco Jonas Katarzyna Tomasz Nadia Samuel Grace Victor"
).split()
LAST = (
    "Tanasyuk Butusov Chernyak Kovalenko Shevchenko Melnyk Petrenko Ivanova Smirnov Volkov "
    "Morozov Kuznetsov Thompson Harrison Whitaker Gallagher Fitzgerald Donovan Richardson "
    "Alvarez Fernandez Moreno Castillo Haddad Nasser Khalil Tanaka Nakamura Yamamoto Kim Lee "
    "Choi Jung Zhang Wang Liu Sharma Gupta Mensah Okafor Lindqvist Andersen Dubois Moreau Rossi "
    "Bianchi Schneider Wagner Nowak Kowalski Novak Brennan Whitfield Abernathy Castellanos"
).split()
TITLES = (
    "President",
    "Prime Minister",
    "Foreign Minister",
    "Defence Minister",
    "spokesperson",
    "analyst",
    "senior official",
    "lawmaker",
    "professor",
    "commander",
    "governor",
    "mayor",
    "economist",
    "chief executive",
    "researcher",
    "Senator",
)
FAMOUS = (
    ("Vladimir Putin", "Putin"),
    ("Kim Jong Un", "Kim"),
    ("Volodymyr Zelenskyy", "Zelenskyy"),
    ("Donald Trump", "Trump"),
    ("Xi Jinping", "Xi"),
    ("Emmanuel Macron", "Macron"),
    ("Olaf Scholz", "Scholz"),
    ("Keir Starmer", "Starmer"),
    ("Lee Jae-myung", "Lee"),
    ("Narendra Modi", "Modi"),
)
# Spelling variants a scraped corpus mixes up (the second is the "typo" variant).
NAME_VARIANTS = (
    ("Zelenskyy", "Zelensky"),
    ("Kim Jong Un", "Kim Jong-un"),
    ("Tanasyuk", "Tanasuyk"),
    ("Butusov", "Butosov"),
    ("Chernyak", "Chernyk"),
    ("Shevchenko", "Shevchenk"),
    ("Pyongyang", "Pyongyag"),
)
PLACES = (
    "Kyiv Kursk Moscow Seoul Pyongyang Tokyo Beijing Washington London Paris Berlin Brussels "
    "Warsaw Kharkiv Odesa Donetsk Zaporizhzhia Geneva Vienna Ankara Istanbul Tehran Delhi Mumbai "
    "Jakarta Manila Sydney Toronto Chicago Houston Madrid Rome Milan Lagos Nairobi Cairo Doha "
    "Riyadh Zheleznogorsk Belgorod Helsinki Stockholm Oslo Dublin Lisbon Athens Prague Budapest"
).split()
REGIONS = (
    "the Kursk region",
    "eastern Ukraine",
    "the Korean Peninsula",
    "the Black Sea",
    "the Baltic states",
    "the Middle East",
    "southern Europe",
    "the Pacific",
    "the Donbas",
    "northern England",
    "the Gulf Coast",
    "the Sahel",
    "Central Asia",
    "the Arctic",
)
ORGS = (
    "the United Nations",
    "NATO",
    "the European Union",
    "the Pentagon",
    "the Kremlin",
    "the Workers’ Party of Korea",
    "the National Intelligence Service",
    "the World Health Organization",
    "the International Monetary Fund",
    "the central bank",
    "the finance ministry",
    "the defence ministry",
    "the foreign ministry",
    "the Supreme Court",
    "the state broadcaster",
    "the electoral commission",
    "the city council",
    "the regional government",
    "the opposition party",
    "the ruling coalition",
    "Ukraine’s Special Operations Forces",
    "the Korean Central News Agency",
    "the International Atomic Energy Agency",
    "the World Bank",
    "the Red Cross",
)
AGENCIES = ("Reuters", "AFP", "AP", "Kyodo", "Yonhap", "EPA", "Bloomberg", "Anadolu", "Xinhua", "dpa")
SITES = (
    ("reuters", "REUTERS"),
    ("asia.nikkei", "NIKKEI ASIA"),
    ("kyivindependent", "KYIV INDEPENDENT"),
    ("koreaherald", "THE KOREA HERALD"),
    ("nknews", "NK NEWS"),
    ("dailynewsbrief", "DAILY NEWS BRIEF"),
    ("worldaffairsnow", "WORLD AFFAIRS NOW"),
    ("theglobepost", "THE GLOBE POST"),
    ("eveningherald", "EVENING HERALD"),
    ("metrowire", "METRO WIRE"),
)
MONTHS = ("January February March April May June July August September October November December").split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

ADJ = (
    "new fresh major brief rare serious sharp sudden heavy limited growing renewed fierce "
    "bitter quiet modest significant unexpected lengthy formal public private secret official "
    "military economic political diplomatic regional national local international western "
    "eastern northern southern strategic critical crucial unusual early late recent previous "
    "detailed careful cautious urgent controversial ambitious costly fragile tense"
).split()
NOUNS = (
    "agreement offensive ceasefire deployment proposal report investigation budget policy plan "
    "strategy operation attack strike deal treaty summit meeting election campaign crisis "
    "shortage decision ruling statement assessment warning sanction programme project reform "
    "settlement negotiation vote inquiry review audit announcement ceremony exercise mission "
    "initiative framework package measure response effort commitment pledge"
).split()
NOUNS_PL = (
    "troops soldiers officials residents workers families analysts diplomats investors voters "
    "lawmakers prosecutors doctors nurses engineers farmers students teachers refugees civilians "
    "drones missiles shells rations weapons vehicles supplies sanctions talks prices wages "
    "exports imports casualties reserves positions villages factories hospitals schools"
).split()
VERBS = (
    "announced approved rejected criticised welcomed confirmed denied launched delayed expanded "
    "suspended reviewed signed drafted questioned defended unveiled postponed cancelled endorsed "
    "proposed challenged backed blocked praised condemned revealed disclosed outlined accepted"
).split()
SAY = (
    "said",
    "told reporters",
    "said in a statement",
    "wrote on social media",
    "told lawmakers",
    "said on Monday",
    "added",
    "said late on Friday",
    "told a news conference",
    "said in an interview",
)
PLACE_PP = (
    "near the front line",
    "along the border",
    "in the capital",
    "across the region",
    "outside the city",
    "in the north of the country",
    "at the port",
    "on the outskirts of town",
    "in several districts",
    "at the airbase",
)
TIME_ADV = (
    "On Monday",
    "On Tuesday",
    "Late on Wednesday",
    "Earlier this week",
    "Last month",
    "In recent days",
    "On Friday morning",
    "Over the weekend",
    "Since January",
    "Last year",
    "This spring",
    "By Thursday evening",
)
CONNECT = (
    "However",
    "Meanwhile",
    "At the same time",
    "In a rare admission",
    "According to officials",
    "By contrast",
    "Separately",
    "For now",
    "Even so",
    "In response",
)
QUOTE_BITS = (
    "we will not stop until the job is done",
    "this is the biggest mistake of their lives",
    "the situation remains extremely difficult",
    "nobody expected the talks to collapse so quickly",
    "our people have shown absolute loyalty",
    "the drone doesn’t care what name they use",
    "we need more support and we need it now",
    "there is no military solution to this conflict",
    "the numbers speak for themselves",
    "it is too early to say what happens next",
    "they were brainwashed and ready to sacrifice themselves",
    "the market has already priced in the worst",
    "we have asked for clarity and received none",
    "this decision will hurt ordinary families",
    "the evidence is still being gathered",
    "everyone in the village knew something was wrong",
)
MISSPELL = (
    ("government", "goverment"),
    ("received", "recieved"),
    ("separate", "seperate"),
    ("occurred", "occured"),
    ("until", "untill"),
    ("publicly", "publically"),
    ("believe", "beleive"),
    ("across", "accross"),
    ("definitely", "definately"),
    ("tomorrow", "tommorow"),
    ("environment", "enviroment"),
    ("which", "wich"),
)
DOUBLE_OK = ("the", "a", "to", "of", "and", "in", "that", "was", "for", "on")

# ---------------------------------------------------------------------------------------------
# Damage
# ---------------------------------------------------------------------------------------------

# UTF-8 bytes read as cp1252, with the five bytes cp1252 leaves undefined kept as C1 controls
# (what a browser or ftfy's "sloppy" codec shows): "’" -> "â€™", "”" -> "â€\x9d".
_SLOPPY = {b: bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0xA0)}
_SLOPPY_TABLE = str.maketrans({chr(b): c for b, c in _SLOPPY.items()})


def _sloppy_encode_errors(exc: UnicodeError) -> tuple[bytes, int]:
    """cp1252 encoding that keeps the C1 controls mojibake leaves (U+0080–U+009F) as their byte."""
    assert isinstance(exc, UnicodeEncodeError)
    out = bytearray()
    for ch in exc.object[exc.start : exc.end]:
        out += bytes([ord(ch)]) if 0x80 <= ord(ch) <= 0x9F else b"?"
    return bytes(out), exc.end


codecs.register_error("newsclean-bench-sloppy", _sloppy_encode_errors)


def to_cp1252(text: str) -> bytes:
    """``text`` as Windows-1252 bytes, losslessly for mojibake (C1 controls stay their byte).

    >>> to_cp1252("don’t â€\x9d")
    b'don\x92t \xe2\x80\x9d'
    """
    return text.encode("cp1252", errors="newsclean-bench-sloppy")


def mojibake(text: str) -> str:
    """``text`` encoded as UTF-8 and decoded as (sloppy) cp1252.

    >>> mojibake("don’t “go” – café")
    'donâ€™t â€œgoâ€\\x9d â€“ cafÃ©'
    """
    return text.encode("utf-8").decode("latin-1").translate(_SLOPPY_TABLE)


# ---------------------------------------------------------------------------------------------
# Building one file
# ---------------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    rng: random.Random
    people: list[tuple[str, str, str]]  # (full name, surname, title)
    place: str
    region: str
    site: tuple[str, str]
    features: dict[str, object] = field(default_factory=dict)
    headlines: set[str] = field(default_factory=set)  # every headline written, shared with glued articles

    def pick(self, seq: Sequence[str]) -> str:
        return seq[int(self.rng.random() * len(seq))]


def _person(rng: random.Random) -> tuple[str, str, str]:
    if rng.random() < 0.35:
        full, short = FAMOUS[int(rng.random() * len(FAMOUS))]
        return full, short, ""
    first = FIRST[int(rng.random() * len(FIRST))]
    last = LAST[int(rng.random() * len(LAST))]
    return f"{first} {last}", last, TITLES[int(rng.random() * len(TITLES))]


def _date(rng: random.Random) -> str:
    return f"{MONTHS[int(rng.random() * 12)]} {1 + int(rng.random() * 28)}, {2023 + int(rng.random() * 3)}"


def _number(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return str(2 + int(rng.random() * 98))
    if r < 0.7:
        return f"{1 + int(rng.random() * 99)},{int(rng.random() * 1000):03d}"
    if r < 0.85:
        return ("two", "three", "four", "five", "six", "nine", "dozens of", "hundreds of")[
            int(rng.random() * 8)
        ]
    return f"{1 + int(rng.random() * 40)}.{int(rng.random() * 10)} percent of"


def _subject(c: _Ctx) -> str:
    r = c.rng.random()
    if r < 0.3:
        return c.pick(ORGS)
    if r < 0.55:
        full, short, _ = c.people[int(c.rng.random() * len(c.people))]
        return short if c.rng.random() < 0.5 else full
    if r < 0.8:
        return f"the {c.pick(ADJ)} {c.pick(NOUNS)}"
    return f"{_number(c.rng)} {c.pick(NOUNS_PL)}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _clause(c: _Ctx) -> str:
    rng = c.rng
    r = rng.random()
    subj = _subject(c)
    if r < 0.35:
        tail = f"the {c.pick(ADJ)} {c.pick(NOUNS)}"
        if rng.random() < 0.6:
            tail += f" {c.pick(PLACE_PP)}"
        return f"{subj} {c.pick(VERBS)} {tail}"
    if r < 0.55:
        noun = c.pick(NOUNS)
        art = "an" if noun[0] in "aeiou" else "a"
        return f"{subj} {c.pick(VERBS)} {art} {noun} to send {_number(rng)} {c.pick(NOUNS_PL)} to {c.region}"
    if r < 0.7:
        return f"{subj} had been {c.pick(VERBS)} by {c.pick(ORGS)} after the {c.pick(NOUNS)} in {c.place}"
    if r < 0.85:
        return (
            f"more than {_number(rng)} {c.pick(NOUNS_PL)} were affected by the {c.pick(ADJ)} "
            f"{c.pick(NOUNS)} {c.pick(PLACE_PP)}"
        )
    return f"{subj} is expected to face {c.pick(ADJ)} questions about the {c.pick(NOUNS)} in {c.place}"


def _sentence(c: _Ctx) -> str:
    rng = c.rng
    r = rng.random()
    full, short, title = c.people[int(rng.random() * len(c.people))]
    speaker = f"{title} {full}" if title and rng.random() < 0.5 else full
    if r < 0.22:
        return f"{_cap(_clause(c))}, {speaker} {c.pick(SAY)}."
    if r < 0.38:
        return f"{c.pick(TIME_ADV)}, {_clause(c)}."
    if r < 0.5:
        return f"{c.pick(CONNECT)}, {_clause(c)} and {_clause(c)}."
    if r < 0.6:
        return f"“{_cap(c.pick(QUOTE_BITS))},” {short} {c.pick(SAY)}."
    if r < 0.68:
        return f"{_cap(speaker)} {c.pick(SAY)}: “{_cap(c.pick(QUOTE_BITS))}, and {_clause(c)}.”"
    if r < 0.73:
        return f"‘{_cap(c.pick(QUOTE_BITS))} – {_clause(c)}…’"
    if r < 0.8:
        return (
            f"{_cap(_clause(c))}, according to {c.pick(ORGS)}, which said the {c.pick(NOUNS)} "
            f"would take {_number(rng)} weeks."
        )
    if r < 0.88:
        return f"{_cap(_clause(c))} on {c.pick(WEEKDAYS)}, {_date(rng)}."
    if r < 0.94:
        return f"It is unclear whether {_clause(c)}."
    return f"{_cap(_clause(c))}, and it was not immediately clear why."


def _paragraph(c: _Ctx) -> str:
    k = 1 + int(c.rng.random() * 3)
    return " ".join(_sentence(c) for _ in range(k))


def _headline(c: _Ctx) -> str:
    headline = _pick_headline(c)
    c.headlines.add(headline)
    return headline


def _pick_headline(c: _Ctx) -> str:
    rng = c.rng
    full, short, _ = c.people[0]
    r = rng.random()
    if r < 0.3:
        return (
            f"{full} {c.pick(VERBS)} {c.pick(ADJ)} {c.pick(NOUNS)} as {c.pick(NOUNS_PL)} gather in {c.place}"
        )
    if r < 0.55:
        return f"{_cap(c.pick(NOUNS_PL))} in {c.region} face {c.pick(ADJ)} {c.pick(NOUNS)}: ‘{_cap(c.pick(QUOTE_BITS))}’"
    if r < 0.8:
        return f"{_cap(c.pick(ORGS))} {c.pick(VERBS)} {c.pick(NOUNS)} after {short} visit to {c.place}"
    return (
        f"{_cap(_number(rng))} {c.pick(NOUNS_PL)} caught up in {c.pick(ADJ)} {c.pick(NOUNS)} near {c.place}"
    )


def _caption(c: _Ctx, style: str) -> str:
    rng = c.rng
    full = c.people[int(rng.random() * len(c.people))][0]
    scene = (
        f"{full} (left) speaks during a {c.pick(NOUNS)} in {c.place}, {_date(rng)}",
        f"{_cap(c.pick(NOUNS_PL))} gather {c.pick(PLACE_PP)} in {c.place}",
        f"A {c.pick(ADJ)} {c.pick(NOUNS)} was held on {c.pick(WEEKDAYS)} for returning {c.pick(NOUNS_PL)}",
        f"{full} poses for a photo after the {c.pick(NOUNS)} in {c.place}",
        f"{_cap(c.pick(NOUNS_PL))} seen in this picture released by {c.pick(ORGS)}",
    )[int(rng.random() * 5)]
    if style == "getty":
        return f"{scene}. KCNA VIA KNS/AFP via Getty Images"
    if style == "photo":
        return f"{scene}. (Photo: {c.pick(FIRST)} {c.pick(LAST)}/{c.pick(AGENCIES)})"
    if style == "license":
        return f"{scene} in this picture released on {_date(rng)}. … Purchase Licensing Rights, opens new tab"
    if style == "agency":
        return f"{scene}. ({c.pick(AGENCIES)})"
    return scene


def _body(c: _Ctx, target: int, caption_style: str, caption_rate: float) -> list[str]:
    out: list[str] = []
    size = 0
    while size < target:
        if out and c.rng.random() < caption_rate:
            line = _caption(c, caption_style)
        else:
            line = _paragraph(c)
        out.append(line)
        size += len(line) + 1
    return out


def _relative_time(rng: random.Random) -> str:
    n = 1 + int(rng.random() * 23)
    unit = ("hours", "minutes", "days")[int(rng.random() * 3)]
    suffix = f" {int(rng.random() * 9)}" if rng.random() < 0.5 else ""
    return f"{n} {unit} ago{suffix}"


def _second_article(c: _Ctx) -> list[str]:
    """A related article glued under the first one, as some scrapers capture it."""
    other = _Ctx(
        c.rng,
        [_person(c.rng) for _ in range(3)],
        c.pick(PLACES),
        c.pick(REGIONS),
        c.site,
        headlines=c.headlines,
    )
    host, name = SITES[int(c.rng.random() * len(SITES))]
    c.features["glued"] = True
    lines = [
        f"RELATED: {_headline(other)}",
        "",
        _headline(other),
        "",
        _caption(other, "agency"),
        f"{name} | Published {_date(c.rng)}",
        "",
    ]
    for p in _body(other, 700 + int(c.rng.random() * 700), "agency", 0.05):
        lines += [p, ""]
    lines += ["READ FULL ARTICLE", "", f"SOURCE: www.{host}.com"]
    return lines


def _wire(c: _Ctx, target: int) -> list[str]:
    host, name = c.site
    rng = c.rng
    agency = c.pick(AGENCIES)
    body = _body(c, target, "license", 0.04)
    month = MONTHS[int(rng.random() * 12)][:3]
    body[0] = f"{c.place.upper()}, {month} {1 + int(rng.random() * 28)} ({agency}) – {body[0]}"
    lines = [_headline(c), "", _caption(c, "license"), f"Published {_date(rng)}"]
    for i, p in enumerate(body):
        lines.append(p)
        if i % 4 == 3 and rng.random() < 0.6:
            lines += ["", "\u00a0", ""]
            c.features["nbsp"] = True
    lines += ["", "READ FULL ARTICLE", "", f"SOURCE: www.{host}.com", ""]
    if rng.random() < 0.5:
        lines += _second_article(c)
    return lines


def _blogspot(c: _Ctx, target: int) -> list[str]:
    title = _headline(c)
    lines = [title, "", "Header Ads Widget", "", title, "", " ", "", ""]
    for p in _body(c, target, "plain", 0.03):
        lines += [p, ""]
    lines += ["", "Post a Comment", "", "0 Comments"]
    return lines


def _tabloid(c: _Ctx, target: int) -> list[str]:
    lines = [_headline(c), "", _relative_time(c.rng), ""]
    for p in _body(c, target, "getty", 0.12):
        lines += [p, ""]
    lines.append("Read Entire Article")
    return lines


def _magazine(c: _Ctx, target: int) -> list[str]:
    rng = c.rng
    host, name = c.site
    author = f"{c.pick(FIRST)} {c.pick(LAST)}"
    lines = [
        _headline(c),
        _cap(_clause(c)),  # a standfirst, unterminated as on most sites
        f"By {author}",
        f"{_date(rng)} | Updated {1 + int(rng.random() * 11)}:{int(rng.random() * 60):02d} pm",
        c.pick(("Share | Tweet | Email", "Facebook Twitter WhatsApp Email", "Share this article")),
        "Advertisement",
    ]
    body = _body(c, target, "photo", 0.08)
    for i, p in enumerate(body):
        lines.append(p)
        if i == len(body) // 2:
            lines.append(c.pick(("Story continues below advertisement", "Advertisement", "ADVERTISEMENT")))
        if i == len(body) // 3:
            lines.append(
                c.pick(
                    (
                        f"Sign up for our {c.pick(('daily', 'weekly', 'morning'))} briefing newsletter "
                        "to get the latest news in your inbox.",
                        "Subscribe to our newsletter",
                        "Get the latest headlines delivered to your inbox every morning.",
                    )
                )
            )
    lines += [
        f"Tags: {c.pick(NOUNS)}, {c.place}, {c.pick(NOUNS_PL)}",
        f"© {2023 + int(rng.random() * 3)} {name.title()} Media. All rights reserved.",
    ]
    return lines


def _local(c: _Ctx, target: int) -> list[str]:
    rng = c.rng
    lines = [_headline(c), f"Posted {_relative_time(rng)}", "Advertisement"]
    body = _body(c, target, "agency", 0.05)
    for i, p in enumerate(body):
        lines.append(p)
        if i == 2:
            other = _Ctx(rng, [_person(rng)], c.pick(PLACES), c.pick(REGIONS), c.site)
            lines.append(f"RELATED: {_headline(other)}")
        if i == len(body) - 3 and rng.random() < 0.5:
            lines.append("Advertisement")
    lines += [
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        f"{int(rng.random() * 40)} Comments",
    ]
    return lines


def _plain(c: _Ctx, target: int) -> list[str]:
    return [_headline(c), *_body(c, target, "plain", 0.1)]


_BUILDERS: dict[str, Callable[[_Ctx, int], list[str]]] = {
    "wire": _wire,
    "blogspot": _blogspot,
    "tabloid": _tabloid,
    "magazine": _magazine,
    "local": _local,
    "plain": _plain,
}


def _is_body(line: str) -> bool:
    return len(line) > 80 and line.endswith((".", "”", "’"))


def _prose(c: _Ctx, lines: list[str]) -> list[int]:
    """Indexes of the body paragraphs, where typos and damage go: never a headline, even one
    long enough and ending in a quote mark to look like prose."""
    return [
        i for i, ln in enumerate(lines) if _is_body(ln) and ln.removeprefix("RELATED: ") not in c.headlines
    ]


def _add_typos(c: _Ctx, lines: list[str]) -> None:
    rng = c.rng
    body = _prose(c, lines)
    if not body:
        return
    if rng.random() < 0.25:  # doubled word
        i = body[int(rng.random() * len(body))]
        words = lines[i].split(" ")
        cands = [k for k, w in enumerate(words[:-1]) if w in DOUBLE_OK]
        if cands:
            k = cands[int(rng.random() * len(cands))]
            words.insert(k, words[k])
            lines[i] = " ".join(words)
            c.features["doubled_word"] = True
    if rng.random() < 0.2:  # a common misspelling, inserted into a short sentence
        right, wrong = MISSPELL[int(rng.random() * len(MISSPELL))]
        i = body[int(rng.random() * len(body))]
        lines[i] += f" The {wrong} was noted by {c.pick(ORGS)}."
        c.features["misspelling"] = True
    if rng.random() < 0.2:  # a name variant next to the usual spelling
        right, wrong = NAME_VARIANTS[int(rng.random() * len(NAME_VARIANTS))]
        a, b = body[int(rng.random() * len(body))], body[int(rng.random() * len(body))]
        lines[a] += f" {right} {c.pick(SAY)} the {c.pick(NOUNS)} would go ahead."
        lines[a] += f" {right} later {c.pick(VERBS)} the {c.pick(NOUNS)}."
        lines[b] += f" {wrong} {c.pick(VERBS)} the {c.pick(ADJ)} {c.pick(NOUNS)}."
        c.features["name_variant"] = True


def _add_damage(c: _Ctx, lines: list[str]) -> None:
    rng = c.rng
    body = _prose(c, lines)
    if not body:
        return
    if rng.random() < 0.2:  # mojibake in a few paragraphs (distinct ones), sometimes twice over
        cands = [i for i in body if not lines[i].isascii()]
        hit = []
        for _ in range(1 + int(rng.random() * 3)):
            if cands:
                i = cands.pop(int(rng.random() * len(cands)))
                lines[i] = mojibake(lines[i])
                hit.append(i)
        if hit:
            c.features["mojibake"] = True
            if rng.random() < 0.1:
                lines[hit[0]] = mojibake(lines[hit[0]])
                c.features["double_mojibake"] = True
    if rng.random() < 0.25:  # no-break spaces inside prose
        i = body[int(rng.random() * len(body))]
        lines[i] = lines[i].replace(" percent", "\u00a0percent").replace(", ", ",\u00a0", 1)
        lines.insert(i + 1, "\u00a0 \u00a0")
        c.features["nbsp"] = True
    if rng.random() < 0.05:  # zero-width space and soft hyphen glued into words
        i = body[int(rng.random() * len(body))]
        lines[i] = lines[i].replace(" the ", " the\u200b ", 1).replace("tion", "\u00adtion", 1)
        c.features["invisible"] = True
    if rng.random() < 0.04:  # HTML entities left by the scraper
        i = body[int(rng.random() * len(body))]
        lines[i] = lines[i].replace("’", "&#8217;").replace(" and ", " &amp; ", 1)
        c.features["html_entity"] = True


def _file_rng(seed: int, index: int) -> random.Random:
    digest = hashlib.blake2b(f"newsclean-bench:{seed}:{index}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def build_file(index: int, seed: int = 0, *, clean: bool = False) -> tuple[str, bytes, dict[str, object]]:
    """One synthetic file: ``(name, bytes, features)``; a pure function of ``(index, seed, clean)``.

    ``clean=True`` gives the same article without the damage (no mojibake, cp1252 bytes, no-break
    or zero-width spaces, HTML entities or CRLF): UTF-8 text that needs no repair.
    """
    rng = _file_rng(seed, index)
    family = rng.choices(FAMILIES, _FAMILY_WEIGHTS)[0]
    n_people = 2 + int(rng.random() * 3)
    c = _Ctx(
        rng=rng,
        people=[_person(rng) for _ in range(n_people)],
        place=PLACES[int(rng.random() * len(PLACES))],
        region=REGIONS[int(rng.random() * len(REGIONS))],
        site=SITES[int(rng.random() * len(SITES))],
    )
    c.features["family"] = family
    target = 1500 + int(rng.random() * 1600)
    lines = _BUILDERS[family](c, target)
    _add_typos(c, lines)
    if clean:
        lines = [ln.replace("\u00a0", " ") for ln in lines]
    else:
        _add_damage(c, lines)
    eol = "\r\n" if rng.random() < 0.08 and not clean else "\n"
    c.features["crlf"] = eol == "\r\n"
    text = eol.join(lines) + (eol if rng.random() < 0.8 else "")
    r = 1.0 if clean else rng.random()
    if r < 0.08:  # the whole file saved as Windows-1252
        data = to_cp1252(text)
        c.features["cp1252_file"] = True
    elif r < 0.1:  # one line pasted from a Windows-1252 source into a UTF-8 file
        parts = text.split(eol)
        cands = [i for i, ln in enumerate(parts) if _is_body(ln) and not ln.isascii()]
        if cands:
            k = cands[int(rng.random() * len(cands))]
            data = eol.join(parts[:k]).encode() + eol.encode()
            data += to_cp1252(parts[k]) + eol.encode()
            data += eol.join(parts[k + 1 :]).encode()
            c.features["cp1252_line"] = True
        else:
            data = text.encode("utf-8")
    else:
        data = text.encode("utf-8")
    name = f"{index:06d}_{rng.getrandbits(64):016x}.txt"
    return name, data, c.features


def _write_range(out_dir: str, start: int, stop: int, seed: int) -> list[str]:
    out = Path(out_dir)
    names = []
    for i in range(start, stop):
        name, data, _ = build_file(i, seed)
        (out / name).write_bytes(data)
        names.append(name)
    return names


def generate(n: int, out_dir: str | os.PathLike[str], seed: int = 0, jobs: int = 1) -> list[Path]:
    """Write ``n`` files into ``out_dir`` (created if needed); return their paths in index order.

    The bytes depend only on ``seed`` and each file's index, not on ``jobs``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if jobs <= 1 or n < 2000:
        names = _write_range(str(out), 0, n, seed)
    else:
        chunk = 2000
        starts = list(range(0, n, chunk))
        with ProcessPoolExecutor(max_workers=jobs) as ex:
            parts = ex.map(
                _write_range,
                [str(out)] * len(starts),
                starts,
                [min(s + chunk, n) for s in starts],
                [seed] * len(starts),
            )
            names = [name for part in parts for name in part]
    return [out / name for name in names]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, required=True, help="number of files")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (the output does not depend on it)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    paths = generate(args.n, args.out, seed=args.seed, jobs=args.jobs)
    size = sum(p.stat().st_size for p in paths)
    dt = time.perf_counter() - t0
    print(
        f"generate: {len(paths)} files, {size / 1e6:.1f} MB in {dt:.1f} s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
