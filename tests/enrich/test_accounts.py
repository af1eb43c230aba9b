"""The workspace's own accounts: marked before the privacy stage drops the handles they are
known by, in every spelling a source writes, and in history stored before they were declared."""

from __future__ import annotations

from pathlib import Path

import pytest

from pouls import pipeline
from pouls.config import ConfigError, load
from pouls.enrich.accounts import OwnAccounts, normalize
from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore
from tests.conftest import make_signal

TOML = """
[[workspaces]]
id = "acme"
own_accounts = { mastodon = ["Acme@piaille.fr"], whatsapp = ["+33 1 99 00 42 42"], reddit = ["u/Acme_officiel"], telegram = ["123456"] }

[[workspaces]]
id = "other"
"""


def settings(home: Path, text: str = TOML):  # type: ignore[no-untyped-def]
    (home / "pouls.toml").write_text(text, encoding="utf-8")
    return load(home, environ={})


@pytest.mark.parametrize(
    ("channel", "written", "declared"),
    [
        ("mastodon", "@acme@piaille.fr", "Acme@piaille.fr"),
        ("instagram", " @MaisonLumiere", "maisonlumiere"),
        ("whatsapp", "33199004242", "+33 1 99 00 42 42"),
        ("reddit", "u/Acme_officiel", "acme_officiel"),
    ],
)
def test_a_handle_matches_its_declaration_whatever_its_case_at_sign_or_spacing(
    channel: str, written: str, declared: str
) -> None:
    assert normalize(channel, written) == normalize(channel, declared)


def test_the_stage_marks_own_accounts_by_handle_or_platform_id_and_nobody_else() -> None:
    stage = OwnAccounts({"acme": {"mastodon": ["acme@piaille.fr"], "telegram": ["123456"]}})
    batch = [
        make_signal(1, author_handle="@Acme@piaille.fr"),
        make_signal(2, author_handle="@acme@autre.social"),
        make_signal(3, channel="telegram", author="123456", author_handle="@someone"),
        make_signal(4, channel="bluesky", author_handle="@acme@piaille.fr"),  # another channel
        make_signal(5, workspace="other", author_handle="@acme@piaille.fr"),  # another workspace
    ]
    assert [s.own for s in stage.enrich(batch)] == [True, False, True, False, False]


def test_own_signals_stay_marked_after_the_privacy_stage_drops_their_handle(
    tmp_path: Path,
) -> None:
    s = settings(tmp_path)
    stages = pipeline.stages_for(s, enrich=False)
    assert [st.name for st in stages] == ["own", "privacy"]
    out = pipeline.apply(
        stages,
        [
            make_signal(1, author_handle="@acme@piaille.fr"),
            make_signal(2, channel="whatsapp", author_handle="33199004242"),
            make_signal(3, author_handle="@client@piaille.fr"),
        ],
    )
    assert [x.own for x in out] == [True, True, False]
    assert all(x.author_handle is None and x.author and x.author.startswith("a_") for x in out)
    # A signal that comes back already pseudonymised (a replay, a re-fetch) is known too.
    again = pipeline.apply(stages, [make_signal(1, author=out[0].author)])
    assert again[0].own


def test_a_workspace_without_own_accounts_gets_no_extra_stage(tmp_path: Path) -> None:
    s = settings(tmp_path, '[[workspaces]]\nid = "acme"\n')
    assert [st.name for st in pipeline.stages_for(s, enrich=False)] == ["privacy"]


def test_history_stored_before_the_declaration_is_marked_once_and_unmarked_when_withdrawn(
    tmp_path: Path,
) -> None:
    plain = settings(tmp_path, '[[workspaces]]\nid = "acme"\n')
    store = SQLiteStore(tmp_path / "pouls.db")
    batch = [
        make_signal(1, author_handle="@acme@piaille.fr"),
        make_signal(2, author_handle="@client@piaille.fr"),
    ]
    store.put(pipeline.apply(pipeline.stages_for(plain, enrich=False), batch))
    assert store.search("acme", filters=Filters(own=True)).signals == []

    declared = settings(tmp_path)
    assert pipeline.sync_own(declared, store) == 1
    assert pipeline.sync_own(declared, store) == 0  # the same declaration: nothing to do
    [mine] = store.search("acme", filters=Filters(own=True)).signals
    assert mine.id == batch[0].id and mine.own  # the column and the stored signal agree
    assert [x.id for x in store.search("acme", filters=Filters(own=False)).signals] == [batch[1].id]
    assert store.facets("acme")["own"] == {"true": 1, "false": 1}

    assert pipeline.sync_own(plain, store) == 1  # withdrawn: the history follows
    assert store.facets("acme")["own"] == {"false": 2}
    got = store.get("acme", batch[0].id)
    assert got is not None and not got.own
    store.close()


def test_an_unknown_channel_or_an_empty_handle_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"pouls.toml:3: `workspaces\[0\].own_accounts`: no channel 'tiktok'"
    ):
        settings(tmp_path, '[[workspaces]]\nid = "acme"\nown_accounts = { tiktok = ["acme"] }\n')
    with pytest.raises(ConfigError, match="an empty handle for instagram"):
        settings(tmp_path, '[[workspaces]]\nid = "acme"\nown_accounts = { instagram = ["@"] }\n')
