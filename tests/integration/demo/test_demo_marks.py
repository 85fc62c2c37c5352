"""The demo's mark sweep step: an untagged instance marked at creation is stopped by a later
sweep, with no event in between."""

from __future__ import annotations

from costplane.cli.demo import demo_marks
from tests.conftest import REPO


def test_the_demo_marks_an_untagged_instance_then_a_later_sweep_stops_it(tmp_path, capsys):
    demo_marks(REPO / "events", tmp_path)
    out = capsys.readouterr().out
    assert "marked costplane-op=stop-20160725t1058z" in out
    assert "2016-07-25 11:03Z sweep: i-0f7c711dc84bedda0: notify:done, stop:done, untag:done" in out
