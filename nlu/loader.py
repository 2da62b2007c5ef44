"""`load_parser`: the one entry point the composition root calls."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from nlu.arrays import ArrayModel
from nlu.cascade import Cascade
from nlu.features import Embedder
from nlu.model import BuiltinModel
from nlu.parser import BuiltinParser, Parser
from nlu.settings import NluSettings
from nlu.training import data_dir_of, is_stale, latest_path, load_runtime_model, train

log = logging.getLogger(__name__)
_CHILD_TIMEOUT_S = 900


def load_parser(settings: NluSettings | None = None, gazetteer: Iterable[str] = ()) -> Parser:
    """A ready parser for the configured backend; trains a model first when none exists."""
    settings = settings or NluSettings()
    gazetteer = list(gazetteer)
    builtin = load_builtin(settings, gazetteer)
    if settings.backend == "rasa":
        from nlu.rasa import RasaParser  # here: its HTTP client costs 11 MB a process

        return RasaParser(settings, fallback=builtin)
    return builtin


def load_builtin(settings: NluSettings, gazetteer: Iterable[str] = ()) -> BuiltinParser:
    embedder = Embedder(enabled=settings.embedding)
    model = _load_latest(settings)
    if model is None:
        log.warning("no NLU model in %s; training one now (run `shaosheng nlu ensure` at setup)",
                    settings.model_dir)
        model = load_runtime_model(_train_fresh(settings, embedder))
    elif is_stale(settings):
        log.warning("NLU model in %s is older than the training data; run `shaosheng nlu "
                    "ensure`", settings.model_dir)
    return BuiltinParser(model, embedder, gazetteer, Cascade(*settings.embed_below_margins))


def _load_latest(settings: NluSettings) -> ArrayModel | BuiltinModel | None:
    path = latest_path(settings.model_dir)
    if path is None:
        return None
    try:
        return load_runtime_model(path)
    except Exception as exc:  # truncated, foreign or older-code file: retrain rather than fail
        log.warning("cannot load NLU model %s (%s)", path, exc)
        return None


def _train_fresh(settings: NluSettings, embedder: Embedder) -> Path:
    """Train with the embedding in a child process when possible: it can use both cores there,
    while this process keeps its single OpenMP thread (fixed once per process) for parsing."""
    if embedder.available:
        try:
            return _train_in_child(settings)
        except (OSError, subprocess.SubprocessError, FileNotFoundError) as exc:
            log.warning("training in a child process failed (%s); training here", exc)
    return train(settings, embedder=embedder).path


def _train_in_child(settings: NluSettings) -> Path:
    command = [sys.executable, "-m", "nlu.cli", "train", "--out", str(settings.model_dir),
               "--data", str(data_dir_of(settings)), "--embedding"]
    if settings.include_corrections is not None:
        command += ["--include-corrections", str(settings.include_corrections)]
    subprocess.run(command, check=True, capture_output=True, timeout=_CHILD_TIMEOUT_S)
    path = latest_path(settings.model_dir)
    if path is None:
        raise FileNotFoundError(f"the child process wrote no model into {settings.model_dir}")
    return path
