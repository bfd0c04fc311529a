"""Whole HTML pages given as input: their main text, extracted with trafilatura.

A scraper sometimes saves the page itself rather than its text. Such a file is not bad input for a
news cleaner: its main content is extracted (trafilatura in recall mode, so a doubtful paragraph is
kept for the line model to judge), and the extracted text is cleaned like any other. The document
records ``extracted_from: html``. Only a page that yields no text is an error.

>>> page = '''<!DOCTYPE html><html><head><title>Storm | News</title><script>alert(1)</script></head>
... <body><nav><a href="/">Home</a> | <a href="/world">World</a></nav><article>
... <h1>Storm hits the coast</h1><p>The storm hit the coast on Monday, officials said.</p>
... <p>Power was out for thousands &amp; roads were closed.</p></article></body></html>'''
>>> print(html_text(page))
Storm hits the coast
The storm hit the coast on Monday, officials said.
Power was out for thousands & roads were closed.
>>> html_text("<html><body><script>alert(1)</script></body></html>") is None
True
"""

from __future__ import annotations

#: What a document's ``encoding.extracted_from`` says of a file whose text came from its HTML.
EXTRACTED_FROM_HTML = "html"


def is_html_page(text: str) -> bool:
    """A whole HTML document (doctype or <html> first), not text left by an extractor.

    >>> is_html_page("<!DOCTYPE html>\\n<html>…"), is_html_page("Storm hits <b>coast</b>")
    (True, False)
    """
    head = text.lstrip("\ufeff \t\r\n")[:64].lower()
    return head.startswith(("<!doctype html", "<html"))


def html_text(page: str) -> str | None:
    """The main text of an HTML page, a paragraph a line; ``None`` when there is none.

    Markup, scripts and styles never reach the text; entities are decoded. trafilatura is imported
    here, on the first page that needs it (it is not needed for plain text).
    """
    import trafilatura  # a second of imports that plain-text runs never pay

    text = trafilatura.extract(
        page,
        favor_recall=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        with_metadata=False,
    )
    return text if text and text.strip() else None
