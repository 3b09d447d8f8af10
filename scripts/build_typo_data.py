#!/usr/bin/env python3
"""Build the data of the non-word typo check (rule `typo`, review/checks/typos.py).

Writes four files into src/fazhi/data/:

- homophones.tsv: the characters of GB 2312 grouped by their toneless pinyin readings
  (`zhi<TAB>之只知…`, each character under its main reading), from pypinyin's character table (pypinyin ships its data; it is
  needed only here, not at run time).
- words2.tsv: the two-character words of a general Chinese dictionary, jieba's dict.txt
  (MIT; Debian package python3-jieba), those with a frequency of at least MIN_FREQ, one
  line per first character (`执<TAB>法行政…`). The non-word check takes a pair as a word
  when it is here or in domain_words.tsv.
- domain_words.tsv: the two-character words of official reports with their counts: the
  words of the texts (traditional folded to simplified) of the bundled
  samples, the rule documents (../shared/research/rules.md, anchors.md), the rule data
  files (src/fazhi/data/*.yaml) and the real reports of ../shared/realworld (kind
  "report"), segmented with jieba (its dictionary, no guessing of unknown words), kept when
  it is a word of jieba's dictionary and occurs at least MIN_COUNT times (two to four
  characters). Terms of official writing that the dictionary lacks (党代会, 深学细悟) are
  listed by hand under `words:` in typos.yaml.
  Words only, with counts; no text. The frequent ones are what the check suggests.

- words_long.tsv: jieba's three- and four-character words that hold a pair the check would
  question when read alone (身兼数职 holds 数职); in context they shield the pair.

    .venv/bin/pip install pypinyin; apt-get install python3-jieba
    .venv/bin/python scripts/build_typo_data.py [--shared ../shared] [--jieba /usr/lib/python3/dist-packages/jieba/dict.txt]
"""
from __future__ import annotations

import argparse
import collections
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "fazhi" / "data"
MIN_COUNT = 2
MIN_FREQ = 5
_RUN = re.compile(r"[\u4e00-\u9fff]+")


def corpus_texts(shared: Path) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "src/fazhi/samples").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.yaml"))]
    for name in ("rules.md", "anchors.md"):
        p = shared / "research" / name
        if p.exists():
            texts.append(p.read_text(encoding="utf-8"))
    gold = shared / "realworld" / "gold.jsonl"
    if gold.exists():
        for line in gold.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["kind"] == "report":
                texts.append((shared / "realworld" / "files" / f"{row['id']}.txt").read_text(encoding="utf-8"))
    return texts


def word_counts(texts: list[str], dict_path: Path) -> collections.Counter[str]:
    """Two-character words of the texts as jieba segments them (its own dictionary)."""
    import sys

    import opencc

    sys.path.append(str(dict_path.parent.parent))  # the Debian package's dist-packages
    import jieba

    jieba.setLogLevel(60)
    t2s = opencc.OpenCC("t2s").convert
    counts: collections.Counter[str] = collections.Counter()
    for t in texts:
        for run in _RUN.findall(t2s(t)):
            counts.update(w for w in jieba.cut(run, HMM=False) if 2 <= len(w) <= 4)
    return counts


def homophone_groups() -> dict[str, str]:
    from pypinyin.pinyin_dict import pinyin_dict
    import unicodedata

    groups: dict[str, list[str]] = collections.defaultdict(list)
    for cp, readings in sorted(pinyin_dict.items()):
        ch = chr(cp)
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if not "\u4e00" <= ch <= "\u9fff":
            continue
        seen: set[str] = set()
        for r in readings.split(",")[:1]:  # the main reading: rare ones make false homophones
            bare = "".join(c for c in unicodedata.normalize("NFD", r) if not unicodedata.combining(c))
            bare = bare.replace("ü", "v")
            if bare and bare not in seen:
                seen.add(bare)
                groups[bare].append(ch)
    return {k: "".join(v) for k, v in sorted(groups.items())}


def dictionary_words(path: Path, sizes: tuple[int, ...] = (2,)) -> dict[str, int]:
    """Chinese words of jieba's dict.txt (`word freq tag` lines) of the given lengths, with their frequency."""
    out: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) in sizes and _RUN.fullmatch(parts[0]):
            out[parts[0]] = int(parts[1])
    return out


def shield_words(path: Path) -> list[str]:
    """jieba's three- and four-character words in which the non-word check, reading the word
    alone, would question a pair (身兼数职 holds 数职): they shield that pair in context."""
    from fazhi.review.checks import typos

    typos._words.cache_clear()
    words = typos._words()
    out = []
    for w, n in dictionary_words(path, (3, 4)).items():
        if any(typos.nonword_candidate(w, i, words) for i in range(len(w) - 1)):
            out.append(w)
    return sorted(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--jieba", type=Path, default=Path("/usr/lib/python3/dist-packages/jieba/dict.txt"))
    args = ap.parse_args()
    general = dictionary_words(args.jieba)
    by_first: dict[str, str] = collections.defaultdict(str)
    for w, n in sorted(general.items()):
        if n >= MIN_FREQ:
            by_first[w[0]] += w[1]
    with (DATA / "words2.tsv").open("w", encoding="utf-8") as f:
        f.write(f"# two-character words of jieba's dict.txt (MIT, github.com/fxsjy/jieba) with frequency >= {MIN_FREQ}, "
                "by first character; built by scripts/build_typo_data.py\n")
        for first, seconds in by_first.items():
            f.write(f"{first}\t{seconds}\n")
    groups = homophone_groups()
    with (DATA / "homophones.tsv").open("w", encoding="utf-8") as f:
        f.write("# toneless pinyin -> GB 2312 characters with that reading; built by scripts/build_typo_data.py "
                "from pypinyin's character table (MIT)\n")
        for py, chars in groups.items():
            f.write(f"{py}\t{chars}\n")
    texts = corpus_texts(args.shared)
    counts = word_counts(texts, args.jieba)
    kept = [(w, n) for w, n in counts.items() if n >= MIN_COUNT]  # jieba's own words (HMM off)
    kept.sort(key=lambda x: (-x[1], x[0]))
    with (DATA / "domain_words.tsv").open("w", encoding="utf-8") as f:
        f.write("# two-character words of official reports and their counts; built by scripts/build_typo_data.py "
                "from the samples, the rule documents and data, and the real reports (words only)\n")
        for w, n in kept:
            f.write(f"{w}\t{n}\n")
    shields = shield_words(args.jieba)
    with (DATA / "words_long.tsv").open("w", encoding="utf-8") as f:
        f.write("# three- and four-character words of jieba's dict.txt (MIT) that hold a pair "
                "the non-word typo check would question; built by scripts/build_typo_data.py\n")
        f.write("\n".join(shields) + "\n")
    print(f"homophones.tsv: {len(groups)} readings; words2.tsv: {sum(map(len, by_first.values()))} words; "
          f"domain_words.tsv: {len(kept)} words; words_long.tsv: {len(shields)} words")


if __name__ == "__main__":
    main()
