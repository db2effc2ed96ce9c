"""French typography at render time: no punctuation mark ever starts a line.

One filter, `typeset(text, lang)`, for every text a French page shows that the team wrote
(schema texts, interface strings), never for what a respondent typed. For `fr` it puts a
narrow no-break space (U+202F) before ? ! ; and inside « », a no-break space (U+00A0) before
: and % and between groups of thousands, a no-break hyphen in "e-mail", no-break spaces
inside long dates ("2 décembre 2026") and typographic apostrophes between letters. Other
languages are returned unchanged. `typeset_html` does the same to the text of an HTML string
and leaves tags and entities alone. Pure Python: usable by the engine's callers, the CLI and
any blueprint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from markupsafe import Markup

NNBSP = "\u202f"
NBSP = "\u00a0"
NBHYPHEN = "\u2011"
#: Spaces an author may have typed before or after a mark (any of them becomes the right one).
_SP = "[ \u00a0\u202f\t]"
_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # « text » : a narrow no-break space inside the guillemets, typed or not.
    (re.compile(f"«{_SP}*"), "«" + NNBSP),
    (re.compile(f"{_SP}*»"), NNBSP + "»"),
    # ? ! ; after a space typed by the author: that space becomes a narrow no-break one.
    (re.compile(f"{_SP}+([?!;])"), NNBSP + r"\1"),
    # ? ! ; glued to a word and followed by a space or the end ("Pourquoi?"): insert one.
    # Not inside "page?x=1" (no space after) nor between "?!" (a mark before).
    (re.compile(r"(?<=[\w»)\]’”…])([?!;])(?=[\s»)\]’”?!…]|$)"), NNBSP + r"\1"),
    # : after a space, or glued to a word and followed by a space ("Remarque: "); never in
    # "10:30" or "https://".
    (re.compile(f"{_SP}+:"), NBSP + ":"),
    (re.compile(r"(?<=[^\W\d_]):(?=\s|$)"), NBSP + ":"),
    # 42 % : a no-break space between the number and the sign (never before "%(name)s").
    (re.compile(rf"(?<=\d){_SP}?%(?![(a-zA-Z])"), NBSP + "%"),
    # e-mail never splits after its hyphen.
    (re.compile(r"\b([eE])-(mails?)\b"), r"\1" + NBHYPHEN + r"\2"),
    # l'enquête -> l’enquête (between two letters only: never a quote of code or markup).
    (re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])"), "’"),
    # Long dates stay on one line: "2 décembre 2026", "1er mai".
    (
        re.compile(rf"\b(\d{{1,2}}|1er){_SP}+({_MONTHS})(?:{_SP}+(\d{{4}}))?\b", re.IGNORECASE),
        lambda m: NBSP.join(g for g in m.groups() if g),
    ),
)
#: 12 345 678: the spaces between digit groups (typed by the author) become no-break.
_THOUSANDS = re.compile(rf"(?<![\d,.])\d{{1,3}}(?:{_SP}\d{{3}})+(?![\d])")
#: Tags and character references are never touched by `typeset_html`.
_MARKUP = re.compile(r"(<[^>]*>|&#?[A-Za-z0-9]+;)")


def typeset(text: str, lang: str) -> str:
    """`text` set for `lang`: French rules for `fr`, anything else unchanged."""
    if lang != "fr" or not text:
        return text
    return _typeset_fr(text)


@lru_cache(maxsize=4096, typed=True)
def _typeset_fr(text: str) -> str:
    """The French rules applied to `text`: a pure function of the text, memoised, as a page
    sets the same schema texts at every rendering (typed: a `Markup` is its own entry)."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return _THOUSANDS.sub(lambda m: re.sub(_SP, NBSP, m.group(0)), text)


def typeset_html(html: str, lang: str) -> str:
    """Like `typeset` for a string holding HTML: only the text between tags is changed.

    A `Markup` stays `Markup` (safe HTML in, safe HTML out); a plain string stays plain.
    """
    if lang != "fr" or not html:
        return html
    if "<" not in html and "&" not in html:
        result = typeset(str(html), lang)
    else:
        parts = _MARKUP.split(str(html))
        result = "".join(p if i % 2 else typeset(p, lang) for i, p in enumerate(parts))
    # Safe in, safe out: only text between tags changed, and no rule writes "<" or "&".
    return Markup(result) if isinstance(html, Markup) else result  # noqa: S704 # nosec B704
