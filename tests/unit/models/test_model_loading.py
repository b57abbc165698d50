"""Model loaders refuse what they cannot use (missing, garbage, corrupt, wrong spaCy), naming the path."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from postguard.advice_classification.agents import build_classifier
from postguard.core.settings import CommonSettings
from postguard.core.stream_service import EXIT_MODELS_UNAVAILABLE, ModelsUnavailable
from postguard.domain import models
from postguard.domain.models import ModelLoadError, load_advice_model, load_ner_model
from postguard.embedded.runner import build_pipeline
from postguard.identifier_detection.agents import build_detector

pytestmark = pytest.mark.unit

LOADERS = [(load_ner_model, "ner", "NER"), (load_advice_model, "textcat", "textcat")]


def refusal(load, models_dir: Path) -> ModelLoadError:
    with pytest.raises(ModelLoadError) as info:
        load(models_dir)
    return info.value


def copy_shipped(tmp_path: Path, name: str) -> Path:
    """A writable copy of one shipped model under ``tmp_path/models/<name>``; returns ``tmp_path/models``."""
    shutil.copytree(models.MODELS_DIR / name, tmp_path / "models" / name)
    return tmp_path / "models"


@pytest.mark.parametrize(("load", "sub", "model"), LOADERS)
def test_missing_directory_is_refused_with_the_path(load, sub: str, model: str, tmp_path: Path) -> None:
    error = refusal(load, tmp_path / "nowhere")
    assert error.path == tmp_path / "nowhere" / sub
    assert error.model == model
    assert str(error) == f"{model} model at {tmp_path / 'nowhere' / sub}: directory not found"


@pytest.mark.parametrize(("load", "sub", "model"), LOADERS)
def test_empty_directory_is_not_a_model(load, sub: str, model: str, tmp_path: Path) -> None:
    (tmp_path / sub).mkdir()
    assert "meta.json is missing" in str(refusal(load, tmp_path))


@pytest.mark.parametrize(("load", "sub", "model"), LOADERS)
def test_directory_of_garbage_files_is_refused(load, sub: str, model: str, tmp_path: Path) -> None:
    path = tmp_path / sub
    path.mkdir()
    for name in ("meta.json", "config.cfg", "calibration.json"):
        (path / name).write_bytes(b"\x89PNG\r\n\x1a\n\x00\xffZQXJUNK" * 10)
    (path / "tokenizer").write_bytes(b"\x00" * 64)
    error = refusal(load, tmp_path)
    assert str(path) in str(error)
    assert "meta.json is unreadable" in str(error)
    assert "ZQXJUNK" not in str(error)  # names the file and the problem, never its content


@pytest.mark.models  # copies the shipped model
@pytest.mark.parametrize(("load", "sub", "model"), LOADERS)
def test_valid_meta_with_garbage_weights_is_refused(load, sub: str, model: str, tmp_path: Path) -> None:
    root = copy_shipped(tmp_path, sub)
    for weights in (root / sub).rglob("model"):
        weights.write_bytes(b"not msgpack at all" * 20)
    error = refusal(load, root)
    assert error.path == root / sub
    assert "spaCy cannot load it" in str(error)
    assert error.__cause__ is not None  # the spaCy exception stays chained for debugging


@pytest.mark.models  # copies the shipped model
@pytest.mark.parametrize(("load", "sub", "model"), LOADERS)
def test_model_built_for_another_spacy_is_refused(load, sub: str, model: str, tmp_path: Path) -> None:
    root = copy_shipped(tmp_path, sub)
    meta_file = root / sub / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["spacy_version"] = ">=2.3.0,<2.4.0"
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    error = refusal(load, root)
    assert "built for spaCy >=2.3.0,<2.4.0, installed is 3." in str(error)


@pytest.mark.models  # copies the shipped model
@pytest.mark.parametrize(("load", "sub", "model"), LOADERS)
def test_meta_without_spacy_version_is_refused(load, sub: str, model: str, tmp_path: Path) -> None:
    root = copy_shipped(tmp_path, sub)
    meta_file = root / sub / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    del meta["spacy_version"]
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    assert "built for spaCy None" in str(refusal(load, root))


@pytest.mark.models
def test_a_model_of_the_other_kind_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "models"
    shutil.copytree(models.MODELS_DIR / "textcat", root / "ner")  # a text classifier where the NER belongs
    assert "meta.json lists no 'ner' or 'entities_from_tags' component" in str(refusal(load_ner_model, root))


@pytest.mark.models  # copies the shipped model
@pytest.mark.parametrize(("load", "sub", "model"), LOADERS)
def test_missing_or_bad_calibration_is_refused(load, sub: str, model: str, tmp_path: Path) -> None:
    root = copy_shipped(tmp_path, sub)
    calibration = root / sub / "calibration.json"
    calibration.unlink()
    assert "calibration.json is missing" in str(refusal(load, root))
    calibration.write_text("{not json", encoding="utf-8")
    assert "calibration.json is unreadable (JSONDecodeError)" in str(refusal(load, root))
    section = "confidence" if sub == "ner" else "thresholds"
    calibration.write_text(json.dumps({section: {"PERSON": 7}}), encoding="utf-8")
    assert "calibration.json: PERSON is not a number in [0, 1]" in str(refusal(load, root))
    calibration.write_text(json.dumps({"method": "none"}), encoding="utf-8")
    assert "calibration.json has no per-label values" in str(refusal(load, root))
    if sub == "textcat":  # Platt parameters: a per-label object of two finite numbers
        calibration.write_text(json.dumps({"thresholds": {}, "platt": [1, 2]}), encoding="utf-8")
        assert "calibration.json: platt is not a per-label object" in str(refusal(load, root))
        bad = {"thresholds": {}, "platt": {"PERSONAL_ADVICE": {"a": 1.0, "b": "x"}}}
        calibration.write_text(json.dumps(bad), encoding="utf-8")
        assert "platt PERSONAL_ADVICE needs numbers a and b" in str(refusal(load, root))


@pytest.mark.models
def test_a_good_copy_loads_and_a_failure_is_not_cached(tmp_path: Path) -> None:
    root = tmp_path / "models"
    with pytest.raises(ModelLoadError):
        load_ner_model(root)
    copy_shipped(tmp_path, "ner")
    model = load_ner_model(str(root))  # the fixed directory is picked up: errors are never cached
    assert model.confidences == load_ner_model().confidences
    assert load_ner_model(root) is model  # and a success is cached per path


def test_default_directory_is_the_shipped_one() -> None:
    with pytest.raises(ModelLoadError) as info:
        load_ner_model(models.MODELS_DIR / "not-here")
    assert info.value.path == models.MODELS_DIR / "not-here" / "ner"
    assert models.NER_DIR == models.MODELS_DIR / "ner" and models.TEXTCAT_DIR == models.MODELS_DIR / "textcat"


# --- the callers: stream services stop, the embedded pipeline raises, rules only needs no model -----


def common(**values) -> CommonSettings:
    return CommonSettings(_env_file=None, **values)


@pytest.mark.parametrize(
    ("build", "sub"), [(build_detector, "ner"), (build_classifier, "textcat")], ids=["ner", "textcat"]
)
def test_stream_service_stops_with_a_log_line_naming_path_and_setting(
    build, sub: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "no-models"
    with caplog.at_level(logging.ERROR), pytest.raises(ModelsUnavailable) as info:
        build(common(models_dir=missing))
    assert info.value.code == EXIT_MODELS_UNAVAILABLE == 78
    assert isinstance(info.value, SystemExit)  # uncaught, it ends the process with status 78
    assert info.value.error.path == missing / sub
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    message = record.getMessage()
    assert str(missing / sub) in message and "directory not found" in message
    assert "POSTGUARD_MODELS_DIR" in message and "POSTGUARD_USE_MODELS=false" in message
    assert record.model_path == str(missing / sub)
    assert record.setting == "POSTGUARD_MODELS_DIR"


@pytest.mark.parametrize("build", [build_detector, build_classifier], ids=["ner", "textcat"])
def test_rules_only_is_an_explicit_choice_that_loads_nothing(build, tmp_path: Path) -> None:
    built = build(common(use_models=False, models_dir=tmp_path / "no-models"))
    assert getattr(built, "ner_model", None) is None and getattr(built, "text_model", None) is None


def test_use_models_and_models_dir_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("POSTGUARD_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("POSTGUARD_USE_MODELS", "false")
    settings = CommonSettings(_env_file=None)
    assert (settings.models_dir, settings.use_models) == (tmp_path, False)
    monkeypatch.delenv("POSTGUARD_MODELS_DIR")
    monkeypatch.delenv("POSTGUARD_USE_MODELS")
    assert (CommonSettings(_env_file=None).models_dir, CommonSettings(_env_file=None).use_models) == (
        None,
        True,
    )


def test_embedded_pipeline_raises_instead_of_falling_back(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="directory not found"):
        build_pipeline(use_models=True, models_dir=tmp_path)
    rules_only = build_pipeline(use_models=False, models_dir=tmp_path)
    assert rules_only.identifiers.ner_model is None and rules_only.advice.text_model is None


@pytest.mark.models  # copies the shipped model
def test_a_bad_shape_model_is_refused_with_the_label(tmp_path: Path) -> None:
    root = copy_shipped(tmp_path, "ner")
    calibration = root / "ner" / "calibration.json"
    data = json.loads(calibration.read_text(encoding="utf-8"))
    data["shape_model"]["PERSON"]["weights"]["colour"] = 1.0
    calibration.write_text(json.dumps(data), encoding="utf-8")
    assert "shape_model PERSON: unknown feature 'colour'" in str(refusal(load_ner_model, root))
    data["shape_model"] = [1, 2]
    calibration.write_text(json.dumps(data), encoding="utf-8")
    assert "shape_model is not an object" in str(refusal(load_ner_model, root))
