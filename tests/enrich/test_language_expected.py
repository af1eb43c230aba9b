"""A workspace's expected languages settle short texts; readings and empty texts get none."""

from __future__ import annotations

from pathlib import Path

import pytest

from pouls.config import ConfigError, load
from pouls.enrich import language
from pouls.enrich.language import LanguageEnricher
from pouls.pipeline import enrichers_for
from tests.conftest import make_signal

FR_EN = ("fr", "en")


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Bien dormi", "fr"), ("on y va samedi ?", "fr"), ("Ok merci.", "fr"), ("Slept well", "en")],
)
def test_expected_languages_settle_short_texts_that_could_be_several(text: str, lang: str):
    [(found, confidence)] = language.detect([text], low_accuracy=True, fast=True, expected=FR_EN)
    assert found == lang
    assert confidence >= language.MIN_CONFIDENCE


def test_bien_dormi_is_not_read_as_french_without_the_setting_by_luck():
    """The guard against a test that cannot fail: without expected languages lingua reads
    "Bien dormi" as Spanish, so the test above holds because of the setting."""
    [(found, _)] = language.detect(["Bien dormi"], low_accuracy=True, fast=True)
    assert found != "fr"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Gracias amigos, todo estuvo perfecto en la tienda", "es"),
        ("Danke, die Lieferung war heute wieder super pünktlich", "de"),
        ("Grazie mille, il servizio è stato perfetto", "it"),
    ],
)
def test_a_text_plainly_in_another_language_keeps_it(text: str, lang: str):
    [(found, _)] = language.detect([text], low_accuracy=True, fast=True, expected=FR_EN)
    assert found == lang


def test_each_workspace_gets_its_own_expected_languages_in_one_batch():
    enricher = LanguageEnricher(low_accuracy=True, fast=True, expected={"acme": ["fr", "en"]})
    batch = [
        make_signal(1, "Bien dormi", workspace="acme"),
        make_signal(2, "Bien dormi", workspace="globex"),
    ]
    out = enricher.enrich(batch)
    assert out[0].lang == "fr"
    assert out[1].lang != "fr"


def test_readings_and_signals_without_text_get_no_language():
    enricher = LanguageEnricher(low_accuracy=True, fast=True, expected={"acme": ["fr"]})
    reading = make_signal(
        1, "", channel="mqtt", kind="reading", title="maison/cuisine/temperature", value=21.5
    )
    reading_with_text = make_signal(2, "21.5", channel="mqtt", kind="reading", value=21.5)
    empty = make_signal(3, "   ")
    written = make_signal(4, "Le train est encore en retard ce matin")
    out = enricher.enrich([reading, reading_with_text, empty, written])
    assert [s.lang for s in out] == [None, None, None, "fr"]


def test_a_declared_language_is_kept_and_not_detected_again():
    enricher = LanguageEnricher(low_accuracy=True, fast=True, expected={"acme": ["fr"]})
    [out] = enricher.enrich([make_signal(1, "Bien dormi", lang="es")])
    assert out.lang == "es"


def _write(tmp_path: Path, languages: str) -> Path:
    (tmp_path / "pouls.toml").write_text(
        f'[[workspaces]]\nid = "acme"\nlanguages = {languages}\n', encoding="utf-8"
    )
    return tmp_path


def test_the_languages_setting_reaches_the_language_enricher(tmp_path: Path):
    settings = load(_write(tmp_path, '["fr", "en"]'), environ={})
    assert settings.workspaces[0].languages == ["fr", "en"]
    [enricher] = [e for e in enrichers_for(settings) if e.name == "language"]
    [out] = enricher.enrich([make_signal(1, "Bien dormi", workspace="acme")])
    assert out.lang == "fr"


def test_an_unknown_language_code_is_refused_with_the_key(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"languages"):
        load(_write(tmp_path, '["fr", "klingon"]'), environ={})
