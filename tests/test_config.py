from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from pouls.config import ConfigError, ImportSource, describe, load


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pouls.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_no_file_means_defaults_and_a_default_workspace(tmp_path: Path) -> None:
    s = load(tmp_path, environ={})
    assert [w.id for w in s.workspaces] == ["default"]
    assert s.file.web.port == 8000 and s.database_path == tmp_path / "pouls.db"


def test_error_names_the_key_its_line_and_what_is_expected(tmp_path: Path) -> None:
    write(
        tmp_path,
        '[[workspaces]]\nid = "acme"\n\n[[sources]]\ntype = "rss"\nname = "press"\n'
        'workspace = "acme"\nurl = "https://example.org/feed"\ninterval = "often"\n',
    )
    with pytest.raises(ConfigError) as info:
        load(tmp_path, environ={})
    message = str(info.value)
    assert "pouls.toml:9:" in message and "sources[0].interval" in message and "float" in message


def test_unknown_key_is_refused_with_its_name(tmp_path: Path) -> None:
    write(tmp_path, "[web]\nprot = 8080\n")
    with pytest.raises(ConfigError, match="prot"):
        load(tmp_path, environ={})


def test_invalid_toml_says_where(tmp_path: Path) -> None:
    write(tmp_path, "[web\nport = 1\n")
    with pytest.raises(ConfigError, match="line 1"):
        load(tmp_path, environ={})


def test_source_must_name_a_declared_workspace(tmp_path: Path) -> None:
    write(
        tmp_path,
        '[[workspaces]]\nid = "acme"\n[[sources]]\ntype = "import"\nname = "a"\nworkspace = "globex"\npath = "x.jsonl"\n',
    )
    with pytest.raises(ConfigError, match=r"pouls.toml:6: .*no workspace 'globex'"):
        load(tmp_path, environ={})


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    write(tmp_path, "[web]\nport = 8001\n")
    s = load(tmp_path, environ={"POULS_WEB_PORT": "9000", "POULS_PIPELINE_BATCH_SIZE": "64"})
    assert s.file.web.port == 9000 and s.file.pipeline.batch_size == 64
    with pytest.raises(ConfigError, match=r"web\.port"):
        load(tmp_path, environ={"POULS_WEB_PORT": "many"})


def test_sources_are_tagged_by_type(tmp_path: Path) -> None:
    write(
        tmp_path,
        '[[sources]]\ntype = "import"\nname = "archive"\nworkspace = "default"\npath = "a.csv"\nmapping = { text = "body" }\n',
    )
    [source] = load(tmp_path, environ={}).file.sources
    assert isinstance(source, ImportSource) and source.mapping == {"text": "body"}


def test_every_setting_is_documented() -> None:
    undocumented = [f"{section}.{key}" for section, key, help_text in describe() if not help_text]
    assert undocumented == []


@pytest.mark.parametrize("name", ["example.toml", "demo/demo.toml"])
def test_shipped_example_files_load(tmp_path: Path, name: str) -> None:
    write(tmp_path, resources.files("pouls").joinpath(*name.split("/")).read_text(encoding="utf-8"))
    assert load(tmp_path, environ={}).workspaces


def test_configuration_reference_is_up_to_date() -> None:
    doc = Path(__file__).parents[1] / "docs" / "configuration.md"
    from pouls.config import reference

    assert doc.read_text(encoding="utf-8") == reference(), (
        "regenerate docs/configuration.md from pouls.config.reference()"
    )


def test_a_topic_with_a_wrong_query_is_refused_at_load(tmp_path: Path) -> None:
    write(tmp_path, '[[topics]]\nname = "t"\nworkspace = "default"\nquery = "a OR"\n')
    with pytest.raises(ConfigError, match=r"pouls.toml:4: `topics\[0\]\.query`: .*column"):
        load(tmp_path, environ={})


def test_enrichers_are_named_from_the_known_list(tmp_path: Path) -> None:
    from pouls.enrich import ENRICHERS

    write(tmp_path, '[[workspaces]]\nid = "a"\nenrichers = ["language", "sentimant"]\n')
    with pytest.raises(ConfigError, match=r"pouls.toml:3: `workspaces\[0\]\.enrichers"):
        load(tmp_path, environ={})
    write(
        tmp_path, f'[[workspaces]]\nid = "a"\nenrichers = {list(ENRICHERS)!r}\n'.replace("'", '"')
    )
    assert load(tmp_path, environ={}).workspaces[0].enrichers == list(ENRICHERS)


def test_a_campaign_rule_cannot_want_more_authors_than_signals(tmp_path: Path) -> None:
    write(
        tmp_path,
        '[[rules]]\nname = "c"\nworkspace = "default"\nkind = "campaign"\n'
        "min_signals = 4\nmin_authors = 6\n",
    )
    with pytest.raises(ConfigError, match=r"pouls.toml:6: `rules\[0\]\.min_authors`: 6 authors"):
        load(tmp_path, environ={})
