"""In-domain training messages for the fast models, generated from templates written for pouls.

The public training sets are tweets about politics and sport: they teach no customer
vocabulary ("ma commande", "le technicien", "remboursement"), no negation idiom that praises
("rien à redire", "not bad at all"), no complaint without a negative word ("trois semaines que
j'attends") and no ordinary message that looks rude to a word counter ("un café noir"). These
templates do, in French and English. They are written apart from the brand set
(datasets/brand, validation only): other brands, other wording, and `generate` refuses any
text that the brand set holds. Fixed seed: a rerun gives the same messages.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

BRAND_SET = Path(__file__).resolve().parents[2] / "datasets" / "brand"


@dataclass(frozen=True)
class Message:
    """One generated message and its labels."""

    text: str
    lang: str
    sentiment: str  # negative, neutral, positive
    toxic: int


# Slots shared by the templates of a language. Brands and names are invented for this file.
SLOTS = {
    "fr": {
        "brand": [
            "Boulangerie Dorée",
            "Pixel Mobile",
            "TransOuest",
            "Enerlis",
            "Crédit Sud",
            "Voyages Soleil",
            "Colis Express",
            "Super Prim",
            "Pizza Nino",
            "Hôtel du Port",
        ],
        "thing": [
            "le croissant",
            "la baguette",
            "le burger",
            "la pizza",
            "le sandwich",
            "la tarte aux pommes",
            "le menu du midi",
            "le café",
            "la livraison",
            "la box",
            "le forfait",
            "l'appli",
            "le train",
            "le bus",
            "la chambre",
            "le séjour",
            "le colis",
            "la commande",
            "le conseiller",
            "le technicien",
            "le service client",
            "le vendeur",
            "la carte bancaire",
            "le nouveau menu",
            "la facture",
        ],
        "wait": [
            "ma commande",
            "le remboursement",
            "un rappel",
            "le technicien",
            "une réponse",
            "mon colis",
            "ma carte",
            "le devis",
            "la réparation",
            "mon avoir",
        ],
        "unit": ["jours", "semaines", "mois", "heures"],
        "staff": [
            "la vendeuse",
            "le livreur",
            "la conseillère",
            "le chauffeur",
            "le serveur",
            "l'équipe",
        ],
        "city": ["Lille", "Brest", "Metz", "Tours", "Nîmes", "Annecy", "Caen", "Pau"],
        "day": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
        "pos": [
            "excellent",
            "délicieux",
            "parfait",
            "au top",
            "génial",
            "trop bon",
            "impeccable",
            "nickel",
            "une tuerie",
            "de la balle",
            "chanmé",
            "une dinguerie",
            "de la bombe",
            "incroyable",
            "super",
        ],
        "neg": [
            "froid",
            "immangeable",
            "nul",
            "raté",
            "brûlé",
            "en panne",
            "cassé",
            "lamentable",
            "trop cher pour ce que c'est",
            "une catastrophe",
            "décevant",
            "inutilisable",
        ],
        "pos_idiom": [
            "Rien à redire",
            "Rien à dire",
            "Pas déçu",
            "Pas déçue",
            "Pas mal du tout",
            "Jamais déçu",
            "Aucun souci",
            "Aucun problème",
            "Je ne regrette pas",
            "Rien à reprocher",
            "Pas une seule erreur",
            "On n'est jamais déçus",
            "Franchement pas mal",
            "Sans hésiter",
        ],
        "neg_idiom": [
            "Pas terrible",
            "Pas top",
            "Pas fameux",
            "Pas bon du tout",
            "Toujours pas de réponse",
            "Personne ne répond",
            "Ça ne marche toujours pas",
            "Plus jamais",
            "Je ne recommande pas",
            "Aucune réponse",
            "Pas du tout satisfait",
        ],
        "slang_neg": [
            "ça craint",
            "c'est abusé",
            "c'est la galère",
            "trop relou",
            "c'est chaud",
            "la loose",
        ],
        "pos_emoji": ["😍", "🔥", "👍", "❤️", "🥰", "👏", "😋", "🙌"],
        "neg_emoji": ["😡", "🤬", "👎", "😤", "🤮", "💩", "😠"],
        "neu_emoji": ["🤔", "👀", "📦", "🕐", "📍"],
        "insult": [
            "abruti",
            "crétin",
            "connard",
            "imbécile",
            "incapable",
            "guignol",
            "bouffon",
            "débile",
        ],
        "insult_pl": [
            "abrutis",
            "crétins",
            "guignols",
            "incapables",
            "bouffons",
            "escrocs",
            "charlots",
        ],
    },
    "en": {
        "brand": [
            "Golden Crust",
            "PixelTel",
            "WestLine",
            "Enerlo",
            "Southbank Credit",
            "Sunny Trips",
            "ParcelJet",
            "ValueMart",
            "Nino's Pizza",
            "Harbour Inn",
        ],
        "thing": [
            "the croissant",
            "the bread",
            "the burger",
            "the pizza",
            "the sandwich",
            "the apple pie",
            "the lunch menu",
            "the coffee",
            "the delivery",
            "the router",
            "the plan",
            "the app",
            "the train",
            "the bus",
            "the room",
            "the stay",
            "the parcel",
            "the order",
            "the adviser",
            "the engineer",
            "customer service",
            "the sales assistant",
            "the bank card",
            "the new menu",
            "the bill",
        ],
        "wait": [
            "my order",
            "the refund",
            "a callback",
            "the engineer",
            "a reply",
            "my parcel",
            "my card",
            "the quote",
            "the repair",
            "my credit note",
        ],
        "unit": ["days", "weeks", "months", "hours"],
        "staff": [
            "the cashier",
            "the courier",
            "the adviser",
            "the driver",
            "the waiter",
            "the team",
        ],
        "city": ["Leeds", "Derby", "Bath", "Hull", "Oxford", "Norwich", "Cork", "Dundee"],
        "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        "pos": [
            "excellent",
            "delicious",
            "perfect",
            "spot on",
            "brilliant",
            "so good",
            "flawless",
            "amazing",
            "fire",
            "unreal",
            "top notch",
            "lush",
            "a banger",
            "incredible",
            "great",
        ],
        "neg": [
            "cold",
            "inedible",
            "rubbish",
            "a mess",
            "burnt",
            "broken",
            "useless",
            "pathetic",
            "overpriced for what it is",
            "a disaster",
            "disappointing",
            "unusable",
        ],
        "pos_idiom": [
            "Not bad at all",
            "Can't complain",
            "No complaints",
            "Couldn't fault it",
            "Never disappointed",
            "Not disappointed",
            "No problems at all",
            "Don't regret it",
            "Nothing to complain about",
            "Not a single issue",
            "Never had a bad one",
            "Can't fault them",
            "Wouldn't hesitate",
            "No issues whatsoever",
        ],
        "neg_idiom": [
            "Not great",
            "Not good",
            "Not impressed",
            "Not good at all",
            "Still no reply",
            "Nobody answers",
            "Still not working",
            "Never again",
            "Wouldn't recommend",
            "No response",
            "Not happy at all",
        ],
        "slang_neg": [
            "that sucks",
            "not having it",
            "what a joke",
            "so annoying",
            "proper rubbish",
            "such a faff",
        ],
        "pos_emoji": ["😍", "🔥", "👍", "❤️", "🥰", "👏", "😋", "🙌"],
        "neg_emoji": ["😡", "🤬", "👎", "😤", "🤮", "💩", "😠"],
        "neu_emoji": ["🤔", "👀", "📦", "🕐", "📍"],
        "insult": ["idiot", "moron", "muppet", "clown", "prat", "halfwit", "numpty", "tosser"],
        "insult_pl": ["idiots", "morons", "clowns", "muppets", "crooks", "cowboys", "halfwits"],
    },
}

# (sentiment, toxic, template). "{x}" picks from SLOTS; "{n}" a small number.
TEMPLATES: dict[str, list[tuple[str, int, str]]] = {
    "fr": [
        ("positive", 0, "{thing} est {pos}, merci {brand} !"),
        ("positive", 0, "{pos_idiom}, {thing} était {pos}"),
        ("positive", 0, "{pos_idiom} de {brand}, je recommande"),
        ("positive", 0, "{pos_idiom} {pos_emoji}"),
        ("positive", 0, "{pos_idiom}, on reviendra"),
        ("positive", 0, "Franchement {thing} de chez {brand} c'est {pos} {pos_emoji}"),
        ("positive", 0, "Merci à {staff} de {brand} pour sa gentillesse"),
        ("positive", 0, "Bravo à {staff}, service {pos}"),
        ("positive", 0, "{thing}, {pos}. Rien à ajouter."),
        ("positive", 0, "Je n'ai jamais eu de problème avec {brand}"),
        ("positive", 0, "Ça faisait longtemps que je n'avais pas mangé un truc aussi bon"),
        ("positive", 0, "Super accueil à {city}, {staff} au petit soin"),
        ("positive", 0, "{pos_emoji}{pos_emoji}"),
        ("positive", 0, "Merci pour votre retour, toute l'équipe {brand} est ravie !"),
        ("negative", 0, "{thing} était {neg}, plus jamais"),
        ("negative", 0, "{neg_idiom}, {thing} {neg}"),
        ("negative", 0, "{neg_idiom} {neg_emoji}"),
        ("negative", 0, "{n} {unit} que j'attends {wait}"),
        ("negative", 0, "Ça fait {n} {unit} que j'attends {wait} de {brand}"),
        ("negative", 0, "Toujours rien depuis {n} {unit}. Toujours."),
        ("negative", 0, "{n}e relance pour {wait}, toujours rien"),
        ("negative", 0, "On m'avait promis {wait} sous 48h, c'était il y a {n} {unit}"),
        ("negative", 0, "{n} appels, {n} conseillers, zéro solution"),
        ("negative", 0, "Commandé {day} dernier, {wait} toujours pas là"),
        (
            "negative",
            0,
            "Intoxication alimentaire après {thing} de {brand}, on a fini aux urgences",
        ),
        ("negative", 0, "Malade toute la nuit après le repas chez {brand}"),
        ("negative", 0, "Le chargeur a pris feu pendant la nuit, c'est dangereux"),
        ("negative", 0, "Un morceau de verre dans {thing}, mon fils a failli l'avaler"),
        ("negative", 0, "Merci {brand} pour {thing} {neg}, vraiment bravo 👏"),
        ("negative", 0, "Génial, {thing} encore {neg}. On progresse 🙃"),
        ("negative", 0, "Super le service, {n} {unit} pour {wait}. Bravo."),
        ("negative", 0, "{thing} {neg}, {slang_neg}"),
        ("negative", 0, "{slang_neg}, encore {thing} {neg}"),
        ("negative", 0, "{neg_emoji}{neg_emoji}"),
        ("negative", 0, "Service client injoignable, {thing} {neg} et aucun geste"),
        ("negative", 1, "{staff} est un {insult}, aucun respect"),
        ("negative", 1, "Bande d'{insult_pl}, vous êtes pas foutus de livrer {wait}"),
        ("negative", 1, "{brand} vous êtes des {insult_pl}"),
        ("negative", 1, "Espèce d'{insult}, apprends à faire ton travail"),
        ("negative", 1, "Ferme-la {insult}, t'as rien compris"),
        ("negative", 1, "Allez vous faire foutre avec {thing}"),
        ("neutral", 0, "Vous ouvrez à quelle heure {day} ?"),
        ("neutral", 0, "Est-ce que {thing} est disponible à {city} ?"),
        ("neutral", 0, "C'est combien {thing} chez {brand} ?"),
        ("neutral", 0, "Quelqu'un sait si {brand} livre {day} ?"),
        ("neutral", 0, "On peut payer {thing} en plusieurs fois ?"),
        ("neutral", 0, "{brand} ouvre une boutique à {city} {day} prochain"),
        ("neutral", 0, "Je passe prendre {wait} {day}"),
        ("neutral", 0, "Livraison prévue {day}, on verra"),
        ("neutral", 0, "Rendez-vous {day} à {city}"),
        ("neutral", 0, "On y va {day} ?"),
        ("neutral", 0, "Bien reçu, merci"),
        ("neutral", 0, "C'est noté pour {day}"),
        (
            "neutral",
            0,
            "Bonjour, pouvez-vous nous écrire en message privé avec votre numéro de dossier ?",
        ),
        ("neutral", 0, "Bonjour, nous transmettons votre demande au service concerné."),
        ("neutral", 0, "Bonjour, {brand} est ouvert de 8h à 19h du lundi au samedi."),
        ("neutral", 0, "Un café noir et {thing}, comme d'habitude"),
        ("neutral", 0, "On tue le temps à {city} en attendant {thing}"),
        ("neutral", 0, "{neu_emoji}"),
    ],
    "en": [
        ("positive", 0, "{thing} is {pos}, thanks {brand}!"),
        ("positive", 0, "{pos_idiom}, {thing} was {pos}"),
        ("positive", 0, "{pos_idiom} with {brand}, would recommend"),
        ("positive", 0, "{pos_idiom} {pos_emoji}"),
        ("positive", 0, "{pos_idiom}, we'll be back"),
        ("positive", 0, "Honestly {thing} from {brand} is {pos} {pos_emoji}"),
        ("positive", 0, "Thanks to {staff} at {brand} for being so kind"),
        ("positive", 0, "Well done {staff}, {pos} service"),
        ("positive", 0, "{thing}, {pos}. Nothing more to say."),
        ("positive", 0, "Never had a problem with {brand}"),
        ("positive", 0, "Haven't had anything this good in ages"),
        ("positive", 0, "Great welcome in {city}, {staff} went above and beyond"),
        ("positive", 0, "{pos_emoji}{pos_emoji}"),
        ("positive", 0, "Thanks for the lovely feedback, the whole {brand} team is delighted!"),
        ("negative", 0, "{thing} was {neg}, never again"),
        ("negative", 0, "{neg_idiom}, {thing} {neg}"),
        ("negative", 0, "{neg_idiom} {neg_emoji}"),
        ("negative", 0, "{n} {unit} waiting for {wait}"),
        ("negative", 0, "Been waiting {n} {unit} for {wait} from {brand}"),
        ("negative", 0, "Still nothing after {n} {unit}. Still."),
        ("negative", 0, "Chased {wait} {n} times, still nothing"),
        ("negative", 0, "Was promised {wait} within 48 hours, that was {n} {unit} ago"),
        ("negative", 0, "{n} calls, {n} agents, zero solutions"),
        ("negative", 0, "Ordered last {day}, {wait} still not here"),
        ("negative", 0, "Food poisoning after {thing} from {brand}, ended up in A&E"),
        ("negative", 0, "Sick all night after eating at {brand}"),
        ("negative", 0, "The charger caught fire overnight, this is dangerous"),
        ("negative", 0, "Piece of glass in {thing}, my son nearly swallowed it"),
        ("negative", 0, "Thanks {brand} for {thing} being {neg}, well done 👏"),
        ("negative", 0, "Brilliant, {thing} {neg} again. Progress 🙃"),
        ("negative", 0, "Great service, {n} {unit} for {wait}. Bravo."),
        ("negative", 0, "{thing} {neg}, {slang_neg}"),
        ("negative", 0, "{slang_neg}, {thing} {neg} again"),
        ("negative", 0, "{neg_emoji}{neg_emoji}"),
        ("negative", 0, "Can't reach customer service, {thing} {neg} and no goodwill gesture"),
        ("negative", 1, "{staff} is a complete {insult}, no respect"),
        ("negative", 1, "Bunch of {insult_pl}, can't even deliver {wait}"),
        ("negative", 1, "{brand} you are {insult_pl}"),
        ("negative", 1, "You absolute {insult}, learn to do your job"),
        ("negative", 1, "Shut up you {insult}, you understood nothing"),
        ("negative", 1, "Go to hell with {thing}"),
        ("neutral", 0, "What time do you open on {day}?"),
        ("neutral", 0, "Is {thing} available in {city}?"),
        ("neutral", 0, "How much is {thing} at {brand}?"),
        ("neutral", 0, "Does anyone know if {brand} delivers on {day}?"),
        ("neutral", 0, "Can I pay for {thing} in instalments?"),
        ("neutral", 0, "{brand} is opening a shop in {city} next {day}"),
        ("neutral", 0, "Picking up {wait} on {day}"),
        ("neutral", 0, "Delivery due {day}, we'll see"),
        ("neutral", 0, "Meeting in {city} on {day}"),
        ("neutral", 0, "Going on {day}?"),
        ("neutral", 0, "Got it, thanks"),
        ("neutral", 0, "Noted for {day}"),
        ("neutral", 0, "Hi, could you DM us your reference number?"),
        ("neutral", 0, "Hi, we've passed your request on to the right team."),
        ("neutral", 0, "Hi, {brand} is open 8am to 7pm Monday to Saturday."),
        ("neutral", 0, "A black coffee and {thing}, as usual"),
        ("neutral", 0, "Killing time in {city} waiting for {thing}"),
        ("neutral", 0, "{neu_emoji}"),
    ],
}


def _fill(template: str, slots: dict[str, list[str]], rng: random.Random) -> str:
    out = template
    while "{" in out:
        start = out.index("{")
        end = out.index("}", start)
        key = out[start + 1 : end]
        value = str(rng.randint(2, 12)) if key == "n" else rng.choice(slots[key])
        out = out[:start] + value + out[end + 1 :]
    return out[0].upper() + out[1:]


def _brand_set_texts() -> set[str]:
    found: set[str] = set()
    for path in BRAND_SET.glob("*.jsonl"):
        for line in path.read_text("utf-8").splitlines():
            if line:
                found.add(json.loads(line)["text"].casefold())
    return found


def generate(per_template: int = 12, seed: int = 20261207) -> list[Message]:
    """Distinct messages, `per_template` fills of each template at most, none of the brand set."""
    rng = random.Random(seed)
    held_out = _brand_set_texts()
    out: list[Message] = []
    seen: set[str] = set()
    for lang, templates in TEMPLATES.items():
        for sentiment, toxic, template in templates:
            for _ in range(per_template):
                text = _fill(template, SLOTS[lang], rng)
                key = text.casefold()
                if key in seen or key in held_out:
                    continue
                seen.add(key)
                out.append(Message(text, lang, sentiment, toxic))
    return out


if __name__ == "__main__":
    from collections import Counter

    found = generate()
    print(len(found), Counter((m.lang, m.sentiment, m.toxic) for m in found))
    for m in random.Random(1).sample(found, 12):
        print(m)
