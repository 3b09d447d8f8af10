"""A file whose analysis fails (a defect in a stage, memory, recursion) is one clear Chinese line
naming it, and a batch goes on: the guard around the stages in fazhi.pipeline.analyze_document.
The faults are injected into one stage for files carrying a marker; the other files are real."""
from __future__ import annotations

import json

import pytest

from conftest import SAMPLES
from fazhi import cli, pipeline
from fazhi.errors import AnalysisError, InputError

MARK = "故障注入标记"


@pytest.fixture
def failing_stage(monkeypatch):
    def install(exc: BaseException):
        def stage(report):
            if MARK in report.text:
                raise exc

        monkeypatch.setattr(pipeline, "STAGES", [*pipeline.STAGES[:3], stage, *pipeline.STAGES[3:]])
    return install


def _files(tmp_path):
    samples = sorted(SAMPLES.glob("*.txt"))
    good_a = tmp_path / "a.txt"
    good_a.write_text(samples[0].read_text("utf-8"), encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text(samples[3].read_text("utf-8") + "\n" + MARK, encoding="utf-8")
    good_b = tmp_path / "b.txt"
    good_b.write_text(samples[4].read_text("utf-8"), encoding="utf-8")
    return good_a, bad, good_b


@pytest.mark.parametrize(("exc", "words"), [(ZeroDivisionError("x"), "内部错误"), (MemoryError(), "内存不足"),
                                            (RecursionError("deep"), "过于复杂"), (KeyError("k"), "内部错误")])
def test_batch_goes_on_past_a_file_whose_analysis_fails(tmp_path, capsys, failing_stage, exc, words):
    failing_stage(exc)
    a, bad, b = _files(tmp_path)
    rc = cli.main(["analyze", "--json", str(a), str(bad), str(b)])
    out, err = capsys.readouterr()
    assert rc == 2
    results = json.loads(out)
    assert [("error" in r) for r in results] == [False, True, False]
    assert results[0]["text"] == a.read_text("utf-8") and results[2]["text"] == b.read_text("utf-8")
    lines = [ln for ln in err.splitlines() if str(bad) in ln]
    assert len(lines) == 1 and "分析失败" in lines[0] and words in lines[0]
    assert "Error" not in err and "Traceback" not in err


def test_the_failure_is_an_input_error_naming_the_stage_and_keeping_its_cause(tmp_path, monkeypatch):
    from fazhi.extract import indicators

    real = indicators.extract_indicators

    def extract(view, start=0, end=None):
        if MARK in view:
            raise ZeroDivisionError("boom")
        return real(view, start, end)

    monkeypatch.setattr(indicators, "extract_indicators", extract)
    _, bad, _ = _files(tmp_path)
    with pytest.raises(InputError) as info:
        pipeline.analyze(bad)
    assert isinstance(info.value, AnalysisError)
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    assert info.value.reason.startswith("分析失败：") and "提取量化指标" in info.value.reason


def test_text_over_the_limit_is_refused_before_analysis(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "MAX_TEXT_CHARS", 3000)
    path = tmp_path / "long.txt"
    path.write_text(sorted(SAMPLES.glob("*.txt"))[0].read_text("utf-8"), encoding="utf-8")
    with pytest.raises(AnalysisError) as info:
        pipeline.analyze(path)
    assert "文字过多" in info.value.reason and "未分析" in info.value.reason


def test_text_of_too_many_lines_is_refused_before_analysis(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("一、段\n" * (pipeline.MAX_TEXT_LINES + 1), encoding="utf-8")
    with pytest.raises(AnalysisError) as info:
        pipeline.analyze(path)
    assert f"上限 {pipeline.MAX_TEXT_LINES} 行" in info.value.reason
