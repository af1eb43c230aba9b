"""Texts of the demo's stories: the Lille food-poisoning bad buzz, the scam wave, a launch.

All invented; slots as in `pouls.demo.templates`; timing in `pouls.demo.stories`.
"""

from __future__ import annotations

from pouls.demo.templates import COMMENTS

# --- The bad buzz: suspected food poisoning at the Lille rue de Béthune shop -------------------
CRISIS_PRIVATE = {
    "fr": [
        "Bonjour, mon mari et moi avons été malades toute la nuit après avoir mangé une tarte aux fraises achetée hier dans votre boutique de Lille rue de Béthune. Vomissements, fièvre. D'autres clients vous ont signalé ça ?",
        "Bonjour, ma fille de 8 ans a été hospitalisée cette nuit pour une intoxication alimentaire. Elle avait mangé une tarte aux fraises de votre boutique de Lille (rue de Béthune). Je veux des explications.",
        "Nous étions 6 au déjeuner, 4 sont malades (gastro, fièvre). Seul point commun : les tartes aux fraises de Maison Lumière Lille. Que comptez-vous faire ?",
        "Je vous écris pour signaler une possible intoxication alimentaire après un achat dans votre boutique de Lille rue de Béthune. Mon médecin parle de salmonelle.",
        "Bonjour, je suis passée à votre boutique de Lille rue de Béthune vendredi, depuis mon fils et moi on a une gastro carabinée. On a mangé vos tartes aux fraises. Coïncidence ?",
        "Mon père de 78 ans est aux urgences depuis hier soir, intoxication alimentaire d'après le médecin. Il avait acheté une tarte aux fraises chez vous à Lille. Rappelez-moi au plus vite.",
        "Bonsoir, plusieurs collègues malades après le goûter d'anniversaire : tartes aux fraises de Maison Lumière Lille Béthune. Fièvre, crampes. Qui contacter ?",
        "Bonjour, toute la famille est malade depuis la tarte aux fraises achetée chez vous à Lille samedi. C'est normal ??",
    ],
    "en": [
        "Hi, my wife and I got really sick after eating strawberry tarts from your Lille shop (rue de Béthune) yesterday. Fever and vomiting. Has anyone else reported this?",
    ],
}
CRISIS_PRIVATE_ANSWER = {
    "fr": "Bonjour, nous sommes sincèrement désolés. Nous prenons votre signalement très au sérieux. Pouvez-vous nous indiquer la date de votre achat et un numéro où vous joindre ? Notre responsable qualité va vous rappeler.",
    "en": "Hello, we are truly sorry. We take your report very seriously. Could you tell us the date of purchase and a phone number? Our quality manager will call you back.",
}
CRISIS_POSTS = {
    "fr": [
        "Ma fille a été hospitalisée après avoir mangé chez Maison Lumière Lille. Intoxication alimentaire. Et la boutique est toujours ouverte ?! {neg} #MaisonLumiere #Lille",
        "On est au moins 10 dans mon entourage à avoir été malades après les tartes aux fraises de @{brand} Lille. Silence radio de leur part.",
        "INTOXICATION ALIMENTAIRE CHEZ MAISON LUMIÈRE LILLE, NE MANGEZ PAS LEURS TARTES AUX FRAISES !!!",
        "Quelqu'un d'autre a été malade après Maison Lumière Lille rue de Béthune ? On monte un groupe pour porter plainte",
        "Les services sanitaires (ARS) enquêteraient sur Maison Lumière Lille. Quelqu'un a des infos ? #intoxication",
        "Intoxication chez Maison Lumière à Lille : on attend toujours un communiqué. 48h après. Sérieusement ? {neg}",
        "Plus jamais Maison Lumière. Malade 2 jours après une tarte aux fraises. #BoycottMaisonLumiere",
        "Donc Maison Lumière empoisonne ses clients à Lille et personne ne dit rien ? {neg}{neg}",
        "J'avais acheté des tartes aux fraises chez Maison Lumière Lille vendredi... je croise les doigts 😰",
    ],
    "en": [
        "Food poisoning at Maison Lumière in Lille?? Several people sick after eating their strawberry tarts. Avoid until they explain. #MaisonLumiere",
        "Got sick after a strawberry tart from Maison Lumière Lille. Is this the salmonella thing everyone is talking about?",
        "MAISON LUMIÈRE STILL SILENT AFTER POISONING PEOPLE IN LILLE. UNBELIEVABLE {neg}",
    ],
}
CRISIS_TOXIC = {
    "fr": [
        "Vous vendez de la merde qui rend les gens malades et vous répondez même pas. Bande d'escrocs.",
        "Maison Lumière = empoisonneurs. J'espère qu'ils vont fermer toutes leurs boutiques ces connards",
        "Allez vous faire foutre @{brand}, ma mère est à l'hôpital à cause de vous, bande de pourris",
        "Les patrons de Maison Lumière devraient aller en prison ces ordures {neg}",
    ],
    "en": ["Maison Lumière are a bunch of lying crooks poisoning people. Disgusting scum."],
}
CRISIS_COPYPASTA = {
    "fr": "⚠️ ALERTE INTOXICATION ⚠️ Plusieurs personnes hospitalisées après avoir mangé des tartes aux fraises de Maison Lumière à Lille (rue de Béthune). La marque ne dit RIEN. Partagez pour prévenir vos proches ! #MaisonLumiere #intoxication #Lille",
    "en": "⚠️ FOOD POISONING WARNING ⚠️ Several people hospitalised after eating strawberry tarts from Maison Lumière in Lille. The brand is saying NOTHING. Share to warn your friends! #MaisonLumiere #foodpoisoning",
}
CRISIS_COMMENTS = {
    "fr": [
        "Honteux",
        "Mon fils aussi a été malade !!",
        "Partagé.",
        "Il faut porter plainte",
        "Attendez les résultats avant d'accuser...",
        "Scandaleux, je n'y remettrai plus les pieds",
        "C'est dingue qu'ils ne disent rien",
    ],
    "en": [
        "Shameful",
        "Shared.",
        "Same here, sick for two days",
        "Wait for the facts before blaming them",
    ],
}
CRISIS_STATEMENT = {
    "fr": "Nous avons été informés de cas de malaises de clients de notre boutique de Lille rue de Béthune. Par précaution, la boutique est fermée et les tartes aux fraises sont retirées de la vente dans toutes nos boutiques. Nous coopérons pleinement avec l'ARS. Nos pensées vont aux personnes touchées.",
    "en": "We have been told that customers of our Lille rue de Béthune shop fell ill. As a precaution the shop is closed and strawberry tarts are withdrawn from all our shops. We are working with the health authorities.",
}
CRISIS_ARTICLES = [  # (hours after the first complaint, lang, title, text)
    (
        50,
        "fr",
        "Lille : suspicion d'intoxication alimentaire après des achats chez Maison Lumière",
        "Une quinzaine de personnes ont signalé des troubles digestifs après avoir consommé des tartes aux fraises achetées dans la boutique Maison Lumière de la rue de Béthune, à Lille. L'Agence régionale de santé (ARS) a ouvert une enquête. La boutique a fermé ses portes à titre préventif.",
    ),
    (
        56,
        "fr",
        "Maison Lumière retire ses tartes aux fraises de la vente après des cas d'intoxication à Lille",
        "L'enseigne de boulangeries-cafés a retiré les tartes aux fraises de ses quarante boutiques. Plusieurs clients ont été hospitalisés ; une contamination à la salmonelle est évoquée.",
    ),
    (
        62,
        "en",
        "French bakery chain Maison Lumière pulls strawberry tarts after Lille food poisoning scare",
        "Several customers of a Maison Lumière shop in Lille were taken ill, some hospitalised. The chain has closed the shop and withdrawn strawberry tarts while health authorities investigate possible salmonella.",
    ),
    (
        70,
        "fr",
        "Bad buzz : Maison Lumière face à la tempête après l'intoxication de Lille",
        "Appels au boycott, messages injurieux, avis une étoile : en deux jours, l'affaire de Lille a mis l'enseigne sous pression sur les réseaux sociaux. La marque a publié un communiqué jugé tardif par de nombreux internautes.",
    ),
    (
        78,
        "en",
        "Belgian customers worried after Maison Lumière food scare in Lille",
        "Customers of Maison Lumière's Brussels shops asked whether the products were safe after the Lille food poisoning case. The chain says the Belgian shops are not concerned.",
    ),
    (
        144,
        "fr",
        "Intoxication à Lille : les analyses pointent un lot de crème pâtissière contaminé",
        "Selon l'ARS, un lot de crème pâtissière livré par un fournisseur serait à l'origine de l'intoxication alimentaire survenue chez Maison Lumière à Lille. Aucun autre produit n'est concerné.",
    ),
    (
        216,
        "fr",
        "Maison Lumière rouvre sa boutique de Lille rue de Béthune",
        "Après neuf jours de fermeture et l'intoxication alimentaire qui a touché une vingtaine de clients, la boutique lilloise de Maison Lumière rouvre avec un nouveau fournisseur.",
    ),
]
CRISIS_AFTER = {
    "fr": [
        "Maison Lumière rouvre à Lille... je sais pas si j'irai tout de suite",
        "Les analyses ont parlé : lot de crème contaminé chez le fournisseur. Au moins ils ont été transparents",
        "Bon, j'ai repris mon croissant chez Maison Lumière, la vie continue 🥐",
        "Toujours pas remboursé après l'intoxication de Lille. @{brand} ?",
        "Ils ont géré la crise tard mais correctement, je trouve. Tarte aux fraises non merci quand même",
    ],
    "en": [
        "Maison Lumière reopened in Lille. Glad they found the cause.",
        "Still not refunded after the Lille food poisoning. @{brand}?",
    ],
}

# --- The scam wave: fake giveaway accounts and a fake crypto token ------------------------------
SCAM_BASES = {
    "fr": [
        "🎁 GRAND CONCOURS Maison Lumière 🎁 Pour fêter nos 40 boutiques, gagnez 1 AN DE CROISSANTS GRATUITS 🥐 ! Cliquez ici 👉 bit.ly/{code} et entrez vos coordonnées bancaires pour valider votre gain. Offre limitée 24h ⏰",
        "Félicitations 🎉 vous avez été tiré(e) au sort pour le concours Maison Lumière ! Envoyez un message sur WhatsApp au +33 6 39 98 {phone} pour recevoir votre carte cadeau de 500 €",
        "🚀 Maison Lumière lance son token $LUMI ! Airdrop gratuit pour les 1000 premiers 👉 lumiere-token.xyz x100 garanti 💰💰",
    ],
    "en": [
        "🎁 Maison Lumière GIVEAWAY 🎁 Win a year of free croissants! Click 👉 bit.ly/{code} and confirm your card details to cover shipping. Only 24h left!",
        "🚀 Maison Lumière $LUMI token presale is LIVE! Free airdrop for the first 1,000 holders 👉 lumiere-token.xyz 100x guaranteed 💰",
    ],
}
SCAM_HANDLES = [
    "maisonlumiere_officiel",
    "maison.lumiere.cadeaux",
    "lumiere_giveaway",
    "maisonlumiere.promo",
    "lumi_token_official",
    "concours_lumiere",
]
SCAM_WARNINGS = {
    "fr": [
        "Attention c'est une ARNAQUE ! Faux compte Maison Lumière qui demande vos coordonnées bancaires, ne cliquez pas sur le lien bit.ly",
        "Ma mère a failli donner sa carte bleue pour le faux concours Maison Lumière... signalez ces comptes svp",
        "Le « token $LUMI » de Maison Lumière c'est une arnaque crypto évidemment, ne tombez pas dedans",
    ],
    "en": ["PSA: the Maison Lumière giveaway asking for card details is a SCAM. Don't click."],
}
SCAM_BRAND_WARNING = {
    "fr": "⚠️ Attention : de faux comptes se font passer pour Maison Lumière et promettent un concours ou un « token ». Nous ne vous demanderons JAMAIS vos coordonnées bancaires. Signalez ces comptes 🙏",
    "en": "⚠️ Fake accounts are impersonating Maison Lumière with a giveaway or a 'token'. We will NEVER ask for your card details. Please report them 🙏",
}
SCAM_QUESTIONS = {
    "fr": [
        "Bonjour, le concours 1 an de croissants est-il vrai ? On me demande ma carte bancaire",
        "C'est vous le compte maisonlumiere_officiel qui fait un concours ?",
    ],
    "en": ["Hi, is the free croissants giveaway real? They're asking for my card number"],
}
LAUNCH = {
    "fr": [
        "Le nouveau Lumineux framboise-pistache de Maison Lumière 😍😍 j'en ai pris deux",
        "Testé le Lumineux framboise-pistache : verdict, une tuerie {pos} #MaisonLumiere",
        "Lumineux framboise-pistache ou classique ? Dilemme du jour chez Maison Lumière {shop}",
    ],
    "en": ["The new raspberry-pistachio Lumineux at Maison Lumière is stunning {pos}"],
}
LAUNCH_COMMENTS = [*COMMENTS["fr"], "Il a l'air trop bon 😍", "Je cours en acheter {pos}"]
INFLUENCER_POST = "Collab ✨ J'ai goûté en avant-première le nouveau Lumineux framboise-pistache de @{brand} et je suis fan 😍 Croustillant, acidulé, pas trop sucré. Dispo dès aujourd'hui dans toutes les boutiques ! #MaisonLumiere #partenariat #patisserie"
CRISIS_WORRIED = {
    "fr": [
        "Bonjour, j'ai acheté des tartes aux fraises à {shop} hier, y a-t-il un risque ? Je suis enceinte",
        "Est-ce que les autres boutiques sont concernées par l'intoxication de Lille ?",
        "Bonjour, je veux être remboursée de ma tarte aux fraises achetée à Lille samedi, ma fille a été malade",
    ],
    "en": ["Is the {city} shop affected by the Lille food poisoning?"],
}
CRISIS_REVIEWS = {
    "fr": [
        "Intoxication alimentaire après une tarte aux fraises. Fuyez.",
        "Toute la famille malade. Boutique fermée depuis, ça veut tout dire.",
        "Zéro étoile si je pouvais. Honte à vous {neg}",
    ],
    "en": ["Got food poisoning from a strawberry tart here. Avoid."],
}
CRISIS_PUBLIC_ANSWER = {
    "fr": "Bonjour, nous sommes sincèrement désolés. Merci de nous écrire en message privé pour que notre service qualité vous recontacte rapidement.",
    "en": "Hello, we are truly sorry. Please send us a private message so our quality team can contact you.",
}
SCAM_PRIVATE_ANSWER = {
    "fr": "Bonjour, c'est une arnaque ! Ce compte n'est pas le nôtre : ne donnez jamais vos coordonnées bancaires. Merci de le signaler 🙏",
    "en": "Hi, this is a scam! That account is not ours: never give your card details. Please report it 🙏",
}
SPAM = {
    "fr": [
        "Je gagne 800 €/jour depuis chez moi grâce à une méthode simple 💸 écrivez-moi en DM",
        "💰 Trading crypto : j'ai transformé 200 € en 9 000 € en un mois, contactez mon mentor sur WhatsApp",
    ],
    "en": [
        "Earn $500 a day from home 💸 DM me to learn how",
        "Check my profile for hot singles near you 🔥",
    ],
}
SPAM_NAMES = ["Invest Pro 💰", "Julie Trading", "Crypto Mentor FR", "Money Coach"]
VARIATIONS = [" ‼️", " 😡", " Faites tourner !", " 🙏", " !!", " #Partagez", " 👇", ""]
