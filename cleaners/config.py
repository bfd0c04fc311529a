"""Every threshold of the cleaners' hand-set decisions, in one frozen :class:`CleanerConfig`
(ftfy's ``TextFixerConfig`` is the model): the per-file structure, the title candidates and the
typo screen read :data:`CONFIG`. What training picks ships with its model instead: the line
model's threshold in its JSON file (:mod:`cleaners.model`), the lexicon families' length bounds
beside their patterns (:data:`cleaners.lexicon.FAMILIES`).

>>> CONFIG.title_max_words, round(CONFIG.story_keep_p, 3)
(40, 0.182)
>>> from dataclasses import replace
>>> replace(CONFIG, rare_gap=2.0).rare_gap  # a variant for an experiment; CONFIG itself is frozen
2.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class CleanerConfig:
    # -- structure (cleaners.structure) ---------------------------------------------------------
    #: Words: an unterminated line this long inside a story is a caption.
    caption_min_words: int = 10
    #: Body lines among the next five that start the story.
    story_run: int = 3
    #: Lines after a comment prompt that tell a story going on from a comment thread.
    comment_resume_lines: int = 8
    #: Inside the story (between its first and last body line) a line is body from this logit of
    #: ``p_body`` on: the anchors stay at the model's threshold, so the story's bounds do not move.
    story_keep_logit: float = -1.5
    # -- titles (cleaners.title; cleaners.structure for a second article's title) ---------------
    #: A longer line is a paragraph, never a title.
    title_max_words: int = 40
    #: A line ending like a sentence and longer than this is prose.
    title_max_sentence_words: int = 25
    #: The same in a script without spaces between words.
    title_max_caseless_chars: int = 60
    #: A longer line the line model reads as story is not a title.
    title_max_body_words: int = 15
    #: Title candidates run to this many lines past the story's first body line.
    title_after_first: int = 3
    #: How many of the story's words the title ranker's overlap feature reads.
    title_body_words: int = 400
    # -- typos (cleaners.typos) -----------------------------------------------------------------
    #: Lowercase words at least this common (zipf) are accepted without question.
    known_zipf: float = 2.5
    #: Candidate corrections must be at least this common (zipf).
    pool_zipf: float = 2.5
    #: A word rarer than ``known_zipf`` is flagged only when a one-edit neighbour is this much more
    #: common (siad: said). Chosen by 5-fold cross-validation over typos-dev (docs/typos.md).
    rare_gap: float = 2.8
    #: A flagged word's correction is at least this common (zipf).
    fix_min_zipf: float = 3.5
    #: A capitalised word used more often than this (in its source's articles) is a name in its
    #: own right, never a slip of a common word (cleaners.typos._check_title). Chosen by 5-fold
    #: cross-validation over typos-dev (docs/typos.md).
    slip_max_uses: int = 1
    #: Shorter capitalised words are never judged as slips of a common word.
    slip_min_chars: int = 4
    #: Below this zipf a known word may be a two-edit misspelling of a common word (tarrifs).
    very_rare_zipf: float = 1.5
    #: Codespell entries that are this common in wordfreq are treated as real words.
    codespell_max_zipf: float = 3.1
    #: Longer tokens are never checked (URLs, hashes, glued words).
    max_word_chars: int = 40
    #: A paragraph where more than this share of lowercase words is rare or unknown is not English
    #: prose (a quotation in another language, code, a table): no misspelling flags there.
    foreign_share: float = 0.3
    #: A name this common in wordfreq is a real name in its own right, never a variant ...
    name_max_zipf: float = 2.0
    #: ... unless the dominant spelling is this much more common (Ghandi 2.3 vs Gandhi 3.8).
    name_zipf_gap: float = 1.5
    #: Two spellings of a name used equally often: the one wordfreq knows at least this well is
    #: the dominant one when the other is unknown to it (Sletten beside Slette). Chosen by 5-fold
    #: cross-validation over typos-dev (docs/typos.md).
    name_tie_zipf: float = 1.0
    #: A rare lowercase word used more often than this in one article is the writer's vocabulary
    #: (golf's "bogeying"), not a slip: never flagged by the rare-word check. Chosen by 5-fold
    #: cross-validation over typos-dev (docs/typos.md).
    rare_word_max_uses: int = 1
    #: A flagged word's correction is the nearby word with the highest zipf + ``suggest_context``
    #: x log(1 + count) of each pair it makes with the words beside it (symspellpy's bigram
    #: counts) - ``suggest_distance`` x its edits + ``suggest_first_letter`` when it keeps the first
    #: letter (the wourld: world; I wourld: would). Chosen by 5-fold cross-validation over
    #: conll_dev (docs/typos.md).
    suggest_context: float = 0.8
    suggest_distance: float = 16.0
    suggest_first_letter: float = 2.0

    @property
    def story_keep_p(self) -> float:
        """``story_keep_logit`` as a probability."""
        return 1.0 / (1.0 + math.exp(-self.story_keep_logit))


#: The configuration the cleaners run with.
CONFIG = CleanerConfig()
