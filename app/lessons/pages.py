"""Which URL parameters each explorer page reads, taken from the page's own declaration.

A page module declares its state once, as ``new UrlState({key: prop(...), ...})`` (see
``static/js/kit/state.js``). The lesson validator reads that same declaration from the module's
source, so a lesson link can only use parameters the page really reads and a page that gains or
drops a parameter changes what the validator accepts without a second list to keep in step.

Each property's kind is read from the call that builds it:

========================  ===============================================================
``str(..)``               any text
``num(..)``/``numProp``   a finite number (``{min, max, integer}`` when given as literals)
``optNum()``              a finite number
``bool(..)``              ``0``, ``1``, ``true`` or ``false``
``oneOf(.., [..])``       one of the listed words (when the list is written out literally)
``nums(..)``              a comma list of finite numbers
``words(..)``             a comma list of words
``keyed(..)``             one key per optimizer hyper-parameter (``momentum=0.9``), a number
``suffixed("_alpha")``    keys ending in the suffix (``leaky_relu_alpha=0.2``), a number
``{ ...valuesProp }``     ``name:number`` pairs, comma separated (the graph's variables)
========================  ===============================================================
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

log = logging.getLogger("app.lessons")
_MODULE = re.compile(r"""\{%-?\s*set\s+module\s*=\s*["']([^"']+)["']""")
_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")
_CALL = re.compile(r"^\{?\s*(?:\.\.\.)?([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KINDS = {
    "str": "str",
    "num": "num",
    "numProp": "num",
    "optNum": "num",
    "bool": "bool",
    "oneOf": "oneOf",
    "nums": "nums",
    "words": "words",
    "keyed": "keyed",
    "suffixed": "suffixed",
    "valuesProp": "pairs",
}


@dataclass(frozen=True)
class Param:
    """One declared property: its kind and, where written literally, its bounds or words."""

    kind: str
    words: tuple[str, ...] | None = None
    lo: float = -math.inf
    hi: float = math.inf
    integer: bool = False
    suffix: str = ""

    def check(self, key: str, raw: str) -> str | None:
        """Why ``raw`` is not a value this property reads, or None when it is."""
        if self.kind in ("num", "keyed", "suffixed"):
            v = _finite(raw)
            if v is None:
                return f"{key}={_quote(raw)} is not a finite number"
            if not (self.lo <= v <= self.hi) or (self.integer and v != int(v)):
                whole = "a whole number" if self.integer else "a number"
                if math.isinf(self.hi):
                    span = f" of at least {self.lo:g}" if math.isfinite(self.lo) else ""
                else:
                    span = f" from {self.lo:g} to {self.hi:g}"
                return f"{key}={_quote(raw)} must be {whole}{span}"
        elif self.kind == "bool" and raw not in ("0", "1", "true", "false"):
            return f"{key}={_quote(raw)} must be 0 or 1"
        elif self.kind == "oneOf" and self.words is not None and raw not in self.words:
            return f"{key}={_quote(raw)} must be one of {', '.join(self.words)}"
        elif self.kind == "nums" and raw != "" and any(_finite(p) is None for p in raw.split(",")):
            return f"{key}={_quote(raw)} must be numbers separated by commas"
        elif self.kind == "words" and self.words is not None:
            bad = [w for w in raw.split(",") if w and w not in self.words]
            if bad:
                return f"{key}: {_quote(bad[0])} is not one of {', '.join(self.words)}"
        elif self.kind == "pairs":
            for part in raw.split(","):
                name, _, value = part.partition(":")
                if not _NAME.match(name) or _finite(value) is None:
                    return f"{key}={_quote(raw)} must be name:number pairs such as x:-2,y:5"
        return None


@dataclass(frozen=True)
class PageState:
    """The parameters one page reads from its URL: declared keys and key patterns."""

    path: str
    params: Mapping[str, Param]
    keyed: frozenset[str] = field(default_factory=frozenset)  # hyper-parameter names
    suffixes: tuple[str, ...] = ()
    open: bool = False  # its declaration could not be read: any parameter goes

    def param(self, key: str) -> Param | None:
        """The property that reads ``key``, or None when the page ignores it."""
        if key in self.params and self.params[key].kind not in ("keyed", "suffixed"):
            return self.params[key]
        if key in self.keyed:
            return Param("keyed")
        for s in self.suffixes:
            if key.endswith(s) and len(key) > len(s):
                return Param("suffixed", suffix=s)
        return None

    def check_query(self, query: str) -> str | None:
        """Why a query string does not fit this page, or None when every parameter does."""
        for key, raw in parse_qsl(query, keep_blank_values=True, strict_parsing=False):
            if self.open:
                return None
            p = self.param(key)
            if p is None:
                known = ", ".join(
                    k for k, v in self.params.items() if v.kind not in ("keyed", "suffixed")
                )
                return f"{self.path} does not read the parameter {_quote(key)} (it reads {known})"
            why = p.check(key, raw)
            if why:
                return why
        return None


def _finite(raw: str) -> float | None:
    try:
        v = float(raw)
    except ValueError:
        return None
    return v if raw.strip() and math.isfinite(v) else None


def _quote(s: str) -> str:
    """A value quoted for a message, at most 40 characters of it."""
    return json.dumps(s if len(s) <= 40 else s[:39] + "…", ensure_ascii=False)


def declaration(source: str) -> str:
    """The text between the braces of ``new UrlState({ ... })`` in a page module's source."""
    start = source.find("new UrlState({")
    if start < 0:
        raise ValueError("the module declares no `new UrlState({...})`")
    return _braces(source, start + len("new UrlState("))


def _braces(source: str, i: int) -> str:
    """The text inside the braces that open at ``source[i]``."""
    depth = 0
    for j in range(i, len(source)):
        c = source[j]
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
            if depth == 0:
                return source[i + 1 : j]
    raise ValueError("a `{` of the state declaration is not closed")


def _top_level_entries(body: str) -> list[str]:
    """The declaration's entries, split on commas outside brackets, comments dropped."""
    body = re.sub(r"//[^\n]*", "", body)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    out, depth, cur = [], 0, []
    for c in body:
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        if c == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    out.append("".join(cur))
    return [e.strip() for e in out if e.strip()]


def _literal_words(text: str) -> tuple[str, ...] | None:
    m = re.search(r"\[([^\[\]]*)\]", text)
    if not m:
        return None
    items = [i.strip() for i in m.group(1).split(",") if i.strip()]
    if not items or not all(re.fullmatch(r"\"[^\"]*\"|'[^']*'", i) for i in items):
        return None
    return tuple(i[1:-1] for i in items)


def parse_state(
    path: str,
    source: str,
    consts: Mapping[str, tuple[str, ...]] = {},
    spread: Callable[[str], str | None] = lambda name: None,
) -> dict[str, Param]:
    """Every declared key of a page module's ``UrlState`` with its :class:`Param`.

    ``consts`` resolves word lists named by a constant (``oneOf("central", METHODS)``) that the
    module defines literally; a list computed at run time (from ``/api/v1/meta``) is not checked.
    ``spread(name)`` gives the body of an object spread into the declaration (``...NAME``).
    """
    return _entries(path, declaration(source), consts, spread)


def _entries(
    path: str,
    body: str,
    consts: Mapping[str, tuple[str, ...]],
    spread: Callable[[str], str | None],
) -> dict[str, Param]:
    params: dict[str, Param] = {}
    for entry in _top_level_entries(body):
        named = re.fullmatch(r"\.\.\.\s*([A-Za-z_][A-Za-z0-9_]*)", entry)
        if named:  # ...EXERCISE_STATE: another object of properties, spread in
            inner = spread(named.group(1))
            if inner is None:
                raise ValueError(
                    f"{path}: cannot find the object {named.group(1)} spread into the state"
                )
            params.update(_entries(path, inner, consts, spread))
            continue
        m = _KEY.match(entry.replace("\n", " "))
        if not m:
            raise ValueError(f"{path}: cannot read the state entry {_quote(entry)}")
        key, rhs = m.group(1), m.group(2).strip()
        call = _CALL.match(rhs)
        kind = _KINDS.get(call.group(1)) if call else None
        if kind is None:
            raise ValueError(f"{path}: unknown property kind in {_quote(entry)}")
        words = None
        lo, hi, integer, suffix = -math.inf, math.inf, False, ""
        if kind in ("oneOf", "words"):  # the allowed words are the second argument
            args = _top_level_entries(rhs[rhs.find("(") + 1 : rhs.rfind(")")])
            allowed = args[1] if len(args) > 1 else ""
            words = _literal_words(allowed) or consts.get(allowed.strip())
        if kind == "num":
            for name in ("min", "max"):
                b = re.search(rf"\b{name}\s*:\s*(-?[0-9.eE+-]+)", rhs)
                if b:
                    v = float(b.group(1))
                    lo, hi = (v, hi) if name == "min" else (lo, v)
            integer = bool(re.search(r"\binteger\s*:\s*true", rhs))
        if kind == "suffixed":
            s = re.search(r"suffixed\(\s*[\"']([^\"']+)[\"']", rhs)
            suffix = s.group(1) if s else ""
        params[key] = Param(kind, words, lo, hi, integer, suffix)
    return params


def _constants(source: str) -> dict[str, tuple[str, ...]]:
    """Literal word lists a module names, e.g. ``const METHODS = ["central", "forward"]``."""
    out = {}
    for m in re.finditer(r"const\s+([A-Z_][A-Z0-9_]*)\s*=\s*([^;]*)", source):
        words = _literal_words(m.group(2))
        if words:
            out[m.group(1)] = words
    return out


def _spread_resolver(module: Path, source: str) -> Callable[[str], str | None]:
    """Finds ``const NAME = {...}`` in the module, or ``export const NAME = {...}`` in the
    module it imports NAME from (``import { NAME } from "./x.js"``)."""

    def find(name: str) -> str | None:
        for text in (source, _imported(module, source, name)):
            m = text and re.search(rf"\bconst\s+{name}\s*=\s*\{{", text)
            if m:
                return _braces(text, m.end() - 1)
        return None

    return find


def _imported(module: Path, source: str, name: str) -> str:
    for m in re.finditer(r"import\s*\{([^}]*)\}\s*from\s*[\"'](\.[^\"']+)[\"']", source):
        if name in re.split(r"[\s,]+", m.group(1)):
            try:
                return (module.parent / m.group(2)).read_text(encoding="utf-8")
            except OSError:
                return ""
    return ""


def load_page_states(
    pages: Iterable[tuple[str, Path]], static_dir: Path, hyper_parameters: Iterable[str]
) -> dict[str, PageState]:
    """The :class:`PageState` of each ``(path, template file)``, read from the module the
    template names (``{% set module = "js/pages/x.js" %}``).

    A declaration this reader cannot follow is logged and its page left open (any parameter
    accepted): the app still starts, and ``tests/lessons/test_pages.py`` fails until the reader
    learns the new form."""
    hyper = frozenset(hyper_parameters)
    out = {}
    for path, template in pages:
        m = _MODULE.search(template.read_text(encoding="utf-8"))
        if not m:
            continue
        module = static_dir / m.group(1)
        try:
            source = module.read_text(encoding="utf-8")
            params = parse_state(path, source, _constants(source), _spread_resolver(module, source))
        except (OSError, ValueError) as e:
            log.error(
                "lessons: the URL state of %s cannot be read (%s); its links go unchecked", path, e
            )
            out[path] = PageState(path, {}, open=True)
            continue
        has_keyed = any(p.kind == "keyed" for p in params.values())
        suffixes = tuple(p.suffix for p in params.values() if p.kind == "suffixed")
        out[path] = PageState(path, params, hyper if has_keyed else frozenset(), suffixes)
    return out


def check_link(link: str, pages: Mapping[str, PageState]) -> str | None:
    """Why ``link`` (a page path with its query string) is not a page state, or None."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not link.startswith("/"):
        return f"the link {_quote(link)} must be a page path such as /derivative?x0=1"
    if parts.fragment:
        return f"the link {_quote(link)} must not carry a #fragment"
    page = pages.get(parts.path)
    if page is None:
        return f"{_quote(parts.path)} is not a page (pages: {', '.join(sorted(pages))})"
    return page.check_query(parts.query)
