"""The word segmenter is jieba's no-HMM cut, with jieba's dictionary or the part of it that the
training texts hold."""

from __future__ import annotations

import logging

import jieba
import pytest

from nlu.text import clean_input, model_text
from nlu.trainingdata import DATA_DIR, load_training_data
from nlu.words import Segmenter, fit_segmenter, jieba_segmenter, word_grams

EXTRA = ["", " ", "楼道  灯 坏了", "6栋3单元的电梯停了 lift broken 2 days", "abc123的x-y_z.%#&+",
         "燃气表箱门坏了，不是漏气", "中华人民共和国国务院", "！？。", "\u9fd6\u9fff字"]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    lines = [model_text(clean_input(e.text)) for e in load_training_data(DATA_DIR).examples]
    return lines + EXTRA


@pytest.fixture(scope="module")
def full() -> Segmenter:
    return jieba_segmenter()


def test_the_segmenter_cuts_as_jieba_does(texts: list[str], full: Segmenter) -> None:
    jieba.setLogLevel(logging.WARNING)
    assert [full.cut(text) for text in texts] == [
        list(jieba.cut(text, HMM=False)) for text in texts]


def test_the_dictionary_of_the_training_texts_cuts_them_as_the_whole_one(
        texts: list[str], full: Segmenter) -> None:
    small = fit_segmenter(texts)
    assert len(small.words) < len(full.words) // 20
    assert [small.cut(text) for text in texts] == [full.cut(text) for text in texts]
    # An unseen word falls back to characters; the seen ones are still found.
    assert Segmenter({"井盖": 10}, full.total).cut("井盖松动") == ["井盖", "松", "动"]


def test_word_grams_are_the_chinese_words(full: Segmenter) -> None:
    assert word_grams(full, "6栋的电梯 broken 了！") == ["栋", "的", "电梯", "了"]
