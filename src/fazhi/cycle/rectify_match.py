"""Where an issue's words went in a later version of the report (pure functions, no database).

An issue of the 问题池 names words (`quote`) at [start, end) of the report it was raised on. In a
resubmitted version (or next year's report) we look for what stands there now:

1. context: the few characters just before and after the words in the old text (anchors), found
   in the new text around the same relative position; what lies between them is what the new
   version has there (the words themselves, other words, or nothing);
2. the words themselves, exactly (the occurrence nearest the same relative position);
3. fuzzy: the old sentence aligned (rapidfuzz) inside a bounded window of the new text.

Every step is linear in the text (str.find, a capped number of occurrences) or bounded (the fuzzy
window), so locating a few issues on a page view costs little; results are cached per
(issue, version) because reports never change once stored.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

ANCHOR = 12  # characters of context on each side
MAX_OCCURRENCES = 200  # occurrences of an anchor or quote looked at
WINDOW = 3000  # characters either side of the expected position for the fuzzy match
MAX_SENTENCE = 240  # the old sentence cut to this many characters for the fuzzy match
FUZZY_MIN = 60.0  # rapidfuzz score below which the words count as gone
SENTENCE_END = "。！？；\n"

SUGGESTION_LABELS = {"unchanged": "未修改", "changed": "可能已整改（文字已改动）",
                     "gone": "可能已整改（原文字已删除）"}


@dataclass(frozen=True)
class Located:
    """What the new version has where the issue's words were."""

    start: int | None  # span in the new text (None: not found)
    end: int | None
    text: str  # the new text there ("" when nothing stands there)
    how: str  # context | exact | fuzzy | none | same (the version it was raised on)
    suggestion: str | None  # unchanged | changed | gone; None: nothing to compare (no quote)

    @property
    def suggestion_label(self) -> str:
        return SUGGESTION_LABELS.get(self.suggestion or "", "")

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "how": self.how,
                "suggestion": self.suggestion, "suggestion_label": self.suggestion_label}


def occurrences(text: str, needle: str, limit: int = MAX_OCCURRENCES) -> list[int]:
    """Start offsets of `needle` in `text` (at most `limit`)."""
    out: list[int] = []
    if not needle:
        return out
    i = text.find(needle)
    while i >= 0 and len(out) < limit:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def nearest(positions: list[int], hint: int) -> int | None:
    return min(positions, key=lambda p: abs(p - hint)) if positions else None


def expected_position(old_len: int, start: int | None, new_len: int) -> int:
    """Where the words would stand in the new text if everything moved in proportion."""
    if not old_len or start is None:
        return 0
    return min(new_len, round(start / old_len * new_len))


def anchors(old_text: str, start: int, end: int, size: int = ANCHOR) -> tuple[str, str]:
    """The context just before and just after [start, end) in the old text (kept within its line)."""
    before = old_text[max(0, start - size):start]
    after = old_text[end:end + size]
    if "\n" in before:
        before = before[before.rindex("\n") + 1:]
    if "\n" in after:
        after = after[:after.index("\n")]
    return before, after


def sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding [start, end) (cut to MAX_SENTENCE characters around it)."""
    a = max((text.rfind(c, 0, start) for c in SENTENCE_END), default=-1) + 1
    found = [i for i in (text.find(c, end) for c in SENTENCE_END) if i >= 0]
    b = min(found) + 1 if found else len(text)
    if b - a > MAX_SENTENCE:
        pad = max(0, (MAX_SENTENCE - (end - start)) // 2)
        a, b = max(a, start - pad), min(b, end + pad)
    return a, b


def verdict(quote: str, now: str) -> str:
    if now == quote:
        return "unchanged"
    return "gone" if not now.strip() else "changed"


def by_context(new_text: str, before: str, after: str, quote: str, hint: int) -> Located | None:
    """Between the two anchors, found in order near `hint` (a bounded gap apart)."""
    gap = max(200, 3 * len(quote))
    if before:
        for p in sorted(occurrences(new_text, before), key=lambda p: abs(p - hint))[:20]:
            s = p + len(before)
            if not after:
                e = min(len(new_text), s + len(quote))
                return Located(s, e, new_text[s:e], "context", verdict(quote, new_text[s:e]))
            e = new_text.find(after, s, s + gap + len(after))
            if e >= 0:
                return Located(s, e, new_text[s:e], "context", verdict(quote, new_text[s:e]))
    if after and not before:  # the words open their line: the line's start is the other anchor
        for p in sorted(occurrences(new_text, after), key=lambda p: abs(p - hint))[:20]:
            s = new_text.rfind("\n", max(0, p - gap), p) + 1 if p - gap > 0 else \
                new_text.rfind("\n", 0, p) + 1
            return Located(s, p, new_text[s:p], "context", verdict(quote, new_text[s:p]))
    return None


def by_fuzzy(new_text: str, sentence: str, hint: int) -> Located | None:
    """The old sentence aligned inside new_text[hint - WINDOW, hint + WINDOW]."""
    from rapidfuzz import fuzz

    if not sentence.strip():
        return None
    lo, hi = max(0, hint - WINDOW), min(len(new_text), hint + WINDOW)
    window = new_text[lo:hi]
    if not window:
        return None
    found = fuzz.partial_ratio_alignment(sentence, window)
    if found is None or found.score < FUZZY_MIN:
        return None
    s, e = lo + found.dest_start, lo + found.dest_end
    return Located(s, e, new_text[s:e], "fuzzy", "changed")


def locate(old_text: str | None, start: int | None, end: int | None, quote: str | None,
           new_text: str) -> Located:
    """What `new_text` has where `quote` stood at [start, end) of `old_text`."""
    if not quote:
        return Located(None, None, "", "none", None)
    spanned = old_text is not None and start is not None and end is not None and old_text[start:end] == quote
    hint = expected_position(len(old_text or ""), start if spanned else None, len(new_text))
    before, after = anchors(old_text, start, end) if spanned else ("", "")
    if before or after:
        found = by_context(new_text, before, after, quote, hint)
        if found is not None:
            return found
    p = nearest(occurrences(new_text, quote), hint)
    if p is not None:
        return Located(p, p + len(quote), quote, "exact", "unchanged")
    if spanned:
        a, b = sentence_of(old_text, start, end)
        sentence = old_text[a:b]
    else:
        sentence = quote
    found = by_fuzzy(new_text, sentence, hint)
    return found if found is not None else Located(None, None, "", "none", "gone")


class LocateCache:
    """A bounded in-process cache of `locate` results (stored reports never change)."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._data: OrderedDict[tuple, Located] = OrderedDict()

    def get(self, key: tuple) -> Located | None:
        found = self._data.get(key)
        if found is not None:
            self._data.move_to_end(key)
        return found

    def put(self, key: tuple, value: Located) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)


CACHE = LocateCache()
