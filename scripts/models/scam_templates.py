"""Hand-written French and English social-media scam and ordinary messages, for the spam model.

The SMS collection has no crypto lures, no "DM me on Telegram" and no French: these templates
(written for pouls, not taken from any data set) teach the model those cues. Fixed seed.
"""

from __future__ import annotations

import random

SCAM = [
    "🎁 {giveaway} ! Les {n} premiers à m'écrire sur {app} reçoivent {money} en {coin} 🚀",
    "{giveaway}: first {n} people to DM me on {app} get {money} in {coin}!! {link}",
    "J'ai transformé {money} en {money2} en une semaine avec le trading {coin}, écris-moi sur {app} 📈",
    "I turned {money} into {money2} in 7 days trading {coin}. Message me on {app} to learn how",
    "Votre colis est bloqué, réglez {money} de frais de livraison ici : {link}",
    "Your parcel is on hold. Pay the {money} delivery fee now: {link}",
    "Votre compte {brand} sera suspendu sous 24h. Vérifiez vos identifiants : {link}",
    "Your {brand} account has been locked. Verify your login now: {link}",
    "Investissez {money} aujourd'hui et recevez {money2} garantis. Contact {app} {phone}",
    "Invest {money} today and get {money2} guaranteed returns. {app}: {phone}",
    "Félicitations ! Vous avez gagné un {prize}. Réclamez votre cadeau : {link}",
    "Congratulations! You won a {prize}. Claim your reward before it expires: {link}",
    "Revenu passif de {money} par jour 💸 sans rien faire, lien en bio ou {app} {phone}",
    "Passive income {money}/day 💰 no experience needed, DM me or join {link}",
    "Airdrop {coin} officiel : connectez votre wallet pour recevoir {money} {link}",
    "Official {coin} airdrop: connect your wallet to receive {money} {link}",
    "Je rembourse toutes vos pertes crypto, contactez mon conseiller sur {app} {phone}",
    "Recover your lost crypto! Contact our expert on {app} {phone}",
    "Dernière chance ! {prize} à gagner, clique vite {link} 🔥🔥",
    "Last chance!! Win a {prize} now, click {link} 🔥",
    # Fake support, fake refunds, loans and sales paid by transfer (issue 13's brand set
    # missed them): written for pouls like the rest.
    "Ici le service client {brand}. Pour sécuriser votre compte, communiquez-moi le code reçu par SMS",
    "This is {brand} support. To secure your account, tell me the code we just texted you",
    "{brand} : un remboursement de {money} vous attend, saisissez votre IBAN sur {link}",
    "{brand}: a refund of {money} is waiting, enter your bank details at {link}",
    "{brand} : échec du prélèvement de votre facture, mettez à jour votre carte sur {link}",
    "{brand}: your last payment failed, update your card at {link} to avoid suspension",
    "Prêt entre particuliers sans justificatif, réponse en 24h, écrivez-moi sur {app}",
    "Personal loans with no credit check, approval in 24h, message me on {app}",
    "Marques de luxe à -90%, paiement par virement ou carte cadeau uniquement, écrivez en {app}",
    "Designer bags 90% off, payment by bank transfer or gift card only, {app} to order",
    "{brand} vous offre {prize} ! Likez, partagez et réglez {money} de frais sur {link}",
    "{brand} is giving away a {prize}! Like, share and pay a {money} admin fee at {link}",
]
HAM = [
    "Merci pour votre réponse rapide, le problème de livraison est réglé 👍",
    "Thanks for the quick reply, my delivery issue is sorted now 👍",
    "Le concert de {name} hier soir était incroyable, vivement la prochaine date !",
    "{name}'s concert last night was amazing, can't wait for the next one!",
    "Quelqu'un sait à quelle heure ouvre la boutique {brand} de {city} dimanche ?",
    "Does anyone know when the {brand} store in {city} opens on Sunday?",
    "Trois heures d'attente au service client {brand}, c'est inadmissible",
    "Three hours on hold with {brand} customer service, unacceptable",
    "Réunion à {hour}h demain, pensez à apporter le rapport",
    "Meeting at {hour} tomorrow, please bring the report",
    "J'ai payé {money} pour ce repas et c'était délicieux, je recommande",
    "Paid {money} for dinner and it was worth every cent",
    "Le bitcoin a encore baissé aujourd'hui, les marchés sont nerveux selon {name}",
    "Bitcoin fell again today; analysts say markets are nervous",
    "Vous pouvez me contacter par mail pour le dossier, je réponds sous 48h",
    "You can reach our support team by e-mail, we answer within two days",
    "Gagné 2-0 ce soir, quelle équipe ! Bravo à {name}",
    "We won 2-0 tonight, what a team! Well done {name}",
    "Le nouveau {brand} est sorti, quelqu'un l'a essayé ?",
    "The new {brand} phone is out, has anyone tried it?",
    "Retrouvez l'article complet sur notre site {link}",
    "Full article on our website {link}",
    "Bonjour {name}, nous transmettons votre demande au service concerné, qui vous répondra sous 48h",
    "Hi {name}, we've passed your claim to our complaints team, who will reply within 15 days",
    "Merci pour votre message, nous transmettons vos remerciements à l'équipe de {city} !",
    "Thanks for your message, we'll pass your kind words on to the team in {city}!",
    "Ma conseillère a été très réactive, prêt validé en une semaine",
    "My adviser was really quick, the loan was approved within a week",
    "Ne communiquez jamais le code reçu par SMS : {brand} ne vous le demandera jamais",
    "Never share the code we text you: {brand} will never ask for it",
]
SLOTS = {
    "giveaway": ["GIVEAWAY", "Cadeau", "Concours", "FREE GIVEAWAY", "Offre exclusive", "Bonus"],
    "n": ["10", "50", "100", "20"],
    "app": ["WhatsApp", "Telegram", "Signal", "wa.me/33612345678", "t.me/gainsrapides", "DM", "MP"],
    "money": ["500€", "$1,000", "2 000 €", "300 USD", "£250", "1000 euros", "5k$"],
    "money2": ["15 000€", "$20,000", "50 000 €", "10k$"],
    "coin": ["BTC", "Bitcoin", "ETH", "USDT", "crypto", "Solana"],
    "link": [
        "bit.ly/3xYz9",
        "https://tinyurl.com/cadeau-2k",
        "http://paypa1-secure.com/login",
        "https://amazon-verif.xyz/colis",
        "cutt.ly/win",
        "https://ameli-remboursement.info",
        "https://lapost3-suivi.top/c",
    ],
    "brand": ["PayPal", "Amazon", "Netflix", "La Poste", "Ameli", "Orange", "Binance"],
    "prize": ["iPhone 16", "bon d'achat de 1000€", "voyage à Bali", "$500 gift card", "PS5"],
    "phone": ["+33 6 12 34 56 78", "+44 7700 900123", "06.98.76.54.32", "+1 555 012 3456"],
    "name": ["Angèle", "Stromae", "Mbappé", "Taylor", "Léa", "Karim"],
    "city": ["Lyon", "Lille", "Bordeaux", "Nantes", "Toulouse"],
    "hour": ["9", "14", "10:30", "17"],
}
HAM_LINKS = [
    "https://www.lemonde.fr/article",
    "https://www.bbc.co.uk/news",
    "https://pouls.example/blog",
]


def _fill(template: str, rng: random.Random, ham: bool) -> str:
    slots = {k: rng.choice(v) for k, v in SLOTS.items()}
    if ham:
        slots["link"] = rng.choice(HAM_LINKS)
        slots["money"] = rng.choice(["25€", "$40", "18 euros", "£12"])
    return template.format(**slots)


def generate(count: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """`count` messages per class, labelled spam or ham."""
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(count):
        texts.append(_fill(rng.choice(SCAM), rng, ham=False))
        labels.append("spam")
        texts.append(_fill(rng.choice(HAM), rng, ham=True))
        labels.append("ham")
    return texts, labels
