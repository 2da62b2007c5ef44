"""The training data stays honest and consistent (nlu/datacheck.py).

The eval files are found through $SHAOSHENG_EVAL_DIR, else `shared/eval` beside the repository
or one of its parents (a clone in /work/X reads /work/shared/eval). Where no eval folder exists
(a bare clone) the overlap test checks the training data against itself: no two lines that are
near-copies of each other may carry different labels.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.datacheck import (
    canonical,
    eval_dir,
    eval_examples,
    eval_overlaps,
    label_conflicts,
    situation_breaks,
)
from nlu.situations import SITUATIONS
from nlu.trainingdata import DATA_DIR, Example, load_training_data

REPO = Path(__file__).resolve().parents[2]
TRAINING = load_training_data(DATA_DIR).examples


def _report(pairs: list) -> str:
    return "\n".join(str(pair) for pair in pairs)


def test_no_training_line_is_a_near_copy_of_an_eval_line() -> None:
    folder = eval_dir(REPO)
    if folder is None or not folder.is_dir():
        # No eval files on this machine: the training data is checked against itself.
        conflicts = label_conflicts(TRAINING, cutoff=0.8)
        assert not [p for p in conflicts if canonical(p.left.text) == canonical(p.right.text)]
        return
    evaluation = eval_examples(folder)
    assert evaluation, f"no eval lines found in {folder}"
    overlaps = eval_overlaps(TRAINING, evaluation)
    assert not overlaps, "training lines too close to eval lines:\n" + _report(overlaps)


def test_no_training_line_is_a_near_copy_of_a_blind_held_out_line() -> None:
    """The repo's own held-out files (bench/data) stay unseen too. Only a few words of chat
    (「你好」, 「取消」, "hello") are written alike by anyone and are let be."""
    held_out = eval_examples(REPO / "bench" / "data")
    assert len(held_out) >= 700, "the two held-out files in bench/data are missing"
    overlaps = [pair for pair in eval_overlaps(TRAINING, held_out)
                if len(canonical(pair.right.text)) >= 8]
    assert not overlaps, "training lines too close to held-out lines:\n" + _report(overlaps)


def test_near_identical_training_lines_carry_the_same_labels() -> None:
    conflicts = label_conflicts(TRAINING)
    assert not conflicts, "near-identical lines with different labels:\n" + _report(conflicts)


def test_each_key_situation_carries_one_label_in_every_file() -> None:
    breaks = situation_breaks(TRAINING)
    assert not breaks, "key situations labelled otherwise:\n" + _report(breaks)


@pytest.mark.parametrize(("example", "situation"), [
    (Example("学校后门的消防车道被两辆面包车堵住了", "report", "traffic", "normal"),
     "blocked fire lane or exit"),
    (Example("the emergency exit of the gym is chained shut", "report", "fire_safety", "normal"),
     "blocked fire lane or exit"),
    (Example("凉亭顶上有个黄蜂窝", "report", "greenery", "normal"), "wasps, hornets, bees"),
    (Example("a hornet nest under the slide in the playground", "report", "other", "high"),
     "wasps, hornets, bees"),
    (Example("端午节快乐，大家吃粽子了吗", "out_of_scope"), "a festival or time-of-day wish"),
    (Example("happy new year neighbours!", "out_of_scope"), "a festival or time-of-day wish"),
    (Example("消防栓在往外喷水", "report", "fire_safety", "high"), "leaking hydrant"),
    (Example("消防栓被电动车挡住了", "report", "fire_safety", "normal"),
     "blocked or hidden hydrant"),
    (Example("楼梯间里天天有人给电瓶车充电", "report", "fire_safety", "normal"),
     "e-bike charged indoors or by a flying wire"),
    (Example("a wire hangs out of a 4th floor window to charge the e-bikes below", "report",
             "property", "high"), "e-bike charged indoors or by a flying wire"),
])
def test_the_check_finds_a_key_situation_labelled_otherwise(example: Example,
                                                             situation: str) -> None:
    assert [b.situation.name for b in situation_breaks([example])] == [situation]


@pytest.mark.parametrize("example", [
    Example("消防通道旁边的绿地被人围起来种菜", "report", "construction", "normal"),
    Example("消防通道的黄线都磨没了", "report", "fire_safety", "low"),
    Example("消防通道被堵的那个单子处理了吗", "status"),
    Example("家里还烧蜂窝煤，烟囱堵了", "report", "utilities", "normal"),
    Example("新年快乐！楼道灯又坏了", "report", "property", "normal"),
    Example("希望小区多装几个充电桩，别再往楼道里推电动车充电了", "report", "fire_safety", "low"),
    Example("电动车在楼道里充电冒烟了", "report", "fire_safety", "critical"),
])
def test_the_check_lets_other_situations_be(example: Example) -> None:
    assert situation_breaks([example]) == []


def test_every_situation_is_named_once() -> None:
    names = [situation.name for situation in SITUATIONS]
    assert len(names) == len(set(names))


def test_canonical_folds_script_case_and_punctuation() -> None:
    assert canonical("電梯停了！Lift, STOPPED.") == canonical("电梯停了 lift stopped")


def test_the_checks_find_near_copies_and_conflicts() -> None:
    training = [Example("楼道里的灯坏了三天了，晚上看不见路", "report", "property", "normal"),
                Example("路灯不亮", "report", "municipal", "normal")]
    evaluation = [Example("樓道裡的燈壞了三天了，晚上看不見", "report", "property", "normal")]
    assert [pair.left.text for pair in eval_overlaps(training, evaluation)] == [training[0].text]
    conflicting = [*training, Example("楼道里的灯坏了三天了，晚上看不见路！", "report", "property",
                                      "high")]
    assert len(label_conflicts(conflicting)) == 1


def test_the_eval_folder_is_found_from_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHAOSHENG_EVAL_DIR", str(tmp_path))
    assert eval_dir(REPO) == tmp_path
