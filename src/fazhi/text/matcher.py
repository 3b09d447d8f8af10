"""Word lists found the way a longest-first regex alternation finds them, with an Aho-Corasick
automaton (pyahocorasick) instead of `re`.

`re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))` scans left to right
and, at each position, takes the first alternative that matches there: the longest word starting
at that position; then it goes on after the match. Python's `re` tries the alternatives one by
one at every position; the automaton reads the text once and reports every occurrence, from which
the same leftmost-longest, non-overlapping matches are picked. Several stages scan the same word
lists (the 纲要 area keywords per paragraph, per heading and over the whole body): build one
`WordMatcher` per list and share it.
"""
from __future__ import annotations

from collections.abc import Iterable


class WordMatcher:
    """Leftmost-longest, non-overlapping occurrences of a fixed set of non-empty words."""

    def __init__(self, words: Iterable[str]):
        import ahocorasick

        self._auto = ahocorasick.Automaton()
        self.words = frozenset(words)
        if "" in self.words:
            raise ValueError("WordMatcher: an empty word would match everywhere")
        for w in self.words:
            self._auto.add_word(w, len(w))
        if self.words:
            self._auto.make_automaton()

    def spans(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """(start, end) of the matches in text[start:end], in text order — what
        `pattern.finditer(text, start, end)` gives for the longest-first alternation of the words."""
        end = len(text) if end is None else min(end, len(text))
        if not self.words or start >= end:
            return []
        longest: dict[int, int] = {}  # start -> longest word starting there
        for last, n in self._auto.iter(text, start, end):
            a = last - n + 1
            if n > longest.get(a, 0):
                longest[a] = n
        out: list[tuple[int, int]] = []
        pos = start
        for a in sorted(longest):
            if a >= pos:
                pos = a + longest[a]
                out.append((a, pos))
        return out

    def words_in(self, text: str, start: int = 0, end: int | None = None) -> list[str]:
        """The matched words, in text order."""
        return [text[a:b] for a, b in self.spans(text, start, end)]

    def remove(self, text: str) -> str:
        """text with every match deleted (`pattern.sub("", text)`)."""
        pieces, pos = [], 0
        for a, b in self.spans(text):
            pieces.append(text[pos:a])
            pos = b
        pieces.append(text[pos:])
        return "".join(pieces)
