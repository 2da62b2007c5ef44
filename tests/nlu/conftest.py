"""One model per test session: trained on the real data (n-grams only, fast) in a tmp dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.loader import load_builtin
from nlu.parser import BuiltinParser
from nlu.settings import NluSettings
from nlu.training import train

HERE = Path(__file__).parent
GAZETTEER = ["西关社区", "吴航街道", "阳光花园", "郑和路"]


@pytest.fixture(scope="session")
def model_settings(tmp_path_factory: pytest.TempPathFactory) -> NluSettings:
    settings = NluSettings(model_dir=tmp_path_factory.mktemp("nlu-model"), embedding=False)
    train(settings)
    return settings


@pytest.fixture(scope="session")
def parser(model_settings: NluSettings) -> BuiltinParser:
    return load_builtin(model_settings, gazetteer=GAZETTEER)


@pytest.fixture
def small_settings(tmp_path: Path) -> NluSettings:
    """A tiny data set: enough to exercise training paths in well under a second."""
    return NluSettings(model_dir=tmp_path / "model", data_dir=HERE / "small_data",
                       embedding=False)
