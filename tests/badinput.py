"""Generate a corpus of bad inputs into a folder (tests only; nothing is committed as a blob).

Every case is described by a :class:`Case`: the file (or directory / symlink) to create, and what
the flow must make of it: a cleaned document (``error is None``) or an error document whose
``error.kind`` is one of ``error`` (a set, since a case may legitimately fall on either side of a
threshold only where noted).
"""

from __future__ import annotations

import gzip
import os
import random
import struct
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: A small, clean news text used as the "good" part of several cases.
GOOD = (
    "Storm hits the northern coast\n"
    "The storm hit the northern coast on Monday, officials said.\n"
    "Thousands of homes were left without power as winds reached 120 km/h.\n"
    "“We have never seen anything like it,” said the mayor, Anna Novák.\n"
    "Read more: Floods in the south\n"
)

BIG = 50 * 1024 * 1024


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00\x00\xff\x00\x00" * 2)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _big_one_line() -> bytes:
    unit = b"The quick brown fox jumps over the lazy dog near the river bank. "
    return (unit * (BIG // len(unit) + 1))[:BIG]


def _big_many_lines() -> bytes:
    rng = random.Random(7)
    words = "the storm coast power homes officials said mayor river bank city council vote week".split()
    lines = []
    size = 0
    i = 0
    while size < BIG:
        n = 6 + i % 14
        line = (" ".join(rng.choice(words) for _ in range(n)).capitalize() + f" number {i}.\n").encode()
        lines.append(line)
        size += len(line)
        i += 1
    return b"".join(lines)[:BIG]


HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Storm hits coast | Daily News</title>
<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>
<style>body { font-family: sans-serif; } .ad { display: none; }</style></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article><h1>Storm hits the northern coast</h1>
<p>The storm hit the northern coast on Monday, officials said.</p>
<p>Thousands of homes were left without power &amp; roads were closed.</p>
<p>&ldquo;We have never seen anything like it,&rdquo; said the mayor.</p></article>
<footer>&copy; 2025 Daily News. All rights reserved.</footer></body></html>
"""

BOILERPLATE = """Advertisement
Read more: Floods in the south
Leave a Reply
Sign up for our newsletter
Share this article
Follow us on Twitter
Advertisement
Copyright 2025 Daily News. All rights reserved.
"""


@dataclass(frozen=True)
class Case:
    name: str
    #: bytes of a regular file, or None for the special kinds below
    data: bytes | None
    #: expected error kinds (empty: a cleaned document, no error)
    error: frozenset[str] = frozenset()
    #: "file" | "dir" | "broken_symlink" | "vanish" | "fifo" | "loop"
    kind: str = "file"
    #: at least this many non-blank lines expected in the document (cleaned cases)
    min_lines: int = 0
    big: bool = False


def _sparse_nuls() -> bytes:
    text = (
        b"Council approves new budget\n"
        b"The city council approved the budget on Monday after a long debate, officials said.\n"
        b"The plan raises spending on schools and roads, the mayor told reporters at city hall.\n"
        b"A final vote on the transport levy is expected next month, a spokesman said today.\n"
    )
    for at in (30, 90, 150, 210):  # one NUL replacing a character, four times
        text = text[:at] + b"\x00" + text[at + 1 :]
    return text


def _e(*kinds: str) -> frozenset[str]:
    return frozenset(kinds)


def cases(*, big: bool = True) -> list[Case]:
    """The bad-input corpus. ``big=False`` leaves out the two 50 MB files."""
    good = GOOD.encode()
    out = [
        Case("png image.txt", _png(), _e("binary")),
        Case("gzip.txt", gzip.compress(good * 20, mtime=0), _e("binary")),
        Case("empty.txt", b"", _e("empty")),
        Case("whitespace only.txt", b"  \t \n\n \r\n\t\n   ", _e("empty")),
        Case("nbsp only.txt", "\u00a0\u00a0\n \u00a0 \u00a0\n\u200b\ufeff\u00ad\n".encode(), _e("empty")),
        # four isolated NULs in 274 bytes: noise in text, removed by normalization, not binary
        Case("sparse nuls.txt", _sparse_nuls(), min_lines=3),
        # UTF-16 LE whose first character is a NUL: FF FE 00 00 is not a UTF-32 BOM here
        Case("utf16 bom nul first.txt", b"\xff\xfe" + ("\x00" + GOOD).encode("utf-16-le"), min_lines=5),
        Case("utf16 bom.txt", GOOD.encode("utf-16"), min_lines=5),
        Case("utf16le nobom.txt", GOOD.encode("utf-16-le"), min_lines=5),
        Case("utf16be nobom.txt", GOOD.encode("utf-16-be"), min_lines=5),
        Case("cp1252.txt", GOOD.replace("Novák", "Novak").encode("cp1252"), min_lines=5),
        Case("latin1.txt", "Café crème à Zürich\nLe maire a dit: « non ».\n".encode("latin-1"), min_lines=2),
        Case(
            "bad utf8 middle.txt",
            good[:60] + b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x82\xf0\x28\x8c\xbc" + good[60:],
            min_lines=5,
        ),
        Case("few nuls.txt", good.replace(b"Monday", b"Mon\x00day"), min_lines=5),
        Case("many nuls.txt", b"text\x00" * 2000, _e("binary")),
        Case("html page.txt", HTML.encode(), min_lines=3),  # its main text is cleaned
        Case(
            "html no text.txt", b"<!DOCTYPE html><html><body><script>x()</script></body></html>", _e("html")
        ),
        Case("boilerplate only.txt", BOILERPLATE.encode(), min_lines=8),
        Case("vanishing.txt", good, _e("vanished"), kind="vanish"),
        Case("a directory.txt", None, _e("not_a_file"), kind="dir"),
        Case("broken link.txt", None, _e("broken_symlink"), kind="broken_symlink"),
        Case("name with  spaces.txt", good, min_lines=5),
        Case("ünïcødé 名前 — news.txt", good, min_lines=5),
        Case("-rf.txt", good, min_lines=5),
        Case("--help.txt", good, min_lines=5),
        Case("..txt", good, min_lines=5),
        Case("...txt", good, min_lines=5),
        Case("a..b.txt", good, min_lines=5),
        Case("duplicate one.txt", good + b"Same bytes twice.\n", min_lines=6),
        Case("duplicate two.txt", good + b"Same bytes twice.\n", min_lines=6),
        Case("good.txt", good, min_lines=5),
        Case("named pipe.txt", None, _e("not_a_file"), kind="fifo"),
        Case("symlink loop.txt", None, _e("unreadable"), kind="loop"),
        # a name that is not valid UTF-8 (byte 0xFF): its document shows it as "bad\\xffname.txt"
        Case("bad\udcffname.txt", good, min_lines=5),
        # would be cleaned/run-manifest.json, which the flow writes itself
        Case("run-manifest.txt", good, min_lines=5),
    ]
    if big:
        out += [
            Case("big one line.txt", _big_one_line(), min_lines=1, big=True),
            Case("big many lines.txt", _big_many_lines(), min_lines=100_000, big=True),
        ]
    return out


def write_corpus(folder: Path, corpus: list[Case]) -> dict[str, Case]:
    """Create every case in ``folder``; return the cases by file name."""
    folder.mkdir(parents=True, exist_ok=True)
    for c in corpus:
        p = folder / c.name
        if c.kind == "dir":
            p.mkdir()
            (p / "inside.txt").write_bytes(GOOD.encode())
        elif c.kind == "broken_symlink":
            os.symlink(folder / "does-not-exist" / "target.txt", p)
        elif c.kind == "fifo":
            os.mkfifo(p)
        elif c.kind == "loop":
            os.symlink(p.name, p)
        else:
            assert c.data is not None
            p.write_bytes(c.data)
    return {c.name: c for c in corpus}


def vanish_after_discover(monkeypatch, names: set[str]) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    """Make ``flows.outputs.discover`` (and ``discover_names``) delete the named files right after they found them."""
    import flows.clean_flow
    import flows.outputs

    real = flows.outputs.discover

    def discover(input_dir: Path, pattern: str = "*.txt") -> list[Path]:
        found = real(input_dir, pattern)
        for p in found:
            if p.name in names:
                p.unlink()
        return found

    real_names = flows.outputs.discover_names

    def discover_names(input_dir: Path, pattern: str = "*.txt") -> list[str]:
        found = real_names(input_dir, pattern)
        for rel in found:
            if Path(rel).name in names:
                (input_dir / rel).unlink()
        return found

    monkeypatch.setattr(flows.outputs, "discover", discover)
    monkeypatch.setattr(flows.outputs, "discover_names", discover_names)
    monkeypatch.setattr(flows.clean_flow, "discover_names", discover_names)
    return discover


def display(name: str) -> str:
    """The contract's ``file`` for an input name (bad UTF-8 bytes shown as ``\\xNN``)."""
    from flows.outputs import display_name

    return display_name(name)


def eval_norm(s: str) -> str:
    """``norm`` of shared/eval/score.py: a raw line is blank when this is empty."""
    s = unicodedata.normalize("NFC", s or "")
    s = s.replace("\u00a0", " ").replace("\u200b", "").replace("\u00ad", "").replace("\ufeff", "")
    return " ".join(s.split())


def eval_lines(data: bytes) -> list[int]:
    """The non-blank line numbers the evaluation tool expects (shared/eval/score.py semantics)."""
    return [
        n for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1) if eval_norm(line)
    ]


def subprocess_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    """Environment for a ``newsclean`` subprocess: its own PREFECT_HOME; the given server or none."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
        PREFECT_LOGGING_LEVEL="WARNING",
        GX_ANALYTICS_ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    home.mkdir(parents=True, exist_ok=True)
    return env
