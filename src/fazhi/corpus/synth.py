"""A synthetic corpus of annual reports with planted copies of known similarity (for benchmarks and tests).

    manifest = generate(2000, Path("/tmp/synth"), seed=1)
    python -m fazhi.corpus.synth 2000 /tmp/synth [--seed 1]

Each report is built from the five sample reports: their headings, and body paragraphs
recombined clause by clause (2-4 clauses from the pool of all sample clauses make a sentence,
2-4 sentences a paragraph), so that unrelated synthetic reports do not share whole paragraphs
by accident. Units are real divisions (county governments and county departments such as
"X县司法局", named with their province and city); each unit writes one report per year.
Digits, punctuation width and spaces vary per report (the fingerprints must not care).

Planted pairs (listed in `manifest.json` with both files, spans and true similarity):
- "recycling": a paragraph of the same unit's previous-year report, edited;
- "copying": a paragraph of another unit's earlier-generated report, edited;
- a few stock sentences ("template") stand in many reports of many units.
Edits are word-sized replacements, insertions and deletions applied until the similarity
drops to a drawn target; the similarity recorded is measured on the final files with the
engine's own `copies.verify` on normalised text (None below 0.8: then `ratio` is the plain
`fuzz.ratio` / 100).
"""
from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from fazhi.corpus.copies import MIN_SIMILARITY, verify
from fazhi.corpus.fingerprint import normalize

_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")
_CLAUSE_END = re.compile(r"(?<=[，,；;。：:！？])")
_CN_ORD = "一二三四五六七八九十"
_DEPARTMENTS = ("司法局", "公安局", "市场监督管理局", "生态环境局", "自然资源局", "交通运输局",
                "住房和城乡建设局", "卫生健康局", "教育局", "农业农村局", "应急管理局", "人力资源和社会保障局")
PLACE = "\x01"
_TOWN_WORDS = re.compile(r"([我全本该各乡])[镇区县]")
_ASCII_PUNCT = {"，": ",", "；": ";", "：": ":", "（": "(", "）": ")", "！": "!", "？": "?"}


@dataclass
class Pool:
    """Material cut from the sample reports."""

    headings1: list[str]
    headings2: list[str]
    clauses: list[str]
    stock: list[str]  # whole sentences used as template text
    bigrams: list[str]  # two-character Chinese words of the samples


@dataclass
class Unit:
    name: str  # full name, e.g. 四川省遂宁市蓬溪县
    short: str  # 蓬溪县
    issuer: str  # 四川省遂宁市蓬溪县人民政府 / 四川省遂宁市蓬溪县司法局


@dataclass
class Manifest:
    seed: int
    reports: list[dict] = field(default_factory=list)  # file, unit, issuer, year
    pairs: list[dict] = field(default_factory=list)  # kind, dst, dst_span, src, src_span, similarity, ratio

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(d["seed"], d["reports"], d["pairs"])


# ---------------------------------------------------------------- material
@cache
def pool() -> Pool:
    h1, h2, clauses, sentences = [], [], [], []
    for p in sorted(resources.files("fazhi").joinpath("samples").iterdir(), key=lambda p: p.name):
        if not p.name.endswith(".txt"):
            continue
        for line in p.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            m = _HEADING.match(line)
            if m and len(line) <= 40:
                (h1 if line[0] in _CN_ORD else h2).append(line[m.end():].rstrip("。."))
            elif len(line) >= 60:
                clauses.extend(c.strip() for c in _CLAUSE_END.split(line) if 6 <= len(c.strip()) <= 40)
                sentences.extend(s + "。" for s in re.split("[。；]", line) if 25 <= len(s) <= 50)
    clauses = [_placeholder(c.rstrip("，,；;。：:！？")) for c in dict.fromkeys(clauses)]
    stock = list(dict.fromkeys(sentences))[::7][:6]
    bigrams = sorted({c[i:i + 2] for c in clauses for i in range(len(c) - 1)
                      if all("\u4e00" <= ch <= "\u9fff" for ch in c[i:i + 2])})
    return Pool(sorted(set(h1)), sorted(set(h2)), clauses, stock, bigrams)


def _placeholder(s: str) -> str:
    """Division names of the samples replaced by PLACE (filled with the synthetic unit's name)."""
    from fazhi.extract.places import find_division_names

    for a, b, _name, _kind in reversed(find_division_names(s)):
        s = s[:a] + PLACE + s[b:]
    return s


@cache
def _counties() -> list[tuple[str, str]]:
    """(full name, short name) of county-level divisions, with province and city."""
    from fazhi.extract.places import _parent, _units

    units = _units()
    out = []
    for code, name in sorted(units.items()):
        if len(code) != 6 or not name.endswith(("县", "区", "市", "旗")):
            continue
        chain, c = [], code
        while c:
            chain.append(units[c])
            c = _parent(c, units)
        full = "".join(dict.fromkeys(reversed(chain)))
        out.append((full, name))
    return out


def make_units(n: int, rng: random.Random, dept_share: float = 0.3) -> list[Unit]:
    counties = _counties()
    if n > len(counties) * (len(_DEPARTMENTS) + 1):
        raise ValueError(f"at most {len(counties) * (len(_DEPARTMENTS) + 1)} synthetic units (issuers)")
    picks = rng.sample(counties, min(n, len(counties)))
    while len(picks) < n:
        picks.append(rng.choice(counties))
    out, seen = [], set()
    for full, short in picks:
        while (full, "") in seen and all(full + d in seen for d in _DEPARTMENTS):  # every issuer taken
            full, short = rng.choice(counties)
        dept = rng.random() < dept_share or (full, "") in seen
        issuer = full + (rng.choice(_DEPARTMENTS) if dept else "人民政府")
        while issuer in seen:
            issuer = full + rng.choice(_DEPARTMENTS)
        seen.add(issuer)
        seen.add((full, "") if not dept else issuer)
        out.append(Unit(full, short, issuer))
    return out


# ---------------------------------------------------------------- text
def _paragraph(rng: random.Random, p: Pool, unit: Unit) -> str:
    sents = []
    for _ in range(rng.randint(2, 4)):
        cl = [_scramble(rng, c, p.bigrams) for c in rng.sample(p.clauses, rng.randint(2, 4))]
        sents.append("，".join(cl) + "。")
    text = "".join(sents).replace(PLACE, unit.short)
    return _TOWN_WORDS.sub(lambda m: m[1] + unit.short[-1], text)  # a county writes 我县, not 我镇


def _scramble(rng: random.Random, clause: str, bigrams: list[str], share: float = 0.4) -> str:
    """The clause with about `share` of its characters replaced, two at a time, by bigrams of the
    samples: two uses of one pool clause are then far below 0.8 similar to each other."""
    out = []
    for i in range(0, len(clause), 2):
        two = clause[i:i + 2]
        out.append(rng.choice(bigrams)[:len(two)] if rng.random() < share and PLACE not in two else two)
    return "".join(out)


def _edit(rng: random.Random, text: str, p: Pool, target: float) -> str:
    """Word-sized edits until the normalised similarity to the original is <= target."""
    orig = normalize(text)[0]
    out = text
    for _ in range(400):
        if _ratio(orig, normalize(out)[0]) <= target:
            break
        i = rng.randrange(len(out))
        k = rng.randint(2, 4)
        word = rng.choice(p.clauses)
        j = rng.randrange(max(1, len(word) - k))
        op = rng.random()
        if op < 0.5:
            out = out[:i] + word[j:j + k] + out[i + k:]
        elif op < 0.75:
            out = out[:i] + word[j:j + k] + out[i:]
        else:
            out = out[:i] + out[i + k:]
    return out


def _ratio(a: str, b: str) -> float:
    from rapidfuzz.fuzz import ratio

    return ratio(a, b) / 100


def _vary(rng: random.Random, text: str) -> str:
    """Per-report surface noise the fingerprints ignore: digits, punctuation width, spaces."""
    text = re.sub(r"(?<!\d)(?:\d{1,3}|\d{5,})(?!\d)", lambda m: "".join(str(rng.randrange(10)) for _ in m[0]), text)
    if rng.random() < 0.5:
        text = "".join(_ASCII_PUNCT.get(ch, ch) for ch in text)
    if rng.random() < 0.3:
        text = re.sub(r"(?<=[，,])", " ", text)
    return text


@dataclass
class _Draft:
    unit: int
    year: int
    paras: list[str]  # body paragraphs (headings are lines starting with "\x00")
    planted: list[tuple[int, str, int, int]] = field(default_factory=list)  # (para idx, kind, src report, src para)


def _draft(rng: random.Random, p: Pool, units: list[Unit], u: int, year: int) -> _Draft:
    lines = []
    for a, h in enumerate(rng.sample(p.headings1, min(len(p.headings1), rng.randint(3, 5)))):
        lines.append(f"\x00{_CN_ORD[a]}、{h}")
        subs = rng.sample(p.headings2, rng.randint(0, 3))
        for b, s in enumerate(subs or [None]):
            if s:
                lines.append(f"\x00（{_CN_ORD[b]}）{s}")
            lines.extend(_paragraph(rng, p, units[u]) for _ in range(rng.randint(1, 3)))
    for s in p.stock:
        if rng.random() < 0.15:
            lines.insert(rng.randrange(1, len(lines) + 1), s)
    return _Draft(u, year, lines)


def _plant(rng: random.Random, p: Pool, d: _Draft, src: _Draft, src_id: int, kind: str, rate: float) -> None:
    body = [i for i, t in enumerate(d.paras) if not t.startswith("\x00") and t not in p.stock]
    others = [i for i, t in enumerate(src.paras) if not t.startswith("\x00") and t not in p.stock]
    if not body or not others:
        return
    for i in body:
        if rng.random() < rate:
            j = rng.choice(others)
            d.paras[i] = _edit(rng, src.paras[j], p, rng.uniform(0.6, 1.0))
            d.planted.append((i, kind, src_id, j))


def _render(rng: random.Random, d: _Draft, unit: Unit) -> tuple[str, list[tuple[int, int]]]:
    """The report text and the span of each entry of d.paras."""
    head = [rng.choice([f"{unit.issuer}关于{d.year}年度法治政府建设工作情况的报告",
                        f"{unit.issuer}{d.year}年法治政府建设情况报告"]), ""]
    text = "\n".join(head)
    spans = []
    for t in d.paras:
        t = _vary(rng, t.lstrip("\x00"))
        text += "\n"
        spans.append((len(text), len(text) + len(t)))
        text += t
    text += f"\n\n{unit.issuer}\n{d.year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日\n"
    return text, spans


def generate(n: int, out_dir: Path, *, seed: int = 0, years: tuple[int, ...] = (2021, 2022, 2023, 2024),
             copy_rate: float = 0.04, recycle_rate: float = 0.15) -> Manifest:
    """Write n reports (.txt) and manifest.json into out_dir; return the manifest."""
    rng = random.Random(seed)
    p = pool()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_units = max(1, -(-n // len(years)))
    units = make_units(n_units, rng)
    order = [(y, u) for y in years for u in range(n_units)][:n]
    drafts: list[_Draft] = []
    last: dict[int, int] = {}
    for y, u in order:
        d = _draft(rng, p, units, u, y)
        if u in last:
            _plant(rng, p, d, drafts[last[u]], last[u], "recycling", recycle_rate)
        if drafts and rng.random() < 0.5:
            k = rng.randrange(len(drafts))
            if drafts[k].unit != u:
                _plant(rng, p, d, drafts[k], k, "copying", copy_rate * 2)
        last[u] = len(drafts)
        drafts.append(d)
    manifest = Manifest(seed)
    spans, texts = [], []
    width = len(str(n))
    for k, d in enumerate(drafts):
        unit = units[d.unit]
        text, sp = _render(rng, d, unit)
        name = f"r{k:0{width}d}_{d.year}.txt"
        (out_dir / name).write_text(text, encoding="utf-8")
        spans.append(sp)
        texts.append(text)
        manifest.reports.append({"file": name, "unit": unit.issuer, "year": d.year})
    for k, d in enumerate(drafts):
        for i, kind, s, j in d.planted:
            manifest.pairs.append(_pair(kind, manifest.reports, texts, spans, (k, i), (s, j)))
    (out_dir / "manifest.json").write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=0),
                                          encoding="utf-8")
    return manifest


def _pair(kind: str, reports: list[dict], texts: list[str], spans: list, dst: tuple[int, int],
          src: tuple[int, int]) -> dict:
    (k, i), (s, j) = dst, src
    a, b = spans[k][i]
    c, e = spans[s][j]
    return {"kind": kind, "dst": reports[k]["file"], "dst_span": [a, b], "src": reports[s]["file"],
            "src_span": [c, e], **pair_similarity(texts[k][a:b], texts[s][c:e])}


def pair_similarity(dst: str, src: str) -> dict:
    """{"similarity": verify score or None, "ratio": plain ratio}, on the normalised passages."""
    q, o = normalize(dst)[0], normalize(src)[0]
    v = verify(q, o, MIN_SIMILARITY)
    return {"similarity": round(v[0], 4) if v else None, "ratio": round(_ratio(q, o), 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fazhi.corpus.synth", description="合成语料库（含已知相似度的抄袭与复用段落）")
    ap.add_argument("n", type=int)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    m = generate(args.n, args.out_dir, seed=args.seed)
    strong = sum(1 for p in m.pairs if p["similarity"] is not None)
    print(f"已生成 {len(m.reports)} 份报告、{len(m.pairs)} 对植入段落（相似度≥0.8：{strong}）：{args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
