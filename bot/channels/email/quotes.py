"""Cut the quoted earlier mail off a reply, so triage reads only what is new.

A business answering our mail usually leaves our whole text below its own, and
triage would otherwise match our answer instead of the new question. This is a
small line-based splitter rather than mail-parser-reply: that library's Danish
signature list contains "Tak", so it can cut "Tak for svaret. Må jeg ..." down to
nothing. Signatures are deliberately left in place; triage strips those.

HTML mail is turned into text here too, because the quote blocks of Gmail,
Outlook and Apple Mail are easiest to recognise in the HTML itself.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(oprindelig meddelelse|original message|oprindelig besked)\s*-{2,}\s*$", re.I
)
# "Den tors. 3. maj 2026 kl. 10.02 skrev Navn <x@y>:" (Gmail, Apple Mail) and "On ... wrote:".
_WROTE = re.compile(
    r"^\s*(den|on|am|le)\b(?=.*\d).{0,300}(\b(skrev|schrieb)\b.{0,200}|\bwrote|a écrit\s?):\s*$", re.I
)
_WROTE_START = re.compile(r"^\s*(den|on)\s+\S", re.I)
_FROM = re.compile(r"^\s*\*?(fra|from|von)\s*:\*?\s*\S", re.I)
_HEADER_FIELD = re.compile(r"^\s*\*?(sendt|sent|dato|date|til|to|emne|subject|cc)\s*:", re.I)
_RULE = re.compile(r"^\s*_{8,}\s*$")
_QUOTED = re.compile(r"^\s*>")
_BLANKS = re.compile(r"\n{3,}")


def strip_quoted(text: str) -> str:
    """Return the newest part of ``text``: above the first reply header, without ``>`` lines.

    Falls back to the whole text (less quote markers) when cutting would leave
    nothing, because an empty inquiry is worse for triage than a noisy one.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _first_quote_header(lines)
    kept = [line for line in lines[:cut] if not _QUOTED.match(line)]
    result = _tidy("\n".join(kept))
    if result:
        return result
    return _tidy("\n".join(re.sub(r"^\s*>+ ?", "", line) for line in lines))


def _first_quote_header(lines: list[str]) -> int:
    """Index of the line where quoted earlier mail begins, or ``len(lines)``."""
    for i, line in enumerate(lines):
        if _SEPARATOR.match(line) or _is_wrote_line(lines, i) or _is_header_block(lines, i):
            return _include_rule_above(lines, i)
    return len(lines)


def _is_wrote_line(lines: list[str], i: int) -> bool:
    """Gmail wraps a long "skrev" header over two or three lines, so join them first."""
    if not _WROTE_START.match(lines[i]):
        return False
    for end in range(1, 4):
        candidate = " ".join(part.strip() for part in lines[i : i + end] if part.strip())
        if _WROTE.match(candidate):
            return True
    return False


def _is_header_block(lines: list[str], i: int) -> bool:
    """An Outlook "Fra:/Sendt:/Til:/Emne:" block: a From line followed by two header fields."""
    if not _FROM.match(lines[i]):
        return False
    following = [line for line in lines[i + 1 : i + 6] if line.strip()][:4]
    return sum(1 for line in following if _HEADER_FIELD.match(line)) >= 2


def _include_rule_above(lines: list[str], i: int) -> int:
    """Outlook draws a line of underscores above its header block; cut that too."""
    j = i
    while j > 0 and (not lines[j - 1].strip() or _RULE.match(lines[j - 1])):
        j -= 1
    return j if any(_RULE.match(line) for line in lines[j:i]) else i


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


_DROP = "script, style, head, title, noscript, template"
_QUOTE_BLOCKS = "blockquote, .gmail_quote, .moz-cite-prefix, .yahoo_quoted"
_OUTLOOK_HEADERS = "#divRplyFwdMsg, #appendonsend"
_BLOCK = frozenset(
    "address article aside center dd div dl dt fieldset figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr main nav ol p pre section table tbody thead tfoot tr ul blockquote".split()
)
_PARAGRAPH = frozenset("p h1 h2 h3 h4 h5 h6 table ul ol blockquote pre".split())
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_MAX_DEPTH = 120


def html_to_text(html: str, *, drop_quotes: bool = True) -> str:
    """Readable text of an HTML body: block-aware newlines, links as "text (url)".

    With ``drop_quotes`` the quoted earlier mail is removed (for triage); without
    it everything readable is kept (for the people who read the whole message).
    """
    tree = LexborHTMLParser(html)
    for node in tree.css(_DROP):
        node.decompose()
    if drop_quotes:
        _drop_quote_blocks(tree)
    out: list[str] = []
    _render(tree.body or tree.root, out, depth=0, pre=False)
    return _tidy_html("".join(out))


def _drop_quote_blocks(tree: LexborHTMLParser) -> None:
    """Outlook puts the quoted mail after its header div as siblings, so drop those too."""
    for node in tree.css(_QUOTE_BLOCKS):
        node.decompose()
    header = tree.css_first(_OUTLOOK_HEADERS)
    while header is not None:
        following = header.next
        header.decompose()
        header = following


def _render(node: LexborNode, out: list[str], *, depth: int, pre: bool) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag or ""
        if tag == "-text":
            text = child.text(deep=False) or ""
            out.append(text if pre else _SPACES.sub(" ", text))
        elif tag == "br":
            out.append("\n")
        elif not tag.startswith("-"):
            _render_element(child, tag, out, depth=depth, pre=pre)


def _render_element(node: LexborNode, tag: str, out: list[str], *, depth: int, pre: bool) -> None:
    if depth >= _MAX_DEPTH:  # absurdly nested HTML: flatten rather than recurse further
        out.append(" " + _SPACES.sub(" ", node.text(separator=" ")) + " ")
        return
    if tag == "li":
        _line_break(out, 1)
        out.append("- ")
    elif tag in _BLOCK:
        _line_break(out, 1)
    elif tag in ("td", "th"):
        out.append(" ")
    _render(node, out, depth=depth + 1, pre=pre or tag == "pre")
    if tag == "a":
        out.append(_link_suffix(node))
    if tag in _PARAGRAPH:
        _line_break(out, 2)
    elif tag in _BLOCK or tag == "li":
        _line_break(out, 1)


def _line_break(out: list[str], count: int) -> None:
    """End the current line (count=1) or paragraph (count=2) unless that is already done."""
    tail = "".join(out[-6:]).rstrip(" ")
    if not tail:
        return
    have = len(tail) - len(tail.rstrip("\n"))
    if have < count:
        out.append("\n" * (count - have))


def _link_suffix(node: LexborNode) -> str:
    href = (node.attributes.get("href") or "").strip()
    label = node.text().strip()
    if not href or href.startswith(("#", "cid:", "javascript:")):
        return ""
    if _bare_link(href) in (_bare_link(label), ""):
        return ""
    return f" ({href})"


def _bare_link(link: str) -> str:
    """"eksempel.dk" and "https://eksempel.dk/" name the same place: don't repeat it."""
    return re.sub(r"^(https?://|mailto:)", "", link.strip().lower()).removeprefix("www.").rstrip("/")


def _tidy_html(text: str) -> str:
    lines = [" ".join(line.replace("\xa0", " ").split()) for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
