"""Phrase families that mark page furniture, captions and metadata in scraped news text.

Every family is a regular expression for polars' Rust regex engine (linear time, no
look-around, no back-references; ASCII word boundaries ``(?-u:\\b)`` and no bounded repeats of
Unicode classes, which keep the engine on its fast DFA — lengths are capped by each :class:`Family`'s ``max_chars``), matched against a line whose white space has been
collapsed. Each family carries the ``reason`` written into the output when it decides a line.

The patterns are anchored (``^…$``) where the phrase must be the whole line, so a body
sentence that merely mentions "advertisement" or "comments" is never removed.

>>> import polars as pl
>>> lines = pl.Series(["Story continues below advertisement", "The advertisement ran for two weeks."])
>>> lines.str.contains(BOILERPLATE["ad_slot"]).to_list()
[True, False]
"""

from __future__ import annotations

from typing import NamedTuple

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?"
_TIME = r"(?:\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[a-z]{2,4})?|\d{1,2}\s*[ap]\.?m\.?)"
#: A calendar date in the common news spellings (January 14, 2025 / 14 Jan 2025 / 2025-01-14 / 14/01/2025).
DATE = (
    rf"(?:(?:{_WEEKDAY},?\s+)?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:t[\d:.]+z?)?"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"
    rf"(?:,?\s*(?:at\s+)?{_TIME})?)"
)
_SOCIAL = (
    r"(?:share|shares|tweet|email|e-mail|print|copy(?: link)?|link copied|facebook|twitter|x|"
    r"whatsapp|linkedin|pinterest|reddit|telegram|messenger|flipboard|sms|threads|bluesky|"
    r"mastodon|instagram|youtube|tiktok|save|gift(?: this)? article|comments?)"
)
_AGENCIES = (
    r"(?:getty images|afp|ap(?: photo)?|associated press|reuters|epa(?:-efe)?|efe|shutterstock|"
    r"alamy|istock(?:photo)?|xinhua|anadolu(?: agency)?|sipa|zuma(?: press)?|pa(?: images| wire)?|"
    r"bloomberg|nurphoto|sopa images|kyodo|yonhap|tass|ria novosti|kcna|dpa|ansa|bbc|cnn|"
    r"courtesy(?: of)? [^|]{2,}|handout|file photo|supplied|unsplash|pexels|wikimedia commons)"
)

#: Boilerplate families: reason -> whole-line pattern (case-insensitive).
BOILERPLATE: dict[str, str] = {
    "ad_slot": (
        r"(?i)^(?:-+\s*)?(?:advertisements?|advertising|advert|ads?|sponsored(?: content| post| links?)?|"
        r"promoted(?: content| stories)?|paid (?:content|post)|partner content|"
        r"(?:story|article|content) continues (?:below|after)(?: this)? (?:advertisement|ad)|"
        r"scroll (?:down )?(?:to continue(?: with content)?|for (?:video|more))|[\w ]{0,}(?-u:\b)ads? widget|"
        r"(?:video )?ad feedback|report (?:this )?ad|remove ads|skip (?:this )?(?:ad|advertisement)|supported by|"
        r"story continues|"
        r"publicité|anzeige|werbung|publicidad|pubblicità|publicidade|advertentie|reklama|реклама|"
        r"广告|廣告|広告|إعلان|โฆษณา)(?:\s*-+)?$"
    ),
    "read_more_link": (
        r"(?i)^(?:read (?:the )?(?:full|entire|complete|whole|original|rest of the) (?:article|story|post|report)"
        r"(?: (?:here|at|on) .{0,})?|(?:read (?:more|on|next|also|this next)|continue reading|keep reading|"
        r"also read|must read|see also|(?:click|tap) here|lire (?:aussi|plus|la suite)|à lire aussi|"
        r"lee (?:también|más)|lea también|leer más|ver más|mehr zum thema|lesen sie (?:auch|mehr)|"
        r"auch interessant|weiterlesen|leggi anche|leia (?:também|mais)|читайте (?:также|далее)|"
        r"اقرأ (?:أيضا|أيضًا|المزيد)|延伸阅读|相关(?:新闻|阅读|文章)|関連記事|阅读全文|続きを読む)"
        r"(?:\s*[:：»›→|–—-].*|[^.!?;:,。]{0,60}\.?)|"
        r"view (?:the )?(?:full|original) (?:article|story)|more (?:from|on|about|in) [^.]{1,60}|"
        r"(?:read|view|see) (?:more|all) (?:stories|news|articles|posts)(?-u:\b).*)$"
    ),
    "related_link": (
        r"(?i)^(?:related(?: (?:stories|story|articles?|coverage|content|news|posts?|reading|topics?|links?))?|"
        r"recommended(?: (?:for you|stories|reading|articles?))?|you (?:may|might) (?:also )?(?:like|be interested in)|"
        r"more stories|trending(?: now| stories| news)?|most (?:read|popular|viewed|shared)|top stories|"
        r"what to read next|further reading|latest(?: news| stories)?|editor'?s picks?|"
        r"don['’]t miss|in case you missed it|watch|video|listen|popular(?: now)?)\s*(?:[:|–—-]\s*.*)?$"
    ),
    "comment_prompt": (
        r"(?i)^(?:\d+\s+comments?:?|comments?\s*\(\d+\)|[\p{L} .'’-]{1,} said\s*(?:\.\.\.|…)|sort by(?-u:\b).{0,}|no comments(?: yet)?\.?|comments?|post a comment|"
        r"leave a (?:reply|comment)(?: cancel reply)?|add (?:a |your )?comment|be the first to comment\.?|"
        r"loading comments\.*|comments are (?:closed|disabled)\.?|commenting (?:is )?(?:closed|disabled)\.?|reply|view comments|show comments|"
        r"(?:join|start) the (?:conversation|discussion)|\d+\s+thoughts? on(?-u:\b).*|"
        r"(?:you must be )?log(?:ged)? in to (?:post a )?comment\.?|cancel reply|"
        r"your email address will not be published\.?.*|required fields are marked.*|"
        r"share your thoughts\.?|what do you think\?|have your say\.?|share what you think\.?|"
        r"share or comment on this (?:article|story):?|the comments below have (?:not )?been moderated\.?|"
        r"by posting your comment,? you agree to our house rules\.?|comments? policy)$"
    ),
    "timestamp": (
        r"(?i)^(?:(?:updated|posted|published|edited)\s*:?\s*)?(?:\d+\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|h|"
        r"days?|d|weeks?|wks?|months?|years?|yrs?)\s+ago(?:\s+\d+)?|just now|"
        r"(?:updated|last updated)\s*:?\s*(?:on\s+)?(?:today|yesterday)(?-u:\b).*|"
        # a clock time alone (live blogs): "23:41 GMT", "11.20pm", "Updated at 11.05pm GMT"
        r"(?:(?:updated|posted|published) (?:at )?)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*"
        r"(?:gmt|bst|utc|cet|cest|et|est|edt|ct|cst|cdt|pt|pst|pdt|ist|jst|aest|msk)?|"
        r"show key events only|key events|"
        r"\d+\s*(?:-\s*\d+\s*)?min(?:ute)?s?\s+(?:read|listen|watch)|"
        r"listen(?:ing)? to (?:this |the )?(?:article|story)(?:\s*[·•|-]?\s*\d+\s*min(?:ute)?s?)?|"
        r"(?:(?:estimated )?reading time|lesezeit|temps de lecture|tiempo de lectura|время чтения):?\s*\d+\s*"
        r"(?:min(?:ute)?s?|min\.|мин)|\d+\s*min(?:ute)?s?\s+(?:de )?(?:lecture|lectura|lesezeit))\.?$"
    ),
    "share_row": rf"(?i)^(?:(?:share|follow) (?:this|on|us|via)(?-u:\b).{{0,}}|(?:print|email|e-mail|save) this (?:article|story|page|post)|click to (?:share|email|print)(?-u:\b).{{0,}}|like this:?|like loading\.*|{_SOCIAL}(?:[\s|,•·/]+{_SOCIAL})*)$",
    "follow_prompt": (
        r"(?i)^(?:follow (?:us|@\w+|[\w.]+ on)(?-u:\b).{0,}|follow (?:[\w.'’-]+ ){1,4}on (?:twitter|x|facebook|"
        r"instagram|tiktok|linkedin|threads|bluesky|mastodon|youtube|telegram|whatsapp)(?-u:\b).{0,}|like us on facebook.{0,}|"
        r"find us on .{0,}|connect with us.{0,})$"
    ),
    "newsletter_prompt": (
        # Addressed to the reader (an imperative, or "our"/"your"), so reported speech about a
        # newsletter ("Readers can sign up for the newsletter, the company said.") stays body.
        r"(?i)^(?:enter your e-?mail(?: address)?|(?:your )?e-?mail address|thanks? (?:you )?for (?:subscribing|signing up)!?|"
        r"you(?:['’]re| are| have) (?:now |successfully )*(?:subscribed|signed up)(?-u:\b).{0,}|"
        r"by (?:subscribing|signing up|registering|clicking[^,]{0,}),? (?:you|i) (?:agree|acknowledge|accept|consent)(?-u:\b).{0,}|"
        r"this (?:site|form) is protected by recaptcha(?-u:\b).{0,}|(?:support|fund) (?:our|independent|local) journalism(?-u:\b).{0,}|"
        r"(?:become a (?:member|subscriber|supporter)|donate (?:now|today))(?-u:\b).{0,}|"
        r"(?:(?:sign(?:ing)? up|subscribe|register)(?:\s+(?:for|to|now|here|today|and)(?-u:\b)|\s*[:!])|join|get|download|don['’]t miss|never miss|stay informed|"
        r"want (?:more|the latest))(?-u:\b).{0,}(?-u:\b)(?:newsletters?|inbox|briefing|digest|updates|alerts|"
        r"notifications|app|podcast|edition)(?-u:\b).{0,}|.{0,}(?-u:\b)(?:our|your)(?-u:\b).{0,}(?-u:\b)(?:newsletters?|inbox|"
        r"briefing|digest|e-?mail updates|alerts)(?-u:\b).{0,}|(?:get|download) (?:the|our) .{0,}(?-u:\b)app(?-u:\b).{0,}|"
        r"subscribe(?: now| today| here)?[.!]?|sign up(?: now| here| today)?[.!]?|newsletter)$"
    ),
    "cookie_banner": (
        r"(?i)^(?:.{0,}(?-u:\b)(?:we(?: and our (?:partners|vendors))? (?:use|store|set|place|collect|process|serve)|"
        r"our (?:site|website|partners)|this (?:site|website)|you (?:agree|consent|accept)|utilizamos|usamos|"
        r"nous utilisons|wir verwenden|wir nutzen|мы используем)(?-u:\b).{0,}(?-u:\b)cookies?(?-u:\b).{0,}|"
        r".{0,}(?-u:\b)cookies?(?-u:\b).{0,}(?-u:\b)(?:cookie policy|cookie settings|privacy policy|preferences|"
        r"browsing experience)(?-u:\b).{0,}|.{0,}(?-u:\b)cookies?(?-u:\b).{0,}\s(?:accept|reject|agree|allow|decline|"
        r"ok|got it|accepter|refuser|akzeptieren|ablehnen|aceptar|rechazar|configurar|принять)(?: all)?(?: cookies)?|"
        r"we value your privacy|manage (?:consent|cookies|preferences|options|settings)|"
        r"(?:accept|reject|allow|manage|decline)(?: all)?(?: cookies)?|accepter|refuser|tout accepter|"
        r"alle akzeptieren|aceptar|rechazar|принять|同意|موافق|ยอมรับ|"
        r"cookie (?:policy|settings|preferences)|got it!?|i agree|i accept|ok(?:ay)?|agree)$"
    ),
    "tag_list": (
        r"(?i)^(?:tags?|tagged(?: with| in)?|topics?|filed (?:under|in)|categories|category|labels?|keywords|"
        r"more on|sections?|schlagwörter|themen|étiquettes|mots-clés|etiquetas|temas|теги|标签|タグ)"
        r"\s*[:|]\s*.*$"
    ),
    "navigation": (
        r"(?i)^(?:←+\s*.{0,}|.{0,}\s*→+|(?:«|‹|<)+\s*(?:previous|prev|older|newer|next|back)(?-u:\b).{0,}|"
        r".{0,}(?-u:\b)(?:next|newer|older|more)\s*(?:»|›|>)+|(?:previous|prev|next|older|newer)\s+"
        r"(?:post|posts|article|story|page|entries)(?-u:\b).{0,}|older posts|newer posts|home|back to top|"
        r"skip to (?:main )?content|main menu|menu|search|close|open menu|toggle navigation|"
        r"log ?in|sign ?in|log ?out|sign ?out|my account|log in / register|sign in / register|"
        r"previous|prev|next|older|newer|explore more on (?:these|this) topics?|"
        r"page \d+ of \d+|load more|show more|see more|more|(?:image |photo |slide )?\d+\s*(?:of|/)\s*\d+|"
        r"enlarge this image|(?:hide|show|toggle) caption|expand (?:image|gallery)|view (?:the )?gallery|"
        r"(?:[\p{L}&'’ ]{1,}\s*(?:[>»|•·]\s*)){2,}[\p{L}&'’ ]{1,})$"
    ),
    "copyright_footer": (
        r"(?i)^(?:©.{0,}|(?:\(c\)|copyright)\s*©?\s*(?:\d{4}(?-u:\b).{0,})?|all rights reserved(?-u:\b)|"
        r".{0,}(?-u:\b)(?:all rights reserved|tous droits réservés|alle rechte vorbehalten|todos los derechos "
        r"reservados|tutti i diritti riservati|все права защищены)(?-u:\b).{0,}|"
        r".{0,}(?:版权所有|版權所有|無断転載|جميع الحقوق محفوظة|สงวนลิขสิทธิ์).{0,}|"
        r"(?:privacy policy|terms of (?:use|service)|editorial (?:policy|standards|guidelines)|"
        r"contact us|about us|accessibility|sitemap|do not sell(?: or share)? my (?:personal )?info.*)"
        r"(?:\s*[|•·,/]\s*(?:privacy policy|terms of (?:use|service)|contact us|about us|cookie policy|"
        r"accessibility|sitemap|advertise(?: with us)?|careers))*|"
        r"this (?:material|content|article) may not be (?:published|reproduced|broadcast).*|"
        r"(?:our|the) (?:standards|editorial standards):.*|disclaimer\s*:.*|reuse this content|"
        r"the views (?:and opinions )?expressed (?:in this|here|by)(?-u:\b).{0,}|(?:proudly )?powered by [\w .]{2,})$"
    ),
    "author_bio": (
        r"^(?:(?i:about the authors?|about (?:the )?(?:writer|reporter|contributors?))|"
        r"[\p{Lu}][\p{L}.'’-]+(?: [\p{Lu}][\p{L}.'’-]+){1,3} (?:is|was|has been) (?:a|an|the) "
        r"(?:[\p{L}-]+ ){0,5}(?:reporter|correspondent|writer|editor|journalist|columnist|contributor|"
        r"producer|photographer|author|freelancer|intern)s?(?-u:\b).{0,})$"
    ),
    "markup_residue": (
        r"(?i)^(?:[-=_*#~+|.:•·]{3,}|</?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>(?:\s*</?[a-z][^<>]*>)*|"
        r"\|(?:[\s|:-]*\|)+|\{\{.*\}\}|\[\w+\]|&[a-z]+;|<!--.*-->|[\[\](){}<>|/\\]+|"
        r"(?:https?://)?pic\.twitter\.com/\S+|[—–-]\s*[^()]{1,}\(@\w{1,}\)\s*.{0,}|"
        r"a post shared by .{1,}|view this post on instagram|watch on youtube|"
        r"(?:this )?(?:tweet|post|video|content) is (?:unavailable|not available)(?-u:\b).{0,}|"
        # an HTML page saved as text: doctype, head and script/style lines, lines made only of tags
        r"<!doctype[^>]*>.*|<(?:script|style|noscript|iframe|svg|head|meta|link|html|body|nav|footer)(?-u:\b).*|"
        r"\s*(?:<[^<>]+>\s*)+)$"
    ),
}

#: Lines that end an article when they follow its body (a second article may follow them).
END_REASONS = frozenset({"read_more_link", "source_line", "syndication", "comment_prompt"})

#: Metadata families: reason -> (role, pattern).
META: dict[str, tuple[str, str]] = {
    "source_line": (
        "meta",
        r"(?i)^(?:source|sources|via|originally published (?:at|on|by))\s*:\s*\S.{0,}$",
    ),
    "syndication": (
        "meta",
        r"(?i)^(?:this (?:article|story|post|piece) (?:was |is )?(?:originally|first)? ?(?:appeared|published|posted)"
        r"(?-u:\b).{0,}|(?:originally|first) (?:appeared|published) (?:on|in|at|by)(?-u:\b).{0,}|"
        r"republished (?:with permission )?from(?-u:\b).{0,}|(?:this article is )?(?:re)?published under a creative commons.*)$",
    ),
    "published_line": (
        "meta",
        rf"(?i)^(?:[^|]{{1,}}\|\s*)?(?:published|posted|updated|last updated|first published|date|on)?\s*(?:on|:)?\s*{DATE}"
        r"(?:\s*[|,;]\s*(?:(?:updated|published)\s*(?:on|:)?\s*)?.{0,}|\s+by\s+(?-i:\p{Lu})[^.]{0,})?$",
    ),
    "byline": (
        "byline",
        r"^(?:[Bb]y|BY|[Ww]ritten by|[Ww]ords by|[Rr]eporting by|[Aa]uthor:|[Pp]osted by|[Vv]on|[Pp]ar|[Pp]or|"
        r"[Aa]uteur\s*:|[Aa]utor(?:in)?\s*:|Автор:)\s+[\p{Lu}][\p{L}.'’-]+"
        r"(?:\s+(?:[\p{Lu}][\p{L}.'’-]*|de|van|von|da|del|al|bin|and|&|,))*\s*"
        r"(?:[|,;–—-]\s*.{0,})?$",
    ),
    "credit_line": (
        "byline",
        r"^(?:\(?(?:[Rr]eporting|[Ww]riting|[Aa]dditional reporting|[Ee]diting|[Cc]ompiled) by(?-u:\b).{0,}|"
        r".{0,}(?-u:\b)contributed (?:to )?this (?:report|story|article)\.?\)?|.{0,}(?-u:\b)contributed reporting\.?|"
        r"(?:[Cc]ontact|[Rr]each|[Ee]mail) (?:the )?(?:reporter|writer|author|us)(?-u:\b).{0,}@.{0,})$",
    ),
    "dateline_only": (
        "meta",
        r"^(?:[\p{Lu}][\p{Lu} .'’-]{2,}(?:,\s*[\p{Lu}][\p{L}.]+\.?\s+\d{1,2}(?:\s*\([\p{L} .&]{2,}\))?|"
        r"\s*\([\p{L} .&]{2,}\))\s*[–—-]?|[\p{Lu}][\p{Lu} .'’-]{2,}\s*[–—-])$",
    ),
}

#: Phrases no kept paragraph may hold: the pandera check ``no_boilerplate_phrases`` of
#: :mod:`schemas.frames` and the great-expectations check "no boilerplate phrases" of
#: :mod:`schemas.gx_suite` both read this. A line with one of them and a lexicon family is decided by
#: that family whatever the line model says (:mod:`cleaners.structure`), so a model's slip never
#: sends a file to quarantine. Distinctive phrases match anywhere; words that also occur in real
#: sentences ("advertisement", "source", "share") only as a whole line or an upper-case label. The
#: pattern runs in Python's re, in polars and in pyarrow's RE2 alike (no look-around, no ``\s``,
#: ``\b`` or ``\w``: pandas would run those per row in Python); the text is normalized, so a space
#: is the only white space.
FORBIDDEN_IN_BODY = (
    r"(?i)(?:(?:read (?:the )?(?:full|entire|more of the) (?:article|story)|continue reading|"
    r"header ads widget|post a comment|leave a (?:reply|comment)|be the first to comment|"
    r"story continues below advertisement|purchase licensing rights|opens new tab|loading comments|"
    r"comments are closed|sign up for our newsletter|click here to (?:subscribe|read))"
    r"|(?:via|/|\() *getty images"
    r"|^[^a-z0-9]*advertisement[^a-z0-9]*$"
    r"|(?-i:(?:^|[^A-Za-z0-9_])ADVERTISEMENT(?:$|[^A-Za-z0-9_]))"
    r"|(?-i:(?:^|[^A-Za-z0-9_])SOURCE:)"
    r"|^[^a-z0-9]*source: *[^ ]"
    r"|^[^a-z0-9]*(?:share|tweet|email|print)[^a-z0-9]*$)"
)

#: Caption and photo-credit signals (reason -> pattern), searched anywhere in the line.
CAPTION: dict[str, str] = {
    "photo_credit": (
        rf"(?i)(?:(?-u:\b)(?:via|/)\s*{_AGENCIES}\s*\)?\s*$|(?-u:\b){_AGENCIES}\s*/\s*[\p{{L}} .'-]{{2,}}\)?\s*$|"
        rf"(?-u:\b)(?:photo|photograph|picture|image|credit|illustration|graphic|video)s?\s*(?:credit)?\s*(?::|by)\s*[^.]{{2,}}$|"
        rf"\((?:photo|image|picture|credit|file|pictured|left|right|center|centre|above|below|top)(?-u:\b)[^()]*\)\s*$|"
        r"purchase licensing rights|opens new tab\s*$|(?-u:\b)REUTERS/[\p{L}]+|"
        rf"\(?(?-u:\b){_AGENCIES}\s*/\s*[\p{{L}} .'-]{{2,}},\s*file\)?\s*$|^\(?{_AGENCIES}\)?$)"
    ),
    "photo_caption": (
        r"(?i)(?-u:\b)(?:in this (?:picture|photo|photograph|image|handout|screenshot|file photo|still|video grab)|"
        r"(?:appears?|is seen|are seen|is pictured|are pictured) in (?:this|a) (?:screenshot|photo|picture|image|video)|"
        r"poses? for a (?:photo|picture)|(?:photo|picture|image) (?:taken|released|provided|obtained) (?:on|by)|"
        r"\((?:pictured|left|right|centre|center|above|below|top|bottom)\))"
    ),
    "caption_prefix": (
        r"(?i)^(?:photo|photograph|picture|image|caption|file photo|illustration|gallery|video|credit|"
        r"image credit|photo credit|image source|source image|composite|file)\s*[:|–—-]|"
        r"(?:image source|image caption|media caption|photo credit|image credit),|credit\s*(?:\.\.\.|…)"
    ),
}


class Family(NamedTuple):
    """One lexicon family: the ``reason`` it writes, the ``role`` it gives a line, its pattern,
    and the longest line (in characters) it may decide (None: any). Patterns use unbounded
    repeats (bounded repeats of Unicode classes make the regex automata huge); the bound is
    applied through ``max_chars`` instead."""

    reason: str
    role: str
    pattern: str
    max_chars: int | None


def _family(reason: str, max_chars: int) -> Family:
    """The family of ``reason`` in whichever table declares it: :data:`META` gives its role,
    :data:`CAPTION` is the caption role, :data:`BOILERPLATE` the boilerplate role."""
    if reason in META:
        role, pattern = META[reason]
    elif reason in CAPTION:
        role, pattern = "caption", CAPTION[reason]
    else:
        role, pattern = "boilerplate", BOILERPLATE[reason]
    return Family(reason, role, pattern, max_chars)


#: Every family, in the order they are consulted (the first that matches a line decides it), with
#: the longest line it may decide: :func:`cleaners.lines.line_signals` loops over this table.
FAMILIES: tuple[Family, ...] = (
    Family("no_visible_text", "boilerplate", r"^$", None),
    *(
        _family(reason, max_chars)
        for reason, max_chars in (
            ("ad_slot", 80),
            ("read_more_link", 400),
            ("comment_prompt", 200),
            ("timestamp", 80),
            ("share_row", 150),
            ("follow_prompt", 150),
            ("newsletter_prompt", 350),
            ("tag_list", 400),
            ("copyright_footer", 400),
            ("author_bio", 600),
            ("markup_residue", 300),
            ("source_line", 200),
            ("syndication", 300),
            ("byline", 200),
            ("credit_line", 300),
            ("published_line", 150),
            ("dateline_only", 80),
            ("related_link", 400),
            ("navigation", 150),
            ("cookie_banner", 700),
            ("caption_prefix", 600),
            ("photo_credit", 600),
            ("photo_caption", 700),
        )
    ),
)
