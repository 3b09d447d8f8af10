"""Saved government web pages."""
from __future__ import annotations

import pytest

from fazhi.ingest import load
from make_files import GOV_PAGE_ARTICLE, GOV_PAGE_TITLE, gov_page_html, seed_text, write_scorer_html

PAGE_CHROME = ["当前位置", "首页", "无障碍", "发布时间", "浏览次数", "分享到", "打印本页", "关闭窗口", "相关新闻",
               "热点专题", "主办单位", "网站标识码", "ICP备", "公网安备", "统计代码", "请输入关键字"]


@pytest.mark.parametrize("charset,codec", [("gb2312", "gb18030"), ("gbk", "gb18030"), ("utf-8", "utf-8")])
def test_realistic_gov_page(tmp_path, charset, codec):
    p = tmp_path / "t20240328_123.html"
    p.write_bytes(gov_page_html(charset).encode(codec))
    doc = load(p)
    assert doc.source.format == "html"
    assert doc.source.encoding == codec
    assert doc.text.split("\n") == [GOV_PAGE_TITLE, *GOV_PAGE_ARTICLE]
    for chrome in PAGE_CHROME:
        assert chrome not in doc.text, chrome
    assert doc.page_meta["publish_date"] == "2024-03-28"
    assert doc.page_meta["source"] == "某某区司法局"
    assert doc.page_meta["title"] == GOV_PAGE_TITLE


def test_gov_page_without_inner_article_div(tmp_path):
    """The article's <p>s sit next to the headline, info line and share bar."""
    html = gov_page_html("utf-8").replace('<div class="article" id="zoom">', "<!-- zoom -->")
    html = html.replace("</div>\n<div class=\"share\">", "\n<div class=\"share\">", 1)
    p = tmp_path / "page.htm"
    p.write_text(html, encoding="utf-8")
    doc = load(p)
    assert doc.text.split("\n") == [GOV_PAGE_TITLE, *GOV_PAGE_ARTICLE]


@pytest.mark.parametrize("prefix", ["000", "001", "003", "004"])
def test_scorer_page_shape_keeps_every_line(tmp_path, prefix):
    text = seed_text(prefix)
    doc = load(write_scorer_html(tmp_path / f"{prefix}.html", text))
    want = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if want[-1] == "- 相关新闻":
        want = want[:-1]
    assert doc.text.split("\n") == want
    assert "当前位置" not in doc.text and "主办单位" not in doc.text
    assert "政府信息公开" not in doc.text.split("\n")[0]  # the generic <title> is not a headline


def test_scorer_page_of_saved_page_002(tmp_path):
    doc = load(write_scorer_html(tmp_path / "002.html", seed_text("002")))
    lines = doc.text.split("\n")
    assert lines[0] == "大王古庄镇2024年法治政府建设情况报告"
    assert lines[-2:] == ["大王古庄镇人民政府", "2025110"]
    for chrome in ["IE版本小于11", "当前位置", "分享到", "【打印页面】", "【关闭页面】", "发布时间"]:
        assert chrome not in doc.text
    assert doc.page_meta["publish_date"] == "2025-01-15"
    assert doc.page_meta["source"] == "天津市武清区大王古庄镇人民政府"


def test_meta_pubdate_and_table_rows(tmp_path):
    html = ('<html><head><meta charset="utf-8"><meta name="PubDate" content="2024-03-29 09:00">'
            '<meta name="ContentSource" content="某某县人民政府"><meta name="ArticleTitle" content="某某县2023年法治政府建设情况报告">'
            '</head><body><div id="content"><p>一、主要举措和成效</p><p>全年受理行政复议案件15件，同比增长25%。</p>'
            '<table><tr><td>指标</td><td>2023年</td></tr><tr><td>复议案件</td><td>15件</td></tr></table>'
            '<p>某某县人民政府<br>2024年3月1日</p></div></body></html>')
    p = tmp_path / "p.html"
    p.write_text(html, encoding="utf-8")
    doc = load(p)
    assert doc.text.split("\n") == ["某某县2023年法治政府建设情况报告", "一、主要举措和成效", "全年受理行政复议案件15件，同比增长25%。",
                                    "指标\t2023年", "复议案件\t15件", "某某县人民政府", "2024年3月1日"]
    assert doc.page_meta["publish_date"] == "2024-03-29"
    assert doc.page_meta["source"] == "某某县人民政府"
