#!/usr/bin/env python3
"""How accurate is the engine on the bundled samples? Compare `fazhi.analyze` with hand annotations.

    make score                                    # every section, the format copies, and TOTAL
    .venv/bin/python scripts/score.py --verbose   # also every miss, one line each
    .venv/bin/python scripts/score.py --only indicators

The gold (tests/data/gold/seeds.json, described in docs/scoring.md) was written by reading the five
bundled sample reports (src/fazhi/samples/). Each gold item is one check; a section's score is the
share of its checks that the engine's JSON (docs/contract.md) passes. Text is compared ignoring
width, spaces and punctuation, and quotes are found in the report text the same way, so a check
asks about content, not typography. `--formats` also writes each sample as .docx, .html, GB18030
and UTF-16 and checks that these give the same outline, metadata and parts as the .txt.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "gold" / "seeds.json"
SECTIONS = ("metadata", "outline", "parts", "indicators", "citations", "findings", "copies", "formats")
META_FIELDS = ("title", "issuer", "addressee", "report_year", "sign_date", "publish_date", "level")
PER_REPORT = SECTIONS[:6]
# gold "what" of a finding without a quote -> words of the rule id or message that name it
RULE_WORDS = {"no title": ("title-missing",), "no signature date": ("date-missing", "signature-missing"),
              "first-responsible-person part missing": ("part-missing",)}
SCALED = {"万元": ("元", 1e4), "万份": ("份", 1e4), "万人": ("人", 1e4), "亿元": ("元", 1e8)}


@dataclass
class Tally:
    got: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    of: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    misses: list[str] = field(default_factory=list)

    def check(self, section: str, ok: bool, what: str) -> None:
        self.of[section] += 1
        self.got[section] += bool(ok)
        if not ok:
            self.misses.append(f"{section}: {what}")

    def lines(self) -> list[str]:
        out = [f"{s:11s} {self.got[s]:4d}/{self.of[s]:<4d} {100 * self.got[s] / self.of[s]:5.1f}%"
               for s in SECTIONS if self.of[s]]
        got, of = sum(self.got.values()), sum(self.of.values())
        return out + [f"TOTAL {got}/{of} {100 * got / max(1, of):.1f}%"]


# ---------------------------------------------------------------- text matching
def fold(s: object) -> str:
    """Only letters and digits, NFKC-normalised: width, spaces and punctuation do not count."""
    if s is None:
        return ""
    return "".join(ch for ch in unicodedata.normalize("NFKC", str(s)) if ch.isalnum())


class Locator:
    """Spans of a quote in a text, found on the folded text and mapped back to offsets of the text."""

    def __init__(self, text: str) -> None:
        chars, self.where = [], []
        for i, ch in enumerate(text):
            for c in unicodedata.normalize("NFKC", ch):
                if c.isalnum():
                    chars.append(c)
                    self.where.append(i)
        self.folded = "".join(chars)

    def spans(self, quote: str) -> list[tuple[int, int]]:
        q, out, k = fold(quote), [], -1
        while q and (k := self.folded.find(q, k + 1)) >= 0:
            out.append((self.where[k], self.where[k + len(q) - 1] + 1))
        return out


def span_of(item: dict) -> tuple[int, int] | None:
    s, e = item.get("start"), item.get("end")
    return (s, e) if isinstance(s, int) and isinstance(e, int) else None


def hits(item: dict, spans: list[tuple[int, int]]) -> bool:
    sp = span_of(item)
    return sp is not None and any(sp[0] < q[1] and q[0] < sp[1] for q in spans)


# ---------------------------------------------------------------- sections
def score_metadata(t: Tally, name: str, g: dict, out: dict) -> None:
    meta = out.get("metadata") or {}
    for f in META_FIELDS:
        want, have = g["metadata"].get(f), meta.get(f)
        ok = any(_meta_ok(f, w, have) for w in (want if isinstance(want, list) else [want]))
        t.check("metadata", ok, f"{name} {f}: want {want!r}, got {have!r}")
    place = meta.get("place") or {}
    for f, want in (g["metadata"].get("place") or {}).items():
        if want is not None:
            t.check("metadata", fold(place.get(f)) == fold(want), f"{name} place.{f}: want {want!r}, got {place.get(f)!r}")


def _meta_ok(f: str, want: object, have: object) -> bool:
    if want is None:
        return have in (None, "", [])
    if f == "report_year":
        return have == want
    if f == "issuer":  # the gold names the body; a joint report may name more, or the engine one of several
        h, w = fold(have if isinstance(have, str) else " ".join(have or [])), fold(want)
        parts = [fold(p) for p in str(want).split()]
        return len(h) >= 4 and (w in h or h in w or any(p and p in h for p in parts))
    return fold(have) == fold(want)


def score_outline(t: Tally, name: str, g: dict, out: dict) -> None:
    outline = out.get("outline") or []
    l1 = [fold(h.get("title")) for h in outline if h.get("level") == 1]
    for want in g["outline_l1"]:
        t.check("outline", fold(want) in l1, f"{name} level-1 heading {want!r} not found")
    t.check("outline", len(l1) == len(g["outline_l1"]), f"{name} {len(l1)} level-1 headings, want {len(g['outline_l1'])}")
    counts: list[int] = []
    for h in outline:
        if h.get("level") == 1:
            counts.append(0)
        elif h.get("level") == 2 and counts:
            counts[-1] += 1
    t.check("outline", counts == g["outline_l2_count"], f"{name} level-2 counts {counts}, want {g['outline_l2_count']}")
    for want in g.get("outline_l2_inferred", []):
        found = [h for h in outline if h.get("level") == 2 and fold(want) in fold(h.get("title"))]
        t.check("outline", bool(found) and bool(found[0].get("inferred")),
                f"{name} lost-marker heading {want!r} not recovered as an inferred level-2 heading")


def score_parts(t: Tally, name: str, g: dict, out: dict) -> None:
    outline, parts = out.get("outline") or [], out.get("parts") or {}
    for key, want in g["parts"].items():
        have = parts.get(key)
        if want is None:
            ok = have is None
        else:
            h = outline[have] if isinstance(have, int) and 0 <= have < len(outline) else {}
            ok = h.get("level") == 1 and fold(h.get("title")) == fold(g["outline_l1"][want - 1])
        t.check("parts", ok, f"{name} part {key}: want level-1 heading #{want}, got outline index {have!r}")


def _unit(u: str | None) -> str:
    return unicodedata.normalize("NFKC", u or "").replace("\\", "").replace("/", "").replace(" ", "")


def value_ok(have: object, want: float, unit: str, units: list[str]) -> bool:
    """The value as written with one of the gold units, or scaled to the base unit (51.05万元 = 510500元)."""
    try:
        v = float(have)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    close = lambda a, b: abs(a - b) < 1e-6 * max(1, abs(b))  # noqa: E731
    if close(v, want):
        return unit in units
    return any(u in SCALED and unit == SCALED[u][0] and close(v, want * SCALED[u][1]) for u in units)


def score_indicators(t: Tally, name: str, g: dict, out: dict, loc: Locator) -> None:
    inds = out.get("indicators") or []
    for gi in g["indicators"]:
        spans, units = loc.spans(gi["quote"]), [_unit(u) for u in gi["units"]]
        ok = any(hits(i, spans) and value_ok(i.get("value"), gi["value"], _unit(i.get("unit")), units)
                 and fold(gi["subject_key"]) in fold(i.get("subject"))
                 and (not gi["qualifier"] or fold(gi["qualifier"]) in fold(i.get("qualifier"))) for i in inds)
        t.check("indicators", ok, f"{name} {gi['quote']!r}: want subject~{gi['subject_key']} value {gi['value']} "
                f"{gi['units'][0]}" + (f" qualifier {gi['qualifier']}" if gi["qualifier"] else ""))
    for q in g["not_indicators"]:
        bad = [(i.get("subject"), i.get("value"), i.get("unit")) for i in inds if hits(i, loc.spans(q))]
        t.check("indicators", bool(inds) and not bad, f"{name} {q!r} is not an indicator, got {bad}")
    body = out.get("body") or {}
    for q in g.get("page_chrome", []):
        spans = loc.spans(q)
        inside = [s for s in spans if isinstance(body.get("start"), int) and body["start"] <= s[0] < body.get("end", 0)]
        t.check("indicators", bool(spans) and not inside, f"{name} page chrome {q!r} lies inside body {body}")


def score_citations(t: Tally, name: str, g: dict, out: dict) -> None:
    cits = out.get("citations") or []
    for gc in g["citations"]:
        same = [c for c in cits if fold(c.get("title")) == fold(gc["title"])]
        ok = bool(same) and (not gc["doc_number"] or any(fold(c.get("doc_number")) == fold(gc["doc_number"]) for c in same))
        t.check("citations", ok, f"{name} citation {gc['title']} {gc['doc_number'] or ''}")


def score_findings(t: Tally, name: str, g: dict, out: dict, loc: Locator) -> None:
    finds = out.get("findings") or []
    for gf in g["findings"]:
        same = [f for f in finds if f.get("category") == gf["category"]]
        if gf["quote"]:
            ok = any(hits(f, loc.spans(gf["quote"])) for f in same)
        else:
            words = RULE_WORDS.get(gf["what"], (gf["what"],))
            ok = any(fold(w) in fold(f.get("rule", "") + f.get("message", "")) for f in same for w in words)
        t.check("findings", ok, f"{name} {gf['category']}: {gf['what']} {gf['quote'] or ''}")
    for ga in g.get("absent_findings", []):
        if ga["what"] == "no mandated part is missing":
            bad = [f.get("message") for f in finds if f.get("rule") == "part-missing"]
            t.check("findings", not bad, f"{name} false alarm: {bad}")


def score_copies(t: Tally, gold: dict, outs: dict[str, dict]) -> None:
    """A copied paragraph shows in `copies` of either report, over the quoted words, naming the other."""
    for c in gold.get("copies", []):
        ok = False
        for me, other, quote in ((c["a"], c["b"], c["a_quote"]), (c["b"], c["a"], c["b_quote"])):
            out = outs.get(me) or {}
            spans = Locator(out.get("text") or "").spans(quote)
            ok = ok or any(hits(x, spans) and other.split("_")[0] in json.dumps(x, ensure_ascii=False)
                           for x in out.get("copies") or [])
        t.check("copies", ok, f"copied paragraph {c['a']} ~ {c['b']} not reported")


# ---------------------------------------------------------------- format copies
def format_copies(src: Path, tmp: Path) -> list[Path]:
    """The sample as .docx (one paragraph per line), a government-style .html page, GB18030 and UTF-16."""
    from fazhi.samples import write_docx, write_html

    text = src.read_text(encoding="utf-8")
    made = [write_docx(tmp / f"{src.stem}.docx", text), write_html(tmp / f"{src.stem}.html", text),
            tmp / f"{src.stem}.gbk.txt", tmp / f"{src.stem}.utf16.txt"]
    made[2].write_bytes(text.encode("gb18030"))
    made[3].write_bytes(text.encode("utf-16"))
    return made


def signature(out: dict) -> tuple:
    meta = out.get("metadata") or {}
    return ([fold(h.get("title")) for h in out.get("outline") or [] if h.get("level") in (1, 2)],
            {k: fold(meta.get(k)) for k in ("issuer", "report_year", "sign_date")},
            sorted((out.get("parts") or {}).items()))


# ---------------------------------------------------------------- running
def analyze_json(path: Path, corpus: Path | None = None) -> tuple[dict | None, str | None]:
    """The contract JSON of one file (with `copies` against the folder `corpus`), or an error line."""
    import fazhi
    from fazhi.errors import FazhiError

    try:
        report = fazhi.analyze(path)
        if corpus is not None:
            from fazhi.corpus import find_copies

            report.copies = find_copies(report, corpus)
        return report.to_dict(), None
    except FazhiError as e:
        return None, str(getattr(e, "reason", e))
    except Exception as e:  # noqa: BLE001 - a crash is a miss of every check of that report, not the end
        return None, f"{e.__class__.__name__}: {e}"


def score(gold: dict, samples: Path, *, only: str | None = None, formats: bool = False,
          analyze: Callable[..., tuple[dict | None, str | None]] = analyze_json) -> Tally:
    t = Tally()
    wanted = lambda s: only in (None, s)  # noqa: E731
    outs: dict[str, dict] = {}
    for name, g in gold["reports"].items():
        out, err = analyze(samples / name)
        if out is None:
            for s in filter(wanted, PER_REPORT):
                t.check(s, False, f"{name}: {err}")
            continue
        outs[name], loc = out, Locator(out.get("text") or "")
        for s, run in (("metadata", lambda: score_metadata(t, name, g, out)),
                       ("outline", lambda: score_outline(t, name, g, out)),
                       ("parts", lambda: score_parts(t, name, g, out)),
                       ("indicators", lambda: score_indicators(t, name, g, out, loc)),
                       ("citations", lambda: score_citations(t, name, g, out)),
                       ("findings", lambda: score_findings(t, name, g, out, loc))):
            if wanted(s):
                run()
    if wanted("copies") and gold.get("copies"):
        names = sorted({c[k] for c in gold["copies"] for k in ("a", "b")})
        score_copies(t, gold, {n: analyze(samples / n, samples)[0] or {} for n in names})
    if formats or only == "formats":
        with tempfile.TemporaryDirectory() as d:
            for name, out in outs.items():
                want = signature(out)
                for p in format_copies(samples / name, Path(d)):
                    got, err = analyze(p)
                    ok = got is not None and bool(want[0]) and signature(got) == want
                    t.check("formats", ok, f"{p.name}: {err or 'outline/metadata/parts differ from the .txt original'}")
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="把引擎的输出与内置样例的人工标注比对，按部分给出准确率")
    ap.add_argument("--gold", type=Path, default=GOLD, help="人工标注（默认 tests/data/gold/seeds.json）")
    ap.add_argument("--dir", type=Path, default=Path(str(resources.files("fazhi") / "samples")), help="样例报告所在文件夹")
    ap.add_argument("--only", choices=SECTIONS, help="只评一个部分")
    ap.add_argument("--formats", action="store_true", help="也检查 docx/html/GB18030/UTF-16 副本")
    ap.add_argument("--verbose", "-v", action="store_true", help="逐条列出未通过的检查")
    args = ap.parse_args(argv)
    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    t = score(gold, args.dir, only=args.only, formats=args.formats)
    print("\n".join(t.lines()[:-1]))
    if args.verbose:
        print("\n".join(f"  miss {m}" for m in t.misses))
    elif t.misses:
        print(f"  ({len(t.misses)} misses; --verbose lists them)")
    print(t.lines()[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
