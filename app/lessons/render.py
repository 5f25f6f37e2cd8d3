"""Lesson Markdown to HTML, once, on the server: raw HTML off, math kept for KaTeX, safe links.

A lesson may come from anyone (a teacher's folder, a draft dropped on the page), so:

- raw HTML is not rendered (``html: False``): ``<script>`` and ``onerror=`` come out as text;
- ``$…$`` and ``$$…$$`` (mdit-py-plugins' dollarmath) become ``<span class="tex" data-tex="…">``
  and ``<div class="tex display" data-tex="…">`` with the TeX escaped, never parsed as Markdown
  (so ``$a_1*b_2$`` survives); the page renders them with the vendored KaTeX and
  ``trust: false``, so ``\\href{javascript:…}`` draws as text and links nowhere;
- a link or image must be a path on this site (``/…``, ``#…``, a relative path) or ``http``,
  ``https`` or ``mailto``; anything else (``javascript:``, ``data:``, ``vbscript:``) stays text.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

_SCHEMES = ("http", "https", "mailto")


def _safe_link(url: str) -> bool:
    """A site path, a fragment, a relative path, or an http(s)/mailto URL."""
    url = url.strip()
    if any(ord(c) < 32 for c in url):
        return False
    scheme = urlsplit(url).scheme.lower()
    return scheme in _SCHEMES if scheme else not url.startswith("//")


def _tex(tex: str, display: bool, tag: str = "span") -> str:
    cls = "tex display" if display else "tex"
    t = escape(tex.strip(), quote=True)
    return f'<{tag} class="{cls}" data-tex="{t}">{t}</{tag}>'


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
    md.validateLink = _safe_link  # type: ignore[method-assign]
    rules = md.add_render_rule
    rules("math_inline", lambda self, tokens, i, options, env: _tex(tokens[i].content, False))
    rules("math_inline_double", lambda self, tokens, i, options, env: _tex(tokens[i].content, True))
    rules("math_block", lambda self, tokens, i, options, env: _tex(tokens[i].content, True, "div"))
    rules(
        "math_block_label",
        lambda self, tokens, i, options, env: _tex(tokens[i].content, True, "div"),
    )
    return md


_MD = _markdown()


def render(text: str) -> str:
    """The HTML of a lesson step's Markdown text."""
    return _MD.render(text)


def render_inline(text: str) -> str:
    """The HTML of one line (a task's prompt), without the enclosing paragraph."""
    return _MD.renderInline(text)
