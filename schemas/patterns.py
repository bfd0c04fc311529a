"""The patterns the output checks share: pandera's (:mod:`schemas.frames`, per file, quarantine)
and great-expectations' (:mod:`schemas.gx_suite`, per run, the verdict) read the same ones, so a
file that passes one passes the other.

Each runs in Python's ``re``, in polars and in pyarrow's RE2 alike: literal characters plus shared
syntax. pandas keeps strings in pyarrow, whose ``str.contains`` runs RE2 unless a pattern needs
Python's ``re`` (``\\w``, ``\\b``, ``\\s``, look-arounds); then it calls ``re.search`` once per row,
~40x slower. So word edges are explicit ASCII classes (a test keeps them on RE2).

>>> import re
>>> [bool(re.search(MOJIBAKE, t)) for t in ("cafÃ©", "â€œquotedâ€", "SÃO PAULO", "café")]
[True, True, False, False]
>>> [bool(re.search(ISO_DATE, t)) for t in ("2024-02-29", "2024-13-01", "٢٠٢٤-01-01")]
[True, False, False]
"""

from __future__ import annotations

from cleaners.lexicon import FORBIDDEN_IN_BODY

#: Phrases no kept paragraph may hold (the cleaner enforces them: :mod:`cleaners.lexicon`).
BOILERPLATE = FORBIDDEN_IN_BODY

_CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
#: Mojibake that survived repair: UTF-8 read as cp1252/latin-1: "â€" (curly quotes, dashes),
#: "Ã" + a continuation-byte character ("Ã©" for é, "Ã " for à), "Â" + a latin-1 symbol or NBSP
#: ("Â ", "Â©"), and U+FFFD. "Ã"/"Â" before ordinary letters (Portuguese "SÃO PAULO") are not.
MOJIBAKE = f"â€|â„¢|Ã[\u0080-\u00bf{_CP1252_HIGH}]|Â[\u0080-\u00bf{_CP1252_HIGH}]|\ufffd"

#: No-break spaces (the contract's normalization makes them spaces).
NBSP = "[\u00a0\u2007\u202f]"

#: Characters the contract's normalization removes or maps, and untrimmed or doubled spaces.
NOT_NORMALIZED = "[\u00a0\u2000-\u200b\u202f\u205f\u3000\u00ad\u2060\ufeff\t]|^ |^\n|[ \n]$| {2}"

#: A published date as the contract writes it.
ISO_DATE = r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
