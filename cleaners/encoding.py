"""Encoding stage: turn raw bytes into clean, normalized lines.

Pure functions, no Prefect.  The pipeline for one file is::

    decode_bytes(data)            bytes -> str (BOM, UTF-16, strict UTF-8, cp1252 fallback)
    split_lines(text)             one row per line (str.splitlines numbering, as the scorer)
    repair_frame(df)              ftfy (only where it can matter) + lost-quote repair
                                  + character-level normalization (polars)

``repair_line`` is the slow reference implementation (ftfy on every line); ``repair_frame``
must give exactly the same result on every line, which the tests check.

Examples::

    >>> decode_bytes(b"don\\x92t").text
    'don’t'
    >>> repair_line("donâ€™t")
    ('don’t', ['encode:sloppy-windows-1252', 'decode:utf-8'])
    >>> repair_line("a\\u00a0b\\u200bc  ")
    ('a bc', ['normalize_spaces', 'remove_invisible', 'strip_trailing_spaces'])
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

import ftfy
import polars as pl

__all__ = [
    "FIXES_DTYPE",
    "FTFY_CONFIG",
    "HTML_ENTITY_PATTERN",
    "PLAIN_CHARS",
    "SAFE_CHARS",
    "Decoded",
    "decode_bytes",
    "normalize_chars",
    "normalize_chars_expr",
    "repair_frame",
    "repair_line",
    "repair_text",
    "restore_lost_quotes",
    "split_lines",
]

# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    """The result of :func:`decode_bytes`.

    ``text`` is None exactly when ``error_kind`` is set.  ``fallback_lines`` are the 1-based
    numbers (lines as :func:`split_lines` numbers them, i.e. ``str.splitlines()``) of the lines that
    were not valid UTF-8 and were decoded with the cp1252 fallback.
    """

    text: str | None
    encoding: str
    fallback_lines: tuple[int, ...] = field(default=())
    error_kind: str | None = None
    error_message: str | None = None


# (magic bytes, offset, description).  Checked before anything else.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "PNG image data"),
    (b"\x89PNG", 0, "PNG image data"),
    (b"\xff\xd8\xff", 0, "JPEG image data"),
    (b"GIF87a", 0, "GIF image data"),
    (b"GIF89a", 0, "GIF image data"),
    (b"%PDF-", 0, "PDF document"),
    (b"\x1f\x8b", 0, "gzip compressed data"),
    (b"PK\x03\x04", 0, "Zip archive data (or docx/xlsx/epub)"),
    (b"PK\x05\x06", 0, "Zip archive data (empty)"),
    (b"PK\x07\x08", 0, "Zip archive data (spanned)"),
    (b"BZh", 0, "bzip2 compressed data"),  # refined in _magic_kind
    (b"\xfd7zXZ\x00", 0, "XZ compressed data"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7-zip archive data"),
    (b"Rar!\x1a\x07", 0, "RAR archive data"),
    (b"\x28\xb5\x2f\xfd", 0, "Zstandard compressed data"),
    (b"\x04\x22\x4d\x18", 0, "LZ4 compressed data"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "Microsoft OLE2 document (doc/xls/msg)"),
    (b"\x7fELF", 0, "ELF executable"),
    (b"\xca\xfe\xba\xbe", 0, "Java class / Mach-O universal binary"),
    (b"\xcf\xfa\xed\xfe", 0, "Mach-O executable"),
    (b"\xce\xfa\xed\xfe", 0, "Mach-O executable"),
    (b"\x00asm", 0, "WebAssembly binary"),
    (b"SQLite format 3\x00", 0, "SQLite database"),
    (b"RIFF", 0, "RIFF container (WAV/AVI/WebP)"),
    (b"OggS", 0, "Ogg media data"),
    (b"fLaC", 0, "FLAC audio data"),
    (b"ID3", 0, "MP3 audio data (ID3 tag)"),
    (b"II*\x00", 0, "TIFF image data"),
    (b"MM\x00*", 0, "TIFF image data"),
    (b"\x00\x00\x01\x00", 0, "ICO icon data"),
    (b"wOFF", 0, "WOFF font data"),
    (b"wOF2", 0, "WOFF2 font data"),
    (b"\x1aE\xdf\xa3", 0, "Matroska/WebM media data"),
    (b"ftyp", 4, "ISO media (MP4/MOV/HEIC)"),
    (b"8BPS", 0, "Photoshop image data"),
    (b"\x00\x00\x00\x0cjP  ", 0, "JPEG 2000 image data"),
)

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its LE BOM starts with the UTF-16 LE BOM.
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

# C0 controls other than TAB LF VT FF CR: their share tells binary from text.
_BINARY_CTRL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _describe(magic: bytes) -> str:
    """Show a magic number, without the unprintable tail when it has a printable part.

    >>> _describe(b"\\x89PNG\\r\\n\\x1a\\n"), _describe(b"\\x1f\\x8b")
    ('\\\\x89PNG', '\\\\x1f\\\\x8b')
    """
    shown = magic
    if any(0x20 < b < 0x7F for b in magic):
        while shown and not 0x20 < shown[-1] < 0x7F:
            shown = shown[:-1]
    return "".join(chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}" for b in shown)


def _magic_kind(data: bytes) -> tuple[str, bytes] | None:
    for magic, offset, what in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            if magic == b"BZh" and not (
                len(data) >= 10 and data[3:4].isdigit() and data[4:10] == b"\x31\x41\x59\x26\x53\x59"
            ):
                continue  # "BZh" followed by text is text
            if magic == b"RIFF" and data[8:12] not in (b"WAVE", b"AVI ", b"WEBP"):
                continue
            if magic == b"ID3" and (len(data) < 10 or data[3] > 4):
                continue
            if magic == b"ftyp" and not data[8:12].isalnum():
                continue
            return what, data[: offset + len(magic)]
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" when the NUL pattern says so, else None.

    Text in UTF-16 made mostly of Latin script has a NUL in every other byte.
    """
    sample = data[:8192]
    n = len(sample) // 2
    if n < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd >= 0.4 * n and even <= 0.05 * n:
        return "utf-16-le"
    if even >= 0.4 * n and odd <= 0.05 * n:
        return "utf-16-be"
    return None


def _is_utf32(body: bytes, codec: str) -> bool:
    """Whether the bytes after a UTF-32 byte-order mark are UTF-32 text (not UTF-16 whose first
    character is a NUL).

    >>> _is_utf32("hi".encode("utf-32-le"), "utf-32-le"), _is_utf32("hi".encode("utf-16-le"), "utf-32-le")
    (True, False)
    """
    if not body or len(body) % 4:
        return False
    try:
        body.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _is_utf16_le(body: bytes) -> bool:
    r"""Whether ``body`` is strict UTF-16 LE text (no unpaired surrogate, no U+FFFE/U+FFFF).

    >>> _is_utf16_le("\x00hi".encode("utf-16-le")), _is_utf16_le(b"\xff" * 8)
    (True, False)
    """
    try:
        text = body.decode("utf-16-le")
    except UnicodeDecodeError:
        return False
    return "\uffff" not in text and "\ufffe" not in text


_CTRL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])


def _looks_binary(text: str, data: bytes | None = None) -> str | None:
    """A message when the text has too many NULs / control characters, else None.

    ``data``, when given, is UTF-8 (possibly with cp1252 fallback bytes) that decoded to
    ``text``: the control characters are then exactly its control bytes, counted at C speed.
    """
    if not text:
        return None
    if data is not None:
        ctrl = len(data) - len(data.translate(None, _CTRL_BYTES))
        nul = data.count(0) if ctrl else 0
    else:
        if _BINARY_CTRL.search(text) is None:
            return None
        nul = text.count("\x00")
        ctrl = len(_BINARY_CTRL.findall(text))
    # A few isolated NULs in text are noise that normalization removes (and records); binary data
    # has runs of them, or many.
    nul_share = nul / len(text)
    runs = nul > 1 and (b"\x00\x00" in data if data is not None else "\x00\x00" in text)
    if nul_share > 0.05 or (nul_share > 0.01 and runs) or ctrl / len(text) > 0.05:
        return f"file looks like binary data ({nul} NUL and {ctrl} control characters in {len(text)})"
    return None


def _cp1252_fallback(raw: bytes) -> str:
    """Decode bytes as cp1252, mapping the 5 bytes cp1252 leaves undefined as latin-1."""
    return raw.decode("cp1252", errors="_newsclean_latin1")


def _latin1_handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return bytes(bad).decode("latin-1"), exc.end


codecs.register_error("_newsclean_latin1", _latin1_handler)


def decode_bytes(data: bytes, *, max_bytes: int = 64 * 1024 * 1024) -> Decoded:
    r"""Decode the raw bytes of a scraped file; never raises.

    Order: size limit, empty, binary magic numbers, BOM (UTF-8, UTF-16, UTF-32), UTF-16
    without BOM (NUL pattern), strict UTF-8, then cp1252 only for the lines that are not
    valid UTF-8 (bytes cp1252 leaves undefined are taken as latin-1), and finally a
    "many NULs / control characters" check.  A whitespace-only file is not an error.

    >>> decode_bytes("naïve “café”".encode()).encoding
    'utf-8'
    >>> d = decode_bytes(b"ok\r\ncaf\xe9 \x93hi\x94\n")
    >>> d.text, d.encoding, d.fallback_lines
    ('ok\r\ncafé “hi”\n', 'cp1252', (2,))
    >>> decode_bytes(b"\x89PNG\r\n\x1a\n...").error_kind
    'binary'
    """
    if len(data) > max_bytes:
        return Decoded(
            None,
            "unknown",
            (),
            "too_large",
            f"file is {len(data):,} bytes, more than the limit of {max_bytes:,}",
        )
    if len(data) == 0:
        return Decoded(None, "unknown", (), "empty", "file is empty (0 bytes)")
    magic = _magic_kind(data)
    if magic is not None:
        what, head = magic
        return Decoded(
            None, "binary", (), "binary", f"file looks like {what} (starts with {_describe(head)})"
        )

    for bom, label, codec in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            if codec == "utf-8":
                return _decode_utf8_with_fallback(body, label)
            if codec == "utf-32-le" and not _is_utf32(body, codec) and _is_utf16_le(data[2:]):
                continue  # FF FE 00 00 is also UTF-16's BOM and a NUL: read as UTF-16
            text = body.decode(codec, errors="replace")
            bad = text.count("\ufffd")
            if bad and bad > 0.1 * len(text):
                return Decoded(
                    None,
                    label,
                    (),
                    "undecodable",
                    f"file starts with a {label.upper()} byte-order mark but {bad} of its "
                    f"{len(text)} characters are not valid {label.upper()}",
                )
            return _finish(text, label, ())

    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            pass
        else:
            if _looks_binary(text) is None:
                return Decoded(text, utf16)

    return _decode_utf8_with_fallback(data, "utf-8")


_ESCAPED_RUN = re.compile("[\udc80-\udcff]+")


def _unescape_run(m: re.Match[str]) -> str:
    return _cp1252_fallback(bytes(ord(c) - 0xDC00 for c in m.group()))


def _decode_utf8_with_fallback(data: bytes, label: str) -> Decoded:
    """Strict UTF-8; failing that, only the bytes that are not valid UTF-8 are read as cp1252.

    Valid UTF-8 sequences keep their meaning even on a line that also holds cp1252 bytes, so a
    UTF-8 line that lost one byte of a character stays UTF-8 everywhere else.
    """
    try:
        return _finish(data.decode("utf-8"), label, (), data)
    except UnicodeDecodeError:
        pass
    escaped = data.decode("utf-8", errors="surrogateescape")
    fallback: list[int] = []
    any_c1_range = False
    n_fallback_chars = 0
    lines = split_lines(escaped)
    for n, line in enumerate(lines, start=1):
        if _ESCAPED_RUN.search(line) is None:
            continue
        fallback.append(n)
        for m in _ESCAPED_RUN.finditer(line):
            n_fallback_chars += len(m.group())
            if any(0xDC80 <= ord(c) <= 0xDC9F for c in m.group()):
                any_c1_range = True
    text = _ESCAPED_RUN.sub(_unescape_run, escaped)
    non_ascii = sum(1 for _ in _NON_ASCII.finditer(text))
    if non_ascii > n_fallback_chars or label != "utf-8":
        encoding = f"mixed({label}+cp1252)"
    else:
        encoding = "cp1252" if any_c1_range else "latin-1"
    return _finish(text, encoding, tuple(fallback), data)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _finish(text: str, encoding: str, fallback: tuple[int, ...], data: bytes | None = None) -> Decoded:
    problem = _looks_binary(text, data)
    if problem is not None:
        return Decoded(None, encoding, fallback, "binary", problem)
    return Decoded(text, encoding, fallback)


def split_lines(text: str) -> list[str]:
    r"""Split text into lines the way the whole project numbers them: ``str.splitlines()``.

    That is what ``cleaners.pipeline`` and ``shared/eval/score.py`` use: CRLF, CR, LF and also
    VT, FF, FS/GS/RS, NEL (U+0085), U+2028 and U+2029 end a line; a final line break does not
    start an empty line.

    >>> split_lines("a\r\nb\rc\nd\x0ce\u2028f\n")
    ['a', 'b', 'c', 'd', 'e', 'f']
    """
    return text.splitlines()


# ---------------------------------------------------------------------------------------------
# Character-level normalization
# ---------------------------------------------------------------------------------------------

# Unicode space separators (Zs) other than U+0020, plus TAB, become a plain space.  Written
# out rather than \p{Zs} so Python's `re` and polars' Rust regex agree on the set.
_SPACES = "\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
# Line-break characters inside a line would glue two words together if removed: a space.
_BREAKS = "\n\x0b\x0c\r\u2028\u2029"
# Invisible characters that are removed: zero-width space, word joiner, BOM, soft hyphen.
# ZWJ U+200D (emoji sequences), ZWNJ U+200C and direction marks U+200E/U+200F are kept.
_INVISIBLE = "\u200b\u2060\ufeff\u00ad"
# Stray C0 controls (TAB and line breaks handled above), DEL and C1 controls.
_CONTROLS = "\x00-\x08\x0e-\x1f\x7f-\x9f"

_SPACE_CLASS = f"[{_SPACES}{_BREAKS}]"
_INVISIBLE_CLASS = f"[{_INVISIBLE}]"
_CONTROL_CLASS = f"[{_CONTROLS}]"
_SPACE_RE = re.compile(_SPACE_CLASS)
_INVISIBLE_RE = re.compile(_INVISIBLE_CLASS)
_CONTROL_RE = re.compile(_CONTROL_CLASS)

#: names of the normalization steps, in the order they are applied
NORMALIZE_STEPS = (
    "normalize_spaces",
    "remove_invisible",
    "remove_stray_controls",
    "strip_trailing_spaces",
    "normalize_nfc",
)


def _normalize_stages(line: str) -> list[str]:
    s1 = _SPACE_RE.sub(" ", line)
    s2 = _INVISIBLE_RE.sub("", s1)
    s3 = _CONTROL_RE.sub("", s2)
    s4 = s3.rstrip(" ")
    s5 = unicodedata.normalize("NFC", s4)
    return [s1, s2, s3, s4, s5]


def normalize_chars(line: str) -> tuple[str, list[str]]:
    r"""Character-level normalization of one line (pure Python twin of :func:`normalize_chars_expr`).

    Returns the text and the names of the steps that changed something.

    >>> normalize_chars("a\u00a0b\u2009c\u00add\u200be\tf  ")
    ('a b cde f', ['normalize_spaces', 'remove_invisible', 'strip_trailing_spaces'])
    >>> normalize_chars("km² … “x” — e\u0301")
    ('km² … “x” — é', ['normalize_nfc'])
    """
    stages = _normalize_stages(line)
    steps = []
    prev = line
    for name, stage in zip(NORMALIZE_STEPS, stages, strict=True):
        if stage != prev:
            steps.append(name)
        prev = stage
    return prev, steps


def _normalize_stage_exprs(expr: pl.Expr) -> list[pl.Expr]:
    s1 = expr.str.replace_all(_SPACE_CLASS, " ")
    s2 = s1.str.replace_all(_INVISIBLE_CLASS, "")
    s3 = s2.str.replace_all(_CONTROL_CLASS, "")
    s4 = s3.str.strip_chars_end(" ")
    s5 = s4.str.normalize("NFC")
    return [s1, s2, s3, s4, s5]


def normalize_chars_expr(col: str | pl.Expr) -> pl.Expr:
    r"""Character-level normalization as a polars expression.

    Unicode space separators (NBSP, thin space, ...) and tabs become ' '; zero-width space,
    word joiner, BOM, soft hyphen and stray control characters are removed; trailing spaces
    are stripped; the result is NFC.  Curly quotes, dashes, ellipses, ZWJ, direction marks
    and inner runs of spaces are kept.

    >>> df = pl.DataFrame({"raw": ["a\u00a0b\u200b  ", "e\u0301 … “x”"]})
    >>> df.select(normalize_chars_expr("raw"))["raw"].to_list()
    ['a b', 'é … “x”']
    """
    expr = pl.col(col) if isinstance(col, str) else col
    return _normalize_stage_exprs(expr)[-1]


# ---------------------------------------------------------------------------------------------
# Lost-byte closing quotes
# ---------------------------------------------------------------------------------------------

# What a UTF-8 closing quote (E2 80 9D) becomes when it is read as cp1252, the undefined byte
# 0x9D is lost, and ftfy has done what it can:
#   "â€" + space + word  -> ftfy reads E2 80 A0 as a dagger: "†word"    (the space is eaten)
#   "â€" at end / before punctuation -> stays "â€"
#   "â€�"                -> stays "â€�", or ftfy turns the whole sequence into "�"
_LOST_QUOTE_RE = re.compile("†|â€\ufffd?|\ufffd")
_CLOSING_PUNCT = set(".,;:!?)]}'\"’")


def _closed_later(line: str, ends: list[int]) -> list[bool]:
    """For each position, whether the nearest curly double quote after it is a closing ”."""
    result = [False] * len(ends)
    nearest = ""
    pos = len(line)
    for k in range(len(ends) - 1, -1, -1):
        while pos > ends[k]:
            pos -= 1
            if line[pos] in "“”":
                nearest = line[pos]
        result[k] = nearest == "”"
    return result


def restore_lost_quotes(line: str) -> tuple[str, bool]:
    """Restore closing quotes whose last byte was lost, where the context makes it certain.

    Certain means: an opening “ is open before the damage, the quote is not closed by a ”
    later in the line, and the damage sits where a closing quote goes (after a word, before a
    space, punctuation or the end of the line).

    >>> restore_lost_quotes("He said “we will win†and left.")
    ('He said “we will win” and left.', True)
    >>> restore_lost_quotes("He said “we will winâ€")
    ('He said “we will win”', True)
    >>> restore_lost_quotes("Smith† (deceased) said “yes”")
    ('Smith† (deceased) said “yes”', False)
    >>> restore_lost_quotes("“Beyonc\ufffd is here,” he said")
    ('“Beyonc\ufffd is here,” he said', False)
    """
    if "†" not in line and "â€" not in line and "\ufffd" not in line:
        return line, False
    matches = list(_LOST_QUOTE_RE.finditer(line))
    closed_later = _closed_later(line, [m.end() for m in matches])
    out: list[str] = []
    pos = 0
    is_open = False
    changed = False
    for m, closed in zip(matches, closed_later, strict=True):
        start, end = m.span()
        token = m.group()
        segment = line[pos:start]
        if "“" in segment or "”" in segment:
            is_open = segment.rfind("“") > segment.rfind("”")
        before = line[start - 1] if start > 0 else ""
        after = line[end] if end < len(line) else ""
        closing_position = not after or after.isspace() or after in _CLOSING_PUNCT
        replacement: str | None = None
        if is_open and not closed:
            if token == "†":
                if after and not after.isspace():
                    replacement = "” "  # ftfy read "â€ " as a dagger: the space was eaten
                elif not after and before and not before.isspace():
                    replacement = "”"
            elif token == "â€\ufffd":
                replacement = "”"
            elif token == "â€":
                if closing_position:
                    replacement = "”"
            elif before and not before.isspace() and closing_position:
                replacement = "”"  # lone U+FFFD closing a quote
        out.append(segment)
        if replacement is None:
            out.append(token)
        else:
            out.append(replacement)
            is_open = False
            changed = True
        pos = end
    out.append(line[pos:])
    return "".join(out), changed


# ---------------------------------------------------------------------------------------------
# Line repair
# ---------------------------------------------------------------------------------------------

#: ftfy settings: keep curly quotes (the contract keeps them), always decode HTML entities
#: (the default "auto" skips them on any line holding a '<').
# fix_character_width=False: fullwidth punctuation (，：) is correct in CJK text; the contract is NFC, not NFKC.
FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, unescape_html=True, fix_character_width=False)

# A line made only of SAFE_CHARS, with no HTML entity (HTML_ENTITY_RE, ftfy's own pattern), cannot
# be changed by ftfy (with uncurl_quotes=False) nor by restore_lost_quotes: printable ASCII, TAB,
# the common typographic punctuation ‘ ’ “ ” – — …, the Unicode spaces ftfy leaves alone, and the
# invisible characters ftfy leaves alone.  Why it is safe: '&' only matters to unescape_html,
# which only rewrites HTML_ENTITY_RE matches; ftfy only touches encodings when the text can be
# encoded in a single-byte codec AND the bytes decode as UTF-8; none of these characters
# encodes to a UTF-8 lead byte in latin-1 / windows-125x / iso-8859-2, and in macroman (where
# the quotes are lead bytes) none encodes to a continuation byte; cp437 cannot encode them.
# There are no ligatures, fullwidth forms, C1 or other controls, line breaks, surrogates or
# terminal escapes, and none of them composes or decomposes under NFC.  NOT safe: U+3000
# (ftfy makes it a space), U+2000/U+2001 (NFC turns them into U+2002/U+2003), U+FEFF (ftfy
# removes it).  tests/cleaners/test_encoding.py checks this exhaustively for strings up to 3 chars and
# with hypothesis for longer ones.
#
# '©' (credit and copyright lines) is the one exception to the byte argument: it is 0xA9, a
# continuation byte, in these codecs, and macroman's quotes and dashes are lead bytes, so "“©"
# re-encodes to valid UTF-8.  It is safe because ftfy re-encodes nothing unless its badness
# heuristic (ftfy.badness.is_bad) flags the text first, and that heuristic cannot flag these
# strings: '©' is in ftfy's start_punctuation category with '‘' and '“', and the only badness
# pattern that names '©' itself needs Â, Ã, Î or Ð before it.  The tests also check is_bad
# directly, exhaustively up to 3 chars and with hypothesis beyond.
SAFE_CHARS = " -~\t‘’“”–—…©\u00a0\u1680\u2002-\u200a\u202f\u205f\u200b\u2060\u00ad"
HTML_ENTITY_PATTERN = r"&#?[0-9A-Za-z]{1,24};"
_UNSAFE_CLASS = f"[^{SAFE_CHARS}]"
_UNSAFE_PATTERN = f"{_UNSAFE_CLASS}|{HTML_ENTITY_PATTERN}"
# A line made only of these (and not ending in a space) is left exactly as it is by both ftfy
# and the normalization: SAFE_CHARS minus everything the normalization maps or removes.
PLAIN_CHARS = " -%'-~‘’“”–—…"  # no '&': lines with '&' are checked for entities
_NOT_PLAIN_CLASS = f"[^{PLAIN_CHARS}]"


def _step_name(action: str, parameter: str) -> str:
    return parameter if action == "apply" else f"{action}:{parameter}"


# Fullwidth ASCII forms (U+FF01–U+FF5E) next to CJK script or punctuation are correct there and kept.
_FULLWIDTH_RE = re.compile("[\uff01-\uff5e]")
_CJK_RE = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff60\uff61-\uffdc]")


def fold_latin_fullwidth(text: str) -> str:
    """Fold fullwidth ASCII forms to ASCII where neither neighbour is CJK (ftfy's width fix, in context).

    >>> fold_latin_fullwidth("Ningbo，China")
    'Ningbo,China'
    >>> fold_latin_fullwidth("周一晚上，暴雨袭击了沿海城市。")
    '周一晚上，暴雨袭击了沿海城市。'
    """
    if not _FULLWIDTH_RE.search(text):
        return text
    out = list(text)
    for m in _FULLWIDTH_RE.finditer(text):
        i = m.start()
        before = text[i - 1] if i > 0 else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if not (_CJK_RE.match(before) or _CJK_RE.match(after)):
            out[i] = chr(ord(text[i]) - 0xFEE0)
    return "".join(out)


def _ftfy_line(line: str) -> tuple[str, list[str]]:
    """ftfy + fullwidth folding in Latin context + lost-quote repair, without the character normalization."""
    fixed, explanation = ftfy.fix_and_explain(line, FTFY_CONFIG)
    steps = [_step_name(a, p) for a, p in (explanation or [])]
    folded = fold_latin_fullwidth(fixed)
    if folded != fixed:
        fixed = folded
        steps.append("fold_latin_fullwidth")
    fixed, restored = restore_lost_quotes(fixed)
    if restored:
        steps.append("restore_lost_quote")
    return fixed, steps


def repair_line(line: str) -> tuple[str, list[str]]:
    r"""Reference repair of one line: ftfy, lost-quote repair, then :func:`normalize_chars`.

    Returns ``(text, steps)``; ``steps`` is empty when the text is unchanged.  Curly quotes
    are kept (``uncurl_quotes=False``) and HTML entities are always decoded.

    >>> repair_line("It&#8217;s â€œfineâ€\u009d&nbsp;")
    ('It’s “fine”', ['unescape_html', 'decode_inconsistent_utf8', 'normalize_spaces', 'strip_trailing_spaces'])
    >>> repair_line("plain text")
    ('plain text', [])
    """
    fixed, steps = _ftfy_line(line)
    text, norm_steps = normalize_chars(fixed)
    if text == line:
        return text, []
    return text, steps + norm_steps


FIXES_DTYPE = pl.List(pl.Struct({"before": pl.Utf8, "after": pl.Utf8, "steps": pl.List(pl.Utf8)}))


def _steps_lookup() -> pl.DataFrame:
    """Every combination of normalization steps, keyed by its bit mask."""
    masks = range(1 << len(NORMALIZE_STEPS))
    return pl.DataFrame(
        {
            "mask": pl.Series(list(masks), dtype=pl.UInt8),
            "norm_steps": pl.Series(
                [[name for bit, name in enumerate(NORMALIZE_STEPS) if m >> bit & 1] for m in masks],
                dtype=pl.List(pl.Utf8),
            ),
        }
    )


_STEPS_LOOKUP = _steps_lookup()


def _normalize_lane(
    raw: pl.Series, pre: pl.Series, ftfy_steps: pl.Series | None, *, nfc: bool
) -> tuple[pl.Series, pl.Series]:
    """Normalize ``pre`` (raw or ftfy output) in polars; return text and fixes for these rows.

    Stages are materialized one after the other (each computed once), the steps are read
    from a bit mask.  ``nfc=False`` is only used for lines of SAFE_CHARS, where NFC is the
    identity (none of them composes or decomposes).
    """
    stage_exprs = [
        lambda e: e.str.replace_all(_SPACE_CLASS, " "),
        lambda e: e.str.replace_all(_INVISIBLE_CLASS, ""),
        lambda e: e.str.replace_all(_CONTROL_CLASS, ""),
        lambda e: e.str.strip_chars_end(" "),
        lambda e: e.str.normalize("NFC"),
    ]
    if not nfc:
        stage_exprs = stage_exprs[:-1]
    d = pl.DataFrame({"raw": raw, "s0": pre})
    mask = pl.lit(0, dtype=pl.UInt8)
    for i, make in enumerate(stage_exprs, start=1):
        d = d.with_columns(make(pl.col(f"s{i - 1}")).alias(f"s{i}"))
        mask = mask + (pl.col(f"s{i}") != pl.col(f"s{i - 1}")).cast(pl.UInt8) * (1 << (i - 1))
    last = f"s{len(stage_exprs)}"
    d = d.select("raw", pl.col(last).alias("text"), mask.alias("mask"))
    d = d.join(_STEPS_LOOKUP, on="mask", how="left", maintain_order="left")
    steps = pl.col("norm_steps")
    if ftfy_steps is not None:
        d = d.with_columns(ftfy_steps.alias("ftfy_steps"))
        steps = pl.concat_list(pl.col("ftfy_steps"), steps)
    out = d.select(
        "text",
        pl.when((pl.col("text") != pl.col("raw")).fill_null(False))
        .then(
            pl.concat_list(
                pl.struct(pl.col("raw").alias("before"), pl.col("text").alias("after"), steps.alias("steps"))
            )
        )
        .otherwise(pl.lit([], dtype=FIXES_DTYPE))
        .cast(FIXES_DTYPE)
        .alias("fixes"),
    )
    return out.get_column("text"), out.get_column("fixes")


def _repair_subset(sub: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Full repair of the lines that may change: lane B (SAFE_CHARS) and lane C (ftfy)."""
    unsafe = sub.str.contains(_UNSAFE_PATTERN).fill_null(False)
    c_idx = unsafe.arg_true().cast(pl.UInt32)
    b_idx = (~unsafe).arg_true().cast(pl.UInt32)
    text = sub.clone()
    fixes_parts = []
    if len(b_idx):
        b_raw = sub.gather(b_idx)
        b_text, b_fixes = _normalize_lane(b_raw, b_raw, None, nfc=False)
        text = text.scatter(b_idx, b_text)
        fixes_parts.append(pl.DataFrame({"i": b_idx, "f": b_fixes}))
    if len(c_idx):
        c_raw = sub.gather(c_idx)
        texts: list[str] = []
        step_lists: list[list[str]] = []
        for line in c_raw.to_list():
            t, s = _ftfy_line(line)
            texts.append(t)
            step_lists.append(s)
        c_text, c_fixes = _normalize_lane(
            c_raw,
            pl.Series(texts, dtype=pl.Utf8),
            pl.Series(step_lists, dtype=pl.List(pl.Utf8)),
            nfc=True,
        )
        text = text.scatter(c_idx, c_text)
        fixes_parts.append(pl.DataFrame({"i": c_idx, "f": c_fixes}))
    fixes = (
        pl.DataFrame({"i": pl.arange(0, len(sub), eager=True, dtype=pl.UInt32)})
        .join(pl.concat(fixes_parts), on="i", how="left", maintain_order="left")
        .get_column("f")
    )
    return text, fixes


def repair_frame(df: pl.DataFrame, col: str = "raw") -> pl.DataFrame:
    """Repair every line of ``df[col]``; adds ``text`` (Utf8) and ``fixes`` (List(Struct)).

    Three lanes, decided by one polars regex scan:

    * lines made only of printable ASCII (no '&') and ‘’“”–—…, not ending in a space, cannot
      be changed by ftfy nor by the normalization: copied as they are (most news lines);
    * lines of :data:`SAFE_CHARS` (adds '&', tabs, Unicode spaces, zero-width chars, soft
      hyphens) without an HTML entity cannot be changed by ftfy: normalization only, in polars;
    * the rest go through ftfy in Python, then the same normalization in polars.

    The result equals :func:`repair_line` on every line (tested).  ``fixes`` is
    ``[{"before": raw, "after": text, "steps": [...]}]`` for a changed line, ``[]`` otherwise;
    a null line gives a null ``text`` and ``[]``.

    >>> out = repair_frame(pl.DataFrame({"raw": ["donâ€™t", "ok\u00a0", "fine"]}))
    >>> out["text"].to_list()
    ['don’t', 'ok', 'fine']
    >>> out["fixes"].to_list()[0]
    [{'before': 'donâ€™t', 'after': 'don’t', 'steps': ['encode:sloppy-windows-1252', 'decode:utf-8']}]
    >>> out["fixes"].to_list()[2]
    []
    """
    raw = df.get_column(col)
    if raw.dtype != pl.Utf8:
        raw = raw.cast(pl.Utf8)
    n = len(raw)
    needs = (raw.str.contains(_NOT_PLAIN_CLASS) | raw.str.ends_with(" ")).fill_null(False)
    idx = needs.arg_true().cast(pl.UInt32)
    empty = pl.Series("fixes", [[]], dtype=FIXES_DTYPE).new_from_index(0, n)
    if len(idx) == 0:
        return df.with_columns(raw.alias("text"), empty)
    text_sub, fixes_sub = _repair_subset(raw.gather(idx))
    text = raw.clone().scatter(idx, text_sub) if len(idx) < n else text_sub
    fixes = (
        pl.DataFrame({"i": pl.arange(0, n, eager=True, dtype=pl.UInt32)})
        .join(pl.DataFrame({"i": idx, "f": fixes_sub}), on="i", how="left", maintain_order="left")
        .get_column("f")
        .fill_null(pl.lit([], dtype=FIXES_DTYPE))
    )
    return df.with_columns(text.alias("text"), fixes.alias("fixes"))


def repair_text(data: bytes) -> tuple[str, Decoded]:
    r"""Decode, repair and normalize a whole file for ``newsclean repair``.

    Lines are split as :func:`split_lines` does (CRLF, CR, LF and the other Unicode line
    breaks); they are joined with LF, and a final line break is kept.  Every line stays in
    place (blank lines too), so line n of the output is line n of the input.  On a decoding
    error the text is "" and the error is in the returned :class:`Decoded`.

    >>> repair_text(b"caf\xe9\r\nit\xe2\x80\x99s\xc2\xa0 \r\n")
    ('café\nit’s\n', Decoded(text='café\r\nit’s\xa0 \r\n', encoding='mixed(utf-8+cp1252)', fallback_lines=(1,), error_kind=None, error_message=None))
    """
    decoded = decode_bytes(data)
    if decoded.text is None:
        return "", decoded
    lines = split_lines(decoded.text)
    out = repair_frame(pl.DataFrame({"raw": lines}, schema={"raw": pl.Utf8}))
    text = "\n".join(out.get_column("text").to_list())
    if lines and decoded.text.splitlines(keepends=True)[-1] != lines[-1]:
        text += "\n"  # the input ended with a line break
    return text, decoded
