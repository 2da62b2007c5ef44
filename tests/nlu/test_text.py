"""Traditional -> simplified folding: generated from OpenCC, offsets kept, meanings kept."""

from __future__ import annotations

import pytest

from nlu.t2s_build import opencc_pairs
from nlu.t2s_table import PAIRS
from nlu.text import normalize


def test_the_committed_table_is_what_opencc_generates_today() -> None:
    assert opencc_pairs() == PAIRS, "run: python -m nlu.t2s_build"


@pytest.mark.parametrize(("traditional", "simplified"), [
    ("樹幹倒了壓到車", "树干倒了压到车"),
    ("門鎖鬆了", "门锁松了"),
    ("這裡的電燈壞了", "这里的电灯坏了"),
    ("乾淨", "干净"),
    ("顯著", "显著"),  # 著 stays: the hand-kept table once turned 显著 into 显着
    ("覆蓋", "覆盖"),  # 覆 stays: it once became 复
    ("ＡＢＣ１２３", "abc123"),
])
def test_traditional_text_folds_to_simplified(traditional: str, simplified: str) -> None:
    assert normalize(traditional) == simplified


def test_folding_keeps_every_offset() -> None:
    text = "樓下煤氣味很濃，電話１３８"
    assert len(normalize(text)) == len(text)
