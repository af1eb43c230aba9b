from __future__ import annotations

import pytest

from pouls.enrich import scam
from pouls.enrich.markers import markers
from pouls.enrich.scam import ScamEnricher
from tests.conftest import make_signal
from tests.enrich.conftest import TOLERANCE, card_scores, needs_datasets

SCAMS = [
    "🚀 Je double vos bitcoins en 24h, contactez-moi vite sur Telegram t.me/richesse_facile",
    "Votre colis est en attente : payez 1,99€ de frais ici http://chronopost-livraison.top/paiement",
    "Congrats!! You've been selected for our ETH giveaway, send 0.1 ETH to claim 1 ETH, DM me",
    "URGENT your bank account is suspended, verify now at http://secure-paypa1.com/login",
]
HAMS = [
    "Rendez-vous à 19h devant le cinéma, je t'attends !",
    "Le prix du bitcoin a baissé de 5% cette semaine selon Les Échos",
    "Thanks for the quick fix, the app works fine now",
    "Can you send me the slides from this morning's meeting?",
]


@pytest.mark.parametrize("text", SCAMS)
def test_scam_scores_french_and_english_lures_high(text: str):
    assert scam.score([text])[0] >= 0.5


@pytest.mark.parametrize("text", HAMS)
def test_scam_scores_ordinary_messages_low(text: str):
    assert scam.score([text])[0] < 0.5


def test_markers_find_shorteners_lookalikes_phones_money_and_redirections():
    found = markers("Gagne 500€ ! écris-moi sur WhatsApp +33 6 12 34 56 78 ou bit.ly/abc")
    for cue in ("__short_url__", "__phone__", "__money__", "__redirect__", "__giveaway__"):
        assert cue in found
    assert "__lookalike_url__" in markers("log in at http://amazon-secure-login.xyz/verify")
    assert markers("bonne journée à tous") == []


def test_scam_enricher_sets_a_score_per_signal():
    out = ScamEnricher().enrich([make_signal(1, SCAMS[0]), make_signal(2, HAMS[0])])
    assert out[0].scam is not None and out[1].scam is not None
    assert out[0].scam > out[1].scam


@pytest.mark.datasets
@needs_datasets
def test_spam_val_macro_f1_holds_the_model_card_figure():
    from scripts.models import data
    from scripts.models.train import macro_f1

    texts, labels = data.sms_spam("val")
    predicted = ["spam" if s >= 0.5 else "ham" for s in scam.score(texts)]
    assert macro_f1(labels, predicted) >= card_scores("spam")["en"] - TOLERANCE


def test_batch_markers_match_the_plain_regexes_text_by_text():
    from pouls.enrich.markers import _one, batch_markers

    texts = [*SCAMS, *HAMS, "Mot De Passe expiré, ÉCRIVEZ-MOI sur WA.ME/3361", "", "OK!!!"]
    assert batch_markers(texts) == [_one(t) for t in texts]


def test_batch_markers_gates_match_the_plain_regexes_on_random_texts():
    """The literal pre-checks (money, phrases, links) never skip a text the regexes match."""
    import random

    from pouls.enrich.markers import _one, batch_markers

    pieces = [
        *("500", "2 000", "1,5", "12.", "$", "€", "£", " k", "k", "K", "\u212a", "EUR", "eur"),
        *("euros", "Usd", "dollars", "BTC", "eth", "usdt", "ſ", "ı", "İ", "seed phrase", "pass"),
        *("passive income", "wa.me", "T.ME/x", "écrivez-moi", "text me", "add me", "act NOW"),
        *("aujourd'hui", "Last Chance", "doubler votre", "mot de passe", "bit.ly/x", "www."),
        *("https://paypa1.co", "FREE", "gagnez", "dm", "+33 6 12 34 56 78", " ", " ", "\n"),
        *("a", "é", "_", ".", ",", "!", "-", "'", "\t", "x10", "win"),
    ]
    rng = random.Random(11)
    for _ in range(40):
        texts = [
            "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12)))
            for _ in range(rng.randrange(1, 60))
        ]
        if rng.random() < 0.5:  # most batches without the odd case-folding letters
            texts = [t.replace("ſ", "s").replace("ı", "i").replace("İ", "I") for t in texts]
        assert batch_markers(texts) == [_one(t) for t in texts]
