"""French and English pages: the language of a request, and the French of every page string.

Templates write English and wrap it in `_()`; values shown as words (visibility, kind,
sentiment, alert status) go through the `label` filter. French is the default: pouls is for
French-speaking teams first; a browser that asks for English first gets English, and the
FR/EN switch in the header keeps a choice in a cookie.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from jinja2 import pass_context

from pouls.signals import utcnow

LANGS = ("fr", "en")
COOKIE = "pouls_lang"


def language(request: Request | None) -> str:
    """The page language: the switch's cookie, else the browser's first fr/en, else French."""
    if request is None:
        return "fr"
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGS:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGS:
            return code
    return "fr"


def translate(lang: str, text: str) -> str:
    return FR.get(text, text) if lang == "fr" else text


def _lang_of(context: Any) -> str:
    lang = context.get("lang")
    if lang in LANGS:
        return str(lang)
    return language(context.get("request"))


@pass_context
def gettext(context: Any, text: str, **values: Any) -> str:
    """`_("%(n)s signals", n=3)`: the text in the page's language, then filled in."""
    out = translate(_lang_of(context), text)
    return out % values if values else out


@pass_context
def current(context: Any) -> str:
    return _lang_of(context)


@pass_context
def ago(context: Any, when: datetime, now: datetime | None = None) -> str:
    """Short relative time, as walls show it: `now`, `5 min`, `3 h`, `2 d`, then the date."""
    fr = _lang_of(context) == "fr"
    seconds = ((now or utcnow()) - when).total_seconds()
    if seconds < 60:
        return "à l'instant" if fr else "now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86_400:
        return f"{int(seconds // 3600)} h"
    if seconds < 7 * 86_400:
        return f"{int(seconds // 86_400)} {'j' if fr else 'd'}"
    return when.strftime("%d/%m/%Y" if fr else "%d %b %Y")


@pass_context
def number(context: Any, value: int | float) -> str:
    """1,234 in English, 1 234 in French (a narrow no-break space, as French typography wants)."""
    text = f"{value:,}"
    return text.replace(",", "\u202f") if _lang_of(context) == "fr" else text


# A span as `?since=` writes it (`90m`, `12h`, `30d`, `2w`), in words: (short, singular, plural).
_SPAN_UNITS = {
    "fr": {
        "m": ("min", "minute", "minutes"),
        "h": ("h", "heure", "heures"),
        "d": ("j", "jour", "jours"),
        "w": ("sem.", "semaine", "semaines"),
    },
    "en": {
        "m": ("min", "minute", "minutes"),
        "h": ("h", "hour", "hours"),
        "d": ("days", "day", "days"),
        "w": ("weeks", "week", "weeks"),
    },
}


@pass_context
def span(context: Any, text: str, long: bool = False) -> str:
    """`30d` as `30 j` (`30 jours` when `long`) or `30 days`; anything else as it is."""
    text = str(text).strip()
    amount, unit = text[:-1], text[-1:].lower()
    units = _SPAN_UNITS[_lang_of(context)].get(unit)
    if not amount.isdigit() or units is None:
        return text
    n = int(amount)
    short, one, many = units
    if long or short in ("days", "weeks"):  # English shows days and weeks in full
        return f"{n} {one if n == 1 else many}"
    return f"{n} {short}"


_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@pass_context
def long_date(context: Any, when: datetime) -> str:
    """`Monday 21 September 2026, 14:05 UTC` or `lundi 21 septembre 2026, 14:05 UTC`."""
    if _lang_of(context) != "fr":
        return when.strftime("%A %d %B %Y, %H:%M UTC")
    day, month = _DAYS[when.weekday()], _MONTHS[when.month - 1]
    return f"{day} {when.day} {month} {when.year}, {when:%H:%M} UTC"


FR: dict[str, str] = {
    # webhooks refused while pouls is full or stopping (pouls.web.intake)
    "pouls is receiving more than it can store right now: retry after %(seconds)d s": (
        "pouls reçoit plus qu'il ne peut enregistrer en ce moment : réessayez dans %(seconds)d s"
    ),
    "pouls is stopping: retry in a moment": "pouls s'arrête : réessayez dans un instant",
    # signing in
    "Sign in": "Se connecter",
    "Sign in to pouls": "Connexion à pouls",
    "Login or e-mail": "Identifiant ou e-mail",
    "Password": "Mot de passe",
    "Wrong login or password.": "Identifiant ou mot de passe incorrect.",
    "Too many tries: try again in %(seconds)s s.": "Trop d'essais : réessayez dans %(seconds)s s.",
    "You are signed out.": "Vous êtes déconnecté.",
    "No account yet? An admin makes one with %(command)s.": (
        "Pas encore de compte ? Un administrateur en crée un avec %(command)s."
    ),
    # query errors (pouls.query words them in English; those without a value in them here)
    "A minus sign must be glued to what it leaves out, like -spam.": (
        "Un signe moins se colle à ce qu'il exclut, comme -spam."
    ),
    "A wildcard needs at least 3 letters before the *, like ecol*.": (
        "Une troncature demande au moins 3 lettres avant le *, comme ecol*."
    ),
    "A wildcard needs at least 3 letters before the first ?, like wom?n.": (
        "Un joker demande au moins 3 lettres avant le premier ?, comme wom?n."
    ),
    "AND and OR are mixed without parentheses (a space between words means AND). Add"
    " parentheses to say what goes together, like (a AND b) OR c.": (
        "AND et OR sont mélangés sans parenthèses (un espace entre deux mots vaut AND)."
        " Ajoutez des parenthèses pour dire ce qui va ensemble, comme (a AND b) OR c."
    ),
    "NEAR cannot take NOT: put the NOT before the whole NEAR.": (
        "NEAR ne prend pas de NOT : mettez le NOT devant tout le NEAR."
    ),
    "NEAR needs a distance in words, like NEAR/5 (or NEAR/5f to keep the order).": (
        "NEAR demande une distance en mots, comme NEAR/5 (ou NEAR/5f pour garder l'ordre)."
    ),
    "NEAR works with words, phrases, wildcards like ecol*, and OR groups of those.": (
        "NEAR s'applique à des mots, des expressions, des troncatures comme ecol* et des"
        " groupes OR de ceux-ci."
    ),
    "OR needs a value on both sides.": "OR demande une valeur de chaque côté.",
    "The * wildcard only works at the end of a word, like ecol*.": (
        "La troncature * ne s'utilise qu'en fin de mot, comme ecol*."
    ),
    "The * wildcard works on one word, like ecol*.": (
        "La troncature * s'applique à un seul mot, comme ecol*."
    ),
    "The ? wildcard works inside one word, like wom?n.": (
        "Le joker ? s'utilise à l'intérieur d'un mot, comme wom?n."
    ),
    "The query ends too early: a search term is missing.": (
        "La requête s'arrête trop tôt : il manque un terme à chercher."
    ),
    "The query is empty: type at least one word.": "La requête est vide : tapez au moins un mot.",
    "These parentheses are empty.": "Ces parenthèses sont vides.",
    "This ) has no ( to match it.": "Cette ) n'a pas de ( correspondante.",
    "This parenthesis is never closed: add a ) after the last value.": (
        "Cette parenthèse n'est jamais fermée : ajoutez une ) après la dernière valeur."
    ),
    "This parenthesis is never closed: add a ) where the group ends.": (
        "Cette parenthèse n'est jamais fermée : ajoutez une ) là où le groupe se termine."
    ),
    "This quote is never closed: add a closing quote at the end of the phrase.": (
        "Ces guillemets ne sont jamais fermés : ajoutez un guillemet à la fin de l'expression."
    ),
    "Wildcards do not work inside quotes: write the word outside them, like ecol*.": (
        "Les troncatures ne marchent pas entre guillemets : écrivez le mot hors des"
        " guillemets, comme ecol*."
    ),
    "author: needs a name after the @, like author:@someone.": (
        "author: demande un nom après le @, comme author:@quelquun."
    ),
    "country: takes a two-letter country code, like country:fr or country:ca.": (
        "country: prend un code pays de deux lettres, comme country:fr ou country:ca."
    ),
    "lang: takes a two-letter language code, like lang:fr or lang:en.": (
        "lang: prend un code de langue de deux lettres, comme lang:fr ou lang:en."
    ),
    "site: takes a domain name, like site:lemonde.fr.": (
        "site: prend un nom de domaine, comme site:lemonde.fr."
    ),
    # error pages
    "This request cannot be read": "Cette demande est illisible",
    "Sign in first": "Connectez-vous d'abord",
    "Not allowed": "Accès refusé",
    "Not found": "Introuvable",
    "Too many tries": "Trop d'essais",
    "Something went wrong": "Un problème est survenu",
    "no such signal in this workspace": "Ce signal n'existe pas dans cet espace.",
    "no such alert in this workspace": "Cette alerte n'existe pas dans cet espace.",
    "no such topic in this workspace": "Ce sujet n'existe pas dans cet espace.",
    "Not Found": "Cette page n'existe pas.",
    "this form must be sent from pouls itself": "Ce formulaire doit être envoyé depuis pouls.",
    # header, navigation, account
    "Topics": "Sujets",
    "Alerts": "Alertes",
    "Crisis": "Crises",
    "Sign out": "Se déconnecter",
    "Sections": "Rubriques",
    "Language": "Langue",
    # wall
    "signals": "signaux",
    "matching": "pour",
    "Search": "Rechercher",
    "Search signals": "Rechercher des signaux",
    'Search: tarte* AND (malade* OR intoxiqu*), "ma commande", #MaisonLumiere, lang:fr': (
        'Rechercher : tarte* AND (malade* OR intoxiqu*), "ma commande", #MaisonLumiere, lang:fr'
    ),
    'Boolean query: AND, OR, NOT or -, parentheses, "phrases", word*, #hashtag, @mention,'
    " a NEAR/5 b, fields lang: channel: kind: visibility: sentiment: site: country:": (
        'Requête booléenne : AND, OR, NOT ou -, parenthèses, "expressions", mot*, #hashtag,'
        " @mention, a NEAR/5 b, champs lang: channel: kind: visibility: sentiment: site:"
        " country:"
    ),
    "Filters": "Filtres",
    "Channels": "Canaux",
    "Visibility": "Visibilité",
    "Kinds": "Types",
    "Sources": "Sources",
    "Languages": "Langues",
    "× all": "× tout",
    "connecting…": "connexion…",
    "live": "en direct",
    "reconnecting…": "reconnexion…",
    "new": "nouveaux",
    "This query cannot be read:": "Cette requête est illisible :",
    "column": "colonne",
    "Examples:": "Exemples :",
    "See the query language reference.": "Voir la référence du langage de requête.",
    # the query language page (/help/query)
    "Query language": "Langage de requête",
    "The query language": "Le langage de requête",
    "A topic is a saved query; the search box of the wall takes the same language. Case and accents do not matter; words are cut at spaces and punctuation.": (
        "Un sujet est une requête enregistrée ; la recherche du mur prend le même langage. La"
        " casse et les accents ne comptent pas ; les mots sont coupés aux espaces et à la"
        " ponctuation."
    ),
    "You write": "Vous écrivez",
    "It finds": "Cela trouve",
    "the whole word, in the title or the text: école, École, l'école": (
        "le mot entier, dans le titre ou le texte : école, École, l'école"
    ),
    "the words next to each other, in this order": "les mots côte à côte, dans cet ordre",
    "the words that start with ecol (3 letters at least before the *)": (
        "les mots qui commencent par ecol (3 lettres au moins avant l'*)"
    ),
    "one letter or digit in place of each ?": "une lettre ou un chiffre à la place de chaque ?",
    "the hashtag only; mentions of the account": "le hashtag seulement ; les mentions du compte",
    "both words": "les deux mots",
    "at least one of them": "au moins l'un des deux",
    "nike, and not job": "nike, et pas job",
    "parentheses group; AND and OR are never mixed without them": (
        "les parenthèses groupent ; AND et OR ne se mélangent jamais sans elles"
    ),
    "both, in any order, with at most 5 words between them": (
        "les deux, dans n'importe quel ordre, avec au plus 5 mots entre eux"
    ),
    "the same, in the written order": "de même, dans l'ordre écrit",
    "this exact text, case, accents and punctuation included": (
        "ce texte exact, casse, accents et ponctuation compris"
    ),
    "Fields": "Champs",
    "Field": "Champ",
    "Compares with": "Compare avec",
    "Example": "Exemple",
    "language code; lang:fr also finds fr-CA": "code de langue ; lang:fr trouve aussi fr-CA",
    "mastodon, bluesky, rss, telegram…": "mastodon, bluesky, rss, telegram…",
    "the configured source's name": "le nom de la source configurée",
    "post, comment, reply, message, article, review, reading, checkin": (
        "post, comment, reply, message, article, review, reading, checkin"
    ),
    "public, private, press": "public, private, press",
    "author id or handle (a leading @ is ignored)": (
        "id ou pseudo de l'auteur (un @ initial est ignoré)"
    ),
    "negative, neutral, positive": "negative, neutral, positive",
    "the link's domain; subdomains match, www. is ignored": (
        "le domaine du lien ; les sous-domaines comptent, www. est ignoré"
    ),
    "two-letter country code": "code de pays à deux lettres",
    "A field takes several values in parentheses, separated by OR, and can be negated:": (
        "Un champ prend plusieurs valeurs entre parenthèses, séparées par OR, et se nie :"
    ),
    "On the command line, pouls query check QUERY shows a query in its normalised form or where it is wrong.": (
        "En ligne de commande, pouls query check REQUÊTE montre une requête sous sa forme"
        " normalisée, ou où elle est fausse."
    ),
    "pouls API": "API de pouls",
    "Query language reference": "Référence du langage de requête",
    "Address (not a web link, not opened):": "Adresse (pas un lien web, non ouverte) :",
    "Unexpected value for: %(names)s.": "Valeur inattendue pour : %(names)s.",
    "after: not a page cursor; use the `next` value of a previous page": (
        "after : ce n'est pas un repère de page ; reprenez la valeur `next` d'une page précédente"
    ),
    "Request too large": "Demande trop grande",
    "unknown time zone %(zone)s: use an IANA name such as Europe/Paris": (
        "fuseau horaire inconnu %(zone)s : utilisez un nom IANA comme Europe/Paris"
    ),
    "unknown range %(value)s: choose one of %(choices)s, or give dates": (
        "période inconnue %(value)s : choisissez parmi %(choices)s, ou donnez des dates"
    ),
    "give either a preset range or since/until dates, not both": (
        "donnez soit une période prédéfinie, soit des dates since/until, pas les deux"
    ),
    "the range ends before it starts: %(until)s is not after %(since)s": (
        "la période finit avant de commencer : %(until)s n'est pas après %(since)s"
    ),
    "%(name)s: %(value)s is not a date; write 2026-11-30, 2026-11-30T14:00, 24h, 7d or 2w": (
        "%(name)s : %(value)s n'est pas une date ; écrivez 2026-11-30, 2026-11-30T14:00, 24h,"
        " 7d ou 2w"
    ),
    "%(name)s: %(value)s is out of range": "%(name)s : %(value)s est hors des limites",
    "%(value)s is not a span such as 24h or 7d": "%(value)s n'est pas une durée comme 24h ou 7d",
    "%(value)s is an empty span: use at least 1": "%(value)s est une durée nulle : au moins 1",
    "%(value)s is out of range": "%(value)s est hors des limites",
    "since: a duration such as 12h, 30d or 2w": "since : une durée comme 12h, 30d ou 2w",
    "since: ten years at most": "since : dix ans au plus",
    "Nothing here yet.": "Rien pour l'instant.",
    "Try fewer words or clear a filter.": "Essayez moins de mots ou retirez un filtre.",
    "New signals appear at the top as soon as they are stored.": (
        "Les nouveaux signaux apparaissent en haut dès qu'ils sont enregistrés."
    ),
    "Older signals": "Signaux plus anciens",
    "unknown": "inconnu",
    "scam": "arnaque",
    "near-duplicate cluster": "groupe de quasi-doublons",
    # signal page
    "← Back to the wall": "← Retour au mur",
    "Open on %(channel)s ↗": "Ouvrir sur %(channel)s ↗",
    "Author": "Auteur",
    "Source": "Source",
    "Sentiment": "Sentiment",
    "Risks": "Risques",
    "Accounts": "Comptes",
    "Your accounts": "Vos comptes",
    "Others": "Les autres",
    "your account": "votre compte",
    "Posted by one of this workspace's own accounts": "Publié par l'un des comptes de cet espace",
    "Toxicity": "Toxicité",
    "Scam": "Arnaque",
    "Entities": "Entités",
    "Near-duplicates": "Quasi-doublons",
    "cluster": "groupe",
    "Place": "Lieu",
    "Metrics": "Mesures",
    "Value": "Valeur",
    "Conversation": "Conversation",
    "Observed": "Observé",
    "Id": "Identifiant",
    "native": "natif",
    "Stored record (JSON)": "Enregistrement stocké (JSON)",
    "likes": "j'aime",
    "shares": "partages",
    "replies": "réponses",
    "followers": "abonnés",
    # alerts
    "All": "Toutes",
    "Open": "Ouvertes",
    "Closed": "Terminées",
    "Status": "État",
    "No alerts in this workspace yet.": "Aucune alerte dans cet espace pour l'instant.",
    "No %(status)s alerts in this workspace yet.": (
        "Aucune alerte « %(status)s » dans cet espace pour l'instant."
    ),
    "Rules raise them as signals arrive; %(command)s shows what a rule would raise on history.": (
        "Les règles les lèvent à l'arrivée des signaux ; %(command)s montre ce qu'une règle"
        " aurait levé sur l'historique."
    ),
    "Alert": "Alerte",
    "Rule": "Règle",
    "Opened": "Ouverte",
    "Updated": "Mise à jour",
    "Peak": "Pic",
    "Usual → observed": "Habituel → observé",
    "Deliveries": "Envois",
    "none": "aucun",
    "sent": "envoyés",
    "failed": "échoués",
    "attempt(s)": "essai(s)",
    "← Alerts": "← Alertes",
    "rule": "règle",
    "since": "depuis",
    "the story's signals per hour, the escalation's hour in red": (
        "les signaux de l'histoire par heure, l'heure de l'escalade en rouge"
    ),
    "the story's signals per hour up to %(end)s UTC (in red); observed and usual: people at"
    " the level reached and at the level before": (
        "signaux de l'histoire par heure jusqu'à %(end)s UTC (en rouge) ; observé et habituel :"
        " personnes au niveau atteint et au niveau d'avant"
    ),
    "%(metric)s per %(step)s min, the alert's step in red, the usual level dashed": (
        "%(metric)s par %(step)s min, le pas de l'alerte en rouge, le niveau habituel en pointillés"
    ),
    "%(metric)s per %(step)s min; last step %(start)s–%(end)s UTC in red; dashed: usual level": (
        "%(metric)s par %(step)s min ; dernier pas %(start)s–%(end)s UTC en rouge ; pointillés :"
        " niveau habituel"
    ),
    "copies of the text per %(step)s min, the latest in red": (
        "copies du texte par %(step)s min, la dernière en rouge"
    ),
    "copies of the text per %(step)s min up to %(end)s UTC, the latest in red; first copy"
    " %(start)s UTC; observed: copies, usual: copies seen before the campaign": (
        "copies du texte par %(step)s min jusqu'à %(end)s UTC, la dernière en rouge ; première"
        " copie %(start)s UTC ; observé : copies, habituel : copies vues avant la campagne"
    ),
    "%(metric)s per %(step)s min, the latest in red": (
        "%(metric)s par %(step)s min, le dernier pas en rouge"
    ),
    "%(metric)s per %(step)s min up to %(end)s UTC, the latest in red; new words counted over"
    " %(start)s–%(end)s UTC; dashed: the newest word's usual count": (
        "%(metric)s par %(step)s min jusqu'à %(end)s UTC, le dernier pas en rouge ; nouveaux"
        " mots comptés sur %(start)s–%(end)s UTC ; pointillés : nombre habituel du mot le plus"
        " nouveau"
    ),
    "usual": "habituel",
    "over %(n)s signal(s)": "sur %(n)s signal(aux)",
    "Rising terms": "Termes en hausse",
    "in %(n)s signals": "dans %(n)s signaux",
    "the usual rate": "le taux habituel",
    "Authors": "Auteurs",
    "Representative signals": "Signaux représentatifs",
    "No explanation recorded for this alert.": "Aucune explication enregistrée pour cette alerte.",
    "History": "Historique",
    "When (UTC)": "Quand (UTC)",
    "Change": "Changement",
    "Usual": "Habituel",
    "Score": "Score",
    "Sink": "Canal d'envoi",
    "What": "Quoi",
    "Attempt": "Essai",
    "Result": "Résultat",
    "Detail": "Détail",
    "retrying": "nouvel essai prévu",
    "Nothing delivered: the rule names no sink.": (
        "Rien d'envoyé : la règle ne nomme aucun canal d'envoi."
    ),
    # crisis
    "Stories escalating": "Histoires qui s'étendent",
    "Period": "Période",
    "A story told in private messages that reaches public posts, then the press (last %(since)s).": (
        "Une histoire racontée en messages privés qui gagne les publications publiques, puis la"
        " presse (derniers %(since)s)."
    ),
    "No story escalated over the last %(since)s.": (
        "Aucune histoire ne s'est étendue sur les derniers %(since)s."
    ),
    "Story": "Histoire",
    "signal(s)": "signal(aux)",
    "people": "personnes",
    "not yet": "pas encore",
    "at": "le",
    # rules
    "Rules": "Règles",
    "What raises alerts. Try a rule on history before trusting it.": (
        "Ce qui lève les alertes. Essayez une règle sur l'historique avant de vous y fier."
    ),
    "No rules in this workspace yet: declare them in pouls.toml or add one with %(command)s.": (
        "Aucune règle dans cet espace : déclarez-les dans pouls.toml ou ajoutez-en une avec"
        " %(command)s."
    ),
    "Kind": "Type",
    "Watches": "Surveille",
    "Step": "Pas",
    "Sensitivity": "Sensibilité",
    "Sinks": "Envois",
    "From": "Origine",
    "the whole workspace": "tout l'espace",
    "database": "base de données",
    "← Rules": "← Règles",
    "Over the last": "Sur les derniers",
    "Replay": "Rejouer",
    "Replayed with the live code on stored history: the rule's own sensitivity is %(own)s.": (
        "Rejouée avec le code du direct sur l'historique enregistré : la sensibilité de la"
        " règle est %(own)s."
    ),
    "alert(s) it would have raised": "alerte(s) qu'elle aurait levée(s)",
    "Over": "Terminée",
    "Updates": "Mises à jour",
    "still open": "toujours en cours",
    "No alert over this period: raise the sensitivity to see what it would take.": (
        "Aucune alerte sur cette période : montez la sensibilité pour voir ce qu'il faudrait."
    ),
    # topics
    "Saved searches: each is a feed on the wall, matched live and over history.": (
        "Recherches enregistrées : chacune est un flux du mur, appliquée en direct et sur"
        " l'historique."
    ),
    "Topic": "Sujet",
    "Query": "Requête",
    "Signals": "Signaux",
    "Tags": "Étiquettes",
    "Declared in pouls.toml": "Déclaré dans pouls.toml",
    "matching history…": "recherche dans l'historique…",
    "Edit": "Modifier",
    "Delete": "Supprimer",
    "Delete topic %(name)s? The signals stay.": "Supprimer le sujet %(name)s ? Les signaux restent.",
    "No topics in this workspace yet.": "Aucun sujet dans cet espace pour l'instant.",
    "Write a query below: it is checked as you type.": (
        "Écrivez une requête ci-dessous : elle est vérifiée pendant la saisie."
    ),
    "New topic, or change one by its name": "Nouveau sujet, ou modifier un sujet par son nom",
    "Name": "Nom",
    "Colour": "Couleur",
    "Save and match history": "Enregistrer et chercher dans l'historique",
    "Reads as": "Se lit",
    "stored signal matches.": "signal enregistré correspond.",
    "stored signals match.": "signaux enregistrés correspondent.",
    # values shown as words
    "public": "public",
    "private": "privé",
    "press": "presse",
    "post": "publication",
    "comment": "commentaire",
    "reply": "réponse",
    "message": "message",
    "article": "article",
    "review": "avis",
    "reading": "mesure",
    "checkin": "check-in",
    "negative": "négatif",
    "neutral": "neutre",
    "positive": "positif",
    "open": "en cours",
    "closed": "terminée",
    "opened": "ouverte",
    "updated": "mise à jour",
    "toxic": "toxique",
    "hate": "haine",
    "offensive": "offensant",
    "insult": "insulte",
    "threat": "menace",
    "volume": "volume",
    "reach": "portée",
    "authors": "auteurs",
    "spike": "pic",
    "threshold": "seuil",
    "match": "correspondance",
    "escalation": "escalade",
    "toxicity": "toxicité",
    "campaign": "copier-coller",
    "new_terms": "nouveaux termes",
    "rule removed": "règle supprimée",
    "replaced by a newer alert": "remplacée par une alerte plus récente",
    "Press / RSS": "Presse / RSS",
    "Reviews": "Avis",
    # Exports (the wall's menu, web/routes/export.py)
    "Export": "Exporter",
    "CSV ; (Excel in French)": "CSV ; (Excel en français)",
    "CSV , (Excel in English)": "CSV , (Excel en anglais)",
    "Excel workbook (XLSX)": "Classeur Excel (XLSX)",
    "JSON lines": "JSON lines (JSONL)",
    "Your role in this workspace does not allow exports: ask an admin or an analyst.": (
        "Votre rôle dans cet espace ne permet pas d'exporter : demandez à un administrateur"
        " ou à un analyste."
    ),
    "Nothing to export: no signal matches this selection. Widen the range or clear a filter.": (
        "Rien à exporter : aucun signal ne correspond à cette sélection. Élargissez la période"
        " ou retirez un filtre."
    ),
}
