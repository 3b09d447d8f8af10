"""Title form and 落款: the title names the organ, the year, 法治政府建设 and the 文种 报告
(practice, not law: info); the 落款 carries the organ's name; the 成文日期 is a real date."""
from __future__ import annotations

import re
from collections.abc import Iterator

from fazhi.extract.metadata import clean, is_organ_line, tail_lines
from fazhi.report import Report
from fazhi.review.registry import Hit, rule

_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
_TOPIC = re.compile(r"法治政府")
_GENRE_END = re.compile(r"报告\s*$")
_WRONG_GENRE = re.compile(r"(总结|汇报|情况|工作)\s*$")
_NOT_ENTITY = re.compile(r"关于|(?:19|20)\d{2}\s*年度?|[（(][^）)]*[）)]|度")
_MORE_ORGANS = re.compile(r"(领导小组|小组|法院|检察院|支队|大队|中队|党工委|管委会)$")
_ORGAN_THEN_DATE = re.compile(r"^(?P<o>\S.{2,38}?)\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
# a date-shaped string in the 落款 (any day and month, so that impossible ones are caught)


def title_problems(title: str, organ_above: bool) -> list[str]:
    """What the title lacks, in the order organ, year, subject, 文种 (rules.md F R11)."""
    t = clean(title)
    missing = []
    m = re.search(r"法治|法制|依法", t) or _YEAR.search(t)
    entity = _NOT_ENTITY.sub("", t[:m.start()] if m else t)
    if len(entity) < 2 and not organ_above:
        missing.append("发文机关（或地区）名称")
    if not _YEAR.search(t):
        missing.append("年度")
    if not _TOPIC.search(t):
        missing.append("“法治政府建设”")
    if not _GENRE_END.search(t):
        wrong = _WRONG_GENRE.search(t)
        missing.append(f"文种“报告”（现以“{wrong.group(1)}”结尾）" if wrong else "文种“报告”")
    return missing


@rule("title-form", "metadata", "info", "标题要素不全")
def title_form(report: Report) -> Iterator[Hit]:
    """GB/T 9704 7.2.1 and rules.md B1.2/E1.4: organ + 关于 + year + 法治政府建设 + 报告.
    The "××关于××年度法治政府建设情况的报告" form is practice, not law (rules.md B4)."""
    meta = report.metadata
    span = meta.spans.get("title")
    if not meta.title or not span:
        return
    issuer = meta.spans.get("issuer")
    organ_above = bool(issuer and issuer.end <= span.start)  # 版头 organ lines above the title
    # judged on the simplified view (報告 is 报告); quoted as written
    missing = title_problems(clean(report.view[span.start:span.end]), organ_above)
    if missing:
        yield Hit(message=f"标题“{meta.title}”缺少{'、'.join(missing)}。",
                  suggestion="标题一般写成“××（机关）关于××年度法治政府建设情况的报告”。",
                  start=span.start, end=span.end, extra={"missing": missing})


def signs(line: str) -> bool:
    """A 落款 line: an organ's name, alone or followed by the date on the same line."""
    line = clean(line)
    if m := _ORGAN_THEN_DATE.match(line):
        line = m.group("o")
    return is_organ_line(line) or (4 <= len(line) <= 40 and bool(_MORE_ORGANS.search(line))
                                    and not set("。，,；;！？") & set(line))


@rule("signature-missing", "metadata", "warning", "落款缺少署名")
def signature_missing(report: Report) -> Iterator[Hit]:
    """GB/T 9704 7.3.5 (rules.md E1.5, F R12): the 落款 names the issuing organ."""
    if not report.outline:
        return  # not a report we can read the shape of
    if any(signs(report.view[s.start:s.end]) for s in tail_lines(report)):
        return
    yield Hit(message="文末落款未见发文机关署名。",
              suggestion="在正文之后署发文机关全称（联合行文时依次署各机关名称），其下写成文日期。")


@rule("date-invalid", "metadata", "error", "成文日期不存在")
def date_invalid(report: Report) -> Iterator[Hit]:
    """The 成文日期 is a calendar date (GB/T 9704 7.3.5, rules.md E1.1): 2024年2月30日 is not."""
    span = report.facts.get("invalid_sign_date")
    if span is not None:
        yield Hit(message=f"成文日期“{report.text[span.start:span.end]}”不是有效日期。",
                  suggestion="核对并改正成文日期。", start=span.start, end=span.end)
