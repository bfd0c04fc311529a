"""The stop-word table the line model's language features use (``cleaners/data/stopwords.tsv``).

Made from wordfreq (a registry package) so it needs no download: the most frequent words of each
language that are letters only. ``python -m cleaners.training.stopwords`` writes the table again.
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

#: Languages with a word list (wordfreq codes); ja, zh and ko are caseless scripts the language
#: features measure by script instead.
LANGUAGES = (
    "en",
    "de",
    "fr",
    "es",
    "pt",
    "it",
    "nl",
    "ru",
    "pl",
    "cs",
    "sv",
    "tr",
    "da",
    "fi",
    "nb",
    "hu",
    "ro",
    "uk",
    "id",
    "ca",
)
TOP_N = 80
TABLE = Path(__file__).resolve().parents[1] / "data" / "stopwords.tsv"


def stopword_table() -> str:
    """The table's text: a comment header, then ``language<TAB>word`` lines."""
    import wordfreq

    lines = [
        f"# the {TOP_N} most frequent words of each language in wordfreq {version('wordfreq')}, "
        "letters only (python -m cleaners.training.stopwords)"
    ]
    for lang in LANGUAGES:
        lines += [f"{lang}\t{w}" for w in wordfreq.top_n_list(lang, TOP_N) if w.isalpha()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    TABLE.write_text(stopword_table(), encoding="utf-8")
    print(f"wrote {TABLE}", file=sys.stderr)
