#!/usr/bin/env python3
"""Plant word-level errors in the bundled samples: tests/data/review_eval/cases.jsonl.

Each case is one edit of one sample (src/fazhi/samples/NNN_*.txt): a typo written over a word,
a word or clause doubled, a closing mark deleted, a sentence inserted that cites a misspelt,
repealed or not-yet-adopted law, a formulation of another year or a wrong formulation. A case
records the sample, the edit (`at`, `delete`, `insert`), its kind, and the span of the planted
words in the edited text that a finding of the kind's rules must overlap.
tests/test_review_eval.py applies every case, analyses the text and measures recall per kind.

    .venv/bin/python scripts/make_review_eval.py      # deterministic (seeded)
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "src" / "fazhi" / "samples"
OUT = ROOT / "tests" / "data" / "review_eval" / "cases.jsonl"
PER_KIND = 24

# right -> wrong (lexicon typos and non-words one homophone or look-alike away)
TYPOS = [("部署", "布署"), ("贯彻", "贯切"), ("签订", "签定"), ("执法", "执发"), ("坚持", "坚侍"), ("提高", "题高"),
         ("发挥", "发辉"), ("落实", "落食"), ("监督", "监度"), ("贯彻", "惯彻"), ("综合", "综和"), ("措施", "错施"),
         ("长效机制", "常效机制"), ("常态化", "长态化"), ("矛盾纠纷", "茅盾纠纷"), ("规划", "规化"), ("执法", "执罚")]
DOUBLE = ["进一步", "加强", "落实", "推进", "全面", "深入", "持续", "认真", "切实", "积极"]
LAW_MISSES = ["《中华人民共和国行政处法》", "《行政复议法实施细则》", "《中华人名共和国宪法》", "《行政许可发》",
              "《中华人民共和国安全生产发》", "《政府信息公开条理》", "《优化营商环镜条例》", "《中华人民共和国行政诉讼发》",
              "《重大行政决策程序暂行条理》", "《中华人民共和国法律援住法》", "《中华人民共和国立发法》", "《规章制定程序条理》"]
REPEALED = ["《合同法》", "《民法通则》", "《物权法》", "《担保法》", "《侵权责任法》", "《婚姻法》", "《继承法》",
            "《中华人民共和国合同法》", "《城市房屋拆迁管理条例》", "《中华人民共和国物权法》"]
# per report year: phrases that did not exist yet, or were outdated, in that year
ANACHRONISMS = {
    2019: ["《中华人民共和国民法典》", "“两个确立”", "“十四五”时期", "中央全面依法治国工作会议精神",
           "《法治政府建设实施纲要（2021—2025年）》", "习近平法治思想", "新修订的《中华人民共和国行政处罚法》",
           "党的二十大精神", "党史学习教育", "“八五”普法规划"],
    2021: ["党的二十大精神", "二十届三中全会精神", "“三个务必”", "党纪学习教育", "新修订的《行政复议法》",
           "学习贯彻习近平新时代中国特色社会主义思想主题教育"],
    2023: ["二十届三中全会精神", "二十届四中全会精神", "党纪学习教育", "“十五五”规划", "深入学习贯彻党的十九大精神",
           "以迎接党的二十大胜利召开为主线", "深入开展“七五”普法"],
    2024: ["二十届四中全会精神", "“十五五”规划", "深入学习贯彻党的十九大精神", "以迎接党的二十大胜利召开为主线",
           "继续做好“十三五”规划各项工作", "按照《法治政府建设实施纲要（2015—2020年）》要求"],
}
FORMULATIONS = ["中共中央国务院印发的文件", "习近平法制思想", "法制政府建设", "严格公正规范文明执法", "社会主义法制国家",
                "法治国家、法治政府、法治社会共同推进", "法治政府建设与责任落实督查工作规定", "习总书记重要讲话",
                "依法制县工作", "党的20大精神", "党中央国务院决策部署", "中国特色社会主义法制体系",
                "重大执法决定法治审核制度", "民主法制示范村创建"]


def samples() -> list[tuple[str, str, int]]:
    """(prefix, text, report year) of the bundled samples."""
    years = {"000": 2023, "001": 2021, "002": 2024, "003": 2021, "004": 2019}
    return [(p.name[:3], p.read_text(encoding="utf-8"), years[p.name[:3]]) for p in sorted(SAMPLES.glob("*.txt"))]


def body_sentence_ends(text: str) -> list[int]:
    """Offsets right after a 。 inside running text (a line of 60+ characters), past the opening."""
    out = []
    for m in re.finditer(r"[^\n]{60,}", text):
        if m.start() < 200:
            continue
        out += [m.start() + k + 1 for k, ch in enumerate(m.group()) if ch == "。" and k + 1 < len(m.group())]
    return out


def case(kind: str, prefix: str, at: int, delete: int, insert: str, span: tuple[int, int]) -> dict:
    return {"kind": kind, "sample": prefix, "at": at, "delete": delete, "insert": insert, "span": list(span)}


def insertion(rng: random.Random, kind: str, prefix: str, text: str, phrase: str, frame: str) -> dict:
    at = rng.choice(body_sentence_ends(text))
    sentence = frame.format(phrase)
    k = sentence.index(phrase)
    return case(kind, prefix, at, 0, sentence, (at + k, at + k + len(phrase)))


def typo_cases(rng: random.Random, docs) -> list[dict]:
    out = []
    pool = [(p, t, m.start(), right, wrong) for p, t, _ in docs for right, wrong in TYPOS
            for m in re.finditer(right, t) if m.start() > 200]
    rng.shuffle(pool)
    seen_pairs: dict[str, int] = {}
    for p, t, at, right, wrong in pool:
        if seen_pairs.get(wrong, 0) >= 2:
            continue
        seen_pairs[wrong] = seen_pairs.get(wrong, 0) + 1
        out.append(case("typo", p, at, len(right), wrong, (at, at + len(wrong))))
        if len(out) == PER_KIND:
            break
    return out


def doubled_word_cases(rng: random.Random, docs) -> list[dict]:
    pool = [(p, m.start(), w) for p, t, _ in docs for w in DOUBLE for m in re.finditer(w, t) if m.start() > 200]
    rng.shuffle(pool)
    return [case("doubled-word", p, at, 0, w, (at, at + 2 * len(w))) for p, at, w in pool[:PER_KIND]]


def doubled_clause_cases(rng: random.Random, docs) -> list[dict]:
    pool = []
    for p, t, _ in docs:
        for m in re.finditer(r"(?<=[，,])([^，,。；;\n“”《》]{8,30})(?=[，,])", t):
            if m.start() > 200:
                pool.append((p, m.end(), "，" + m.group(1)))
    rng.shuffle(pool)
    return [case("doubled-clause", p, at, 0, ins, (at + 1, at + len(ins))) for p, at, ins in pool[:PER_KIND]]


def unbalanced_cases(rng: random.Random, docs) -> list[dict]:
    pool = []
    for p, t, _ in docs:
        for m in re.finditer(r"(“)[^“”\n]{2,20}(”)|(《)[^《》\n]{2,40}(》)|(（)[^（）\n]{2,30}(）)", t):
            if m.start() > 200 and t.rfind("\n", 0, m.start()) < m.start() - 2:
                pool.append((p, m.start(), m.end() - 1))
    rng.shuffle(pool)
    return [case("unbalanced-mark", p, close, 1, "", (opener, close)) for p, opener, close in pool[:PER_KIND]]


def insertion_cases(rng: random.Random, docs, kind: str, phrases_for, frame: str) -> list[dict]:
    out = []
    i = 0
    while len(out) < PER_KIND:
        p, t, year = docs[i % len(docs)]
        phrases = phrases_for(year)
        if phrases:
            out.append(insertion(rng, kind, p, t, phrases[(i // len(docs)) % len(phrases)], frame))
        i += 1
    return out


def main() -> None:
    rng = random.Random(12)
    docs = samples()
    later = [d for d in docs if d[2] >= 2021]
    cases = typo_cases(rng, docs) + doubled_word_cases(rng, docs) + doubled_clause_cases(rng, docs)
    cases += unbalanced_cases(rng, docs)
    cases += insertion_cases(rng, docs, "law-name", lambda y: LAW_MISSES, "严格执行{}的规定。")
    cases += insertion_cases(rng, later, "repealed-law", lambda y: REPEALED, "依据{}有关规定办理合同审查。")
    cases += insertion_cases(rng, docs, "anachronism", lambda y: ANACHRONISMS.get(y), "认真学习贯彻{}。")
    cases += insertion_cases(rng, docs, "formulation", lambda y: FORMULATIONS, "我们坚持{}。")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for c in cases:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    print(f"{OUT.relative_to(ROOT)}: {len(cases)} cases {kinds}")


if __name__ == "__main__":
    main()
