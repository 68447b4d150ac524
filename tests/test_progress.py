import io

import pytest

from generator.progress import Progress, mode_for


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_ci_and_pipes_get_lines() -> None:
    assert mode_for(_Terminal(), {}) == "bar"
    assert mode_for(_Terminal(), {"CI": "true"}) == "lines"
    assert mode_for(_Terminal(), {"TERM": "dumb"}) == "lines"
    assert mode_for(io.StringIO(), {}) == "lines"


def test_the_bar_shows_count_percent_and_time_left() -> None:
    out = _Terminal()
    with Progress("bar", out).stage("ảnh / photos", 4) as stage:
        for _ in range(4):
            stage.advance()
    last = out.getvalue().split("\r")[-1]
    assert "ảnh / photos" in last and "100%" in last and "4/4" in last and "còn" in last


def test_lines_are_quiet_for_a_small_stage_and_one_per_tenth_for_a_large_one() -> None:
    out = io.StringIO()
    progress = Progress("lines", out)
    with progress.stage("ảnh / photos", 1000) as stage:
        stage.advance(1000)
    assert out.getvalue() == ""
    with progress.stage("trang / pages", 1200) as stage:
        for _ in range(1200):
            stage.advance()
    lines = out.getvalue().splitlines()
    assert lines[-1] == "trang / pages: 1200/1200" and len(lines) == 10
    assert "\r" not in out.getvalue()


def test_lines_in_large_steps_end_with_the_total() -> None:
    out = io.StringIO()
    with Progress("lines", out, min_lines=0).stage("nhãn / labels", 95) as stage:
        stage.advance(90)
        stage.advance(5)
    assert out.getvalue().splitlines() == ["nhãn / labels: 90/95", "nhãn / labels: 95/95"]


def test_off_prints_nothing_and_an_unknown_choice_is_refused() -> None:
    out = _Terminal()
    with Progress.for_terminal("off", out).stage("x", 100) as stage:
        stage.advance(100)
    assert out.getvalue() == ""
    with pytest.raises(ValueError):
        Progress.for_terminal("loud", out)
