"""Side-by-side view of the passages two reports share (escaped HTML).

Uses `fazhi.render.compare.copy_pair_html` (a fragment, escaped by its own template) when present, else a plain view:
each shared passage in two columns with some context, the shared words marked.
"""
from __future__ import annotations

CONTEXT = 80


def _side(text: str, start: int, end: int) -> str:
    from markupsafe import escape

    a, b = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
    pre = ("…" if a > 0 else "") + text[a:start]
    post = text[end:b] + ("…" if b < len(text) else "")
    return (f'<span class="ctx">{escape(pre)}</span><mark class="shared" data-start="{start}" data-end="{end}">'
            f'{escape(text[start:end])}</mark><span class="ctx">{escape(post)}</span>')


def _own_pair(this: dict, other: dict, c: dict) -> str:
    o = c["other"]
    return (f'<div class="pair" data-start="{c["start"]}" data-end="{c["end"]}">'
            f'<div class="side">{_side(this["text"], c["start"], c["end"])}</div>'
            f'<div class="side">{_side(other["text"], o["start"], o["end"])}</div></div>')


def pairs_html(corpus, report_id: int, other_id: int, this: dict, other: dict, pairs: list[dict]):
    """Every shared passage of report `report_id` with `other_id` (contract dicts), as safe HTML."""
    from markupsafe import Markup

    if not pairs:
        return Markup("")
    try:
        from fazhi.render.compare import copy_pair_html
    except ImportError:
        copy_pair_html = None
    if copy_pair_html is not None:
        return Markup(copy_pair_html(corpus, report_id, other_id, pairs, standalone=False))
    return Markup("\n".join(_own_pair(this, other, c) for c in pairs))
