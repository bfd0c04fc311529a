"""Make great-expectations Data Docs work offline.

GX 1.x Data Docs pages load bootstrap, jquery, bootstrap-table, popper, bootstrap-datepicker,
font-awesome, vega, vega-lite, vega-embed and bootstrap-dark from public CDNs, plus a logo from S3
(STACK.md).  The npm packages pinned in the repository's ``package.json`` provide the same files;
:func:`localize_data_docs` copies them into ``<docs>/static/vendor/`` and rewrites every outside
URL in the built HTML (and CSS) to a relative local path, so a browser opening the pages makes no
request outside ``file://``.

If ``node_modules`` is missing the pages are still rewritten (they then render unstyled, since the
local files do not exist) and a warning says how to install the assets; nothing is fetched.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

VENDOR_SUBDIR = "static/vendor"
NODE_MODULES_ENV = "NEWSCLEAN_NODE_MODULES"
NPM_INSTALL_HINT = "npm ci --no-audit --no-fund  (in the repository root)"

# Every CDN URL found in the great_expectations 1.24 templates -> file inside node_modules.
CDN_TO_NPM: dict[str, str] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/dist/js/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js-1.12.9/dist/umd/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "@fortawesome/fontawesome-free/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css"
    ),
}
# Directories the copied files refer to relatively (font-awesome's css uses ../webfonts/).
EXTRA_NPM_DIRS: tuple[str, ...] = ("@fortawesome/fontawesome-free/webfonts",)
# Outside images (GX logo from S3) -> file in <docs>/static/images shipped by great_expectations.
IMAGE_FALLBACKS: dict[str, str] = {"full_logo_dark.png": "logo-long.png", "logo-long.png": "logo-long.png"}

_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
_TAG = re.compile(r"<(script|link|img|a|iframe|source|embed|object|form)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""(\s)(src|href|action|data|srcset)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_SRI = re.compile(r"""\s(?:integrity|crossorigin)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)((?:https?:)?//[^)'"]*)\1\s*\)""", re.IGNORECASE)
_EMPTY_SCRIPT = re.compile(r"<script\b[^>]*\bdata-offline-removed\b[^>]*>\s*</script>", re.IGNORECASE)


@dataclass
class LocalizeReport:
    node_modules: Path | None
    copied: list[str] = field(default_factory=list)  # vendor files (relative to docs dir)
    missing: list[str] = field(default_factory=list)  # npm files that were not found
    rewritten: int = 0  # attribute/url rewrites
    removed: list[str] = field(default_factory=list)  # unknown outside assets dropped
    html_files: int = 0


def find_node_modules(explicit: Path | None = None) -> Path | None:
    """Explicit path, else $NEWSCLEAN_NODE_MODULES, else <repo>/node_modules, else ./node_modules."""
    candidates: list[Path] = []
    if explicit is not None:
        return explicit if explicit.is_dir() else None
    env = os.environ.get(NODE_MODULES_ENV)
    if env:
        candidates.append(Path(env))
    candidates.append(Path(__file__).resolve().parents[1] / "node_modules")
    candidates.append(Path.cwd() / "node_modules")
    for c in candidates:
        if c.is_dir():
            return c
    return None


def _vendor_rel(npm_path: str) -> str:
    return f"{VENDOR_SUBDIR}/{npm_path.lstrip('@')}"


def copy_vendor_files(docs_dir: Path, node_modules: Path | None, report: LocalizeReport) -> None:
    if node_modules is None:
        report.missing = sorted(set(CDN_TO_NPM.values()))
        return
    for npm_path in sorted(set(CDN_TO_NPM.values())):
        src = node_modules / npm_path
        if not src.is_file():
            report.missing.append(npm_path)
            continue
        dst = docs_dir / _vendor_rel(npm_path)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        report.copied.append(_vendor_rel(npm_path))
    for npm_dir in EXTRA_NPM_DIRS:
        src_dir = node_modules / npm_dir
        if not src_dir.is_dir():
            report.missing.append(npm_dir + "/")
            continue
        for src in sorted(p for p in src_dir.rglob("*") if p.is_file()):
            rel = _vendor_rel(f"{npm_dir}/{src.relative_to(src_dir).as_posix()}")
            dst = docs_dir / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            report.copied.append(rel)


def _unquote(value: str) -> tuple[str, str]:
    if value[:1] in {'"', "'"}:
        return value[1:-1], value[0]
    return value, '"'


def _rel(target_from_docs_root: str, page: Path, docs_dir: Path) -> str:
    return Path(os.path.relpath(docs_dir / target_from_docs_root, page.parent)).as_posix()


def _local_image(url: str, docs_dir: Path) -> str | None:
    name = url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    local = IMAGE_FALLBACKS.get(name, name)
    if name and (docs_dir / "static" / "images" / local).is_file():
        return f"static/images/{local}"
    return None


def _fix_static_path(value: str, page: Path, docs_dir: Path) -> str | None:
    """GX links validation pages to ``static/`` one level too shallow (favicon): re-point such
    relative paths at ``<docs>/static/`` when that file exists; None when nothing to fix."""
    path = value.split("#", 1)[0].split("?", 1)[0]
    if not path or ":" in path or "static/" not in path or (page.parent / path).exists():
        return None
    target = "static/" + path.split("static/", 1)[1]
    if not (docs_dir / target).is_file():
        return None
    return _rel(target, page, docs_dir)


def _rewrite_css_urls(text: str, page: Path, docs_dir: Path, report: LocalizeReport) -> str:
    def repl(m: re.Match[str]) -> str:
        report.rewritten += 1
        local = _local_image(m.group(2), docs_dir)
        if local is None:
            report.removed.append(m.group(2))
            return "none"
        return f"url('{_rel(local, page, docs_dir)}')"

    return _CSS_URL.sub(repl, text)


def rewrite_page(text: str, page: Path, docs_dir: Path, report: LocalizeReport) -> str:
    """Point every outside script/style/image URL of one HTML page at a local relative path."""

    def tag_repl(m: re.Match[str]) -> str:
        tag = m.group(0)
        name = m.group(1).lower()
        changed = False

        def attr_repl(a: re.Match[str]) -> str:
            nonlocal changed
            lead, attr, raw = a.group(1), a.group(2), a.group(3)
            value, q = _unquote(raw)
            if not _EXTERNAL.match(value):
                fixed = _fix_static_path(value, page, docs_dir)
                return a.group(0) if fixed is None else f"{lead}{attr}={q}{fixed}{q}"
            changed = True
            report.rewritten += 1
            url = value.strip()
            if url.startswith("//"):
                url = "https:" + url
            if name in {"script", "link"} and url in CDN_TO_NPM:
                return f"{lead}{attr}={q}{_rel(_vendor_rel(CDN_TO_NPM[url]), page, docs_dir)}{q}"
            if name == "img":
                local = _local_image(url, docs_dir)
                if local is not None:
                    return f"{lead}{attr}={q}{_rel(local, page, docs_dir)}{q}"
            if name == "a" and attr.lower() == "href":
                # A navigation link (GX docs, newsletter): keep the address visible, not followable.
                return f'{lead}href="#" data-offline-url={q}{value}{q}'
            report.removed.append(url)
            log.warning("Data Docs: dropped outside asset with no local copy: %s", url)
            return f" data-offline-removed={q}{url.split('://', 1)[-1].split('/', 1)[0]}{q}"

        new = _ATTR.sub(attr_repl, tag)
        if changed and name in {"script", "link"}:
            new = _SRI.sub("", new)  # SRI/CORS attributes break file:// loads of the local copies
        return new

    text = _TAG.sub(tag_repl, text)
    text = _EMPTY_SCRIPT.sub("", text)
    return _rewrite_css_urls(text, page, docs_dir, report)


def localize_data_docs(docs_dir: Path, node_modules: Path | None = None) -> LocalizeReport:
    """Copy the npm copies of the CDN assets into ``docs_dir`` and rewrite all pages to use them."""
    docs_dir = Path(docs_dir)
    nm = find_node_modules(node_modules)
    report = LocalizeReport(node_modules=nm)
    copy_vendor_files(docs_dir, nm, report)
    if nm is None or report.missing:
        log.warning(
            "Data Docs: npm assets missing (%s); pages are built without styles/scripts and make no "
            "outside request. Install them with: %s",
            "node_modules not found" if nm is None else ", ".join(report.missing),
            NPM_INSTALL_HINT,
        )
    for page in sorted(docs_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        new = rewrite_page(text, page, docs_dir, report)
        report.html_files += 1
        if new != text:
            page.write_text(new, encoding="utf-8")
    for css in sorted((docs_dir / "static" / "styles").glob("*.css")):
        text = css.read_text(encoding="utf-8")
        new = _rewrite_css_urls(text, css, docs_dir, report)
        if new != text:
            css.write_text(new, encoding="utf-8")
    return report
