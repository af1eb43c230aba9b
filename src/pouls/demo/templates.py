"""Word lists and text templates of the demo brand, Maison Lumière (a fictional bakery-café chain).

Everything here is invented. Templates are `str.format` strings whose slots the generator fills:
{product} {city} {shop} {competitor} {price} {pos} {neg} {friend} {brand} {order} {day}.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


BRAND = "Maison Lumière"
APP = "Lumière+"

# (shop name, city, lat, lon, country)
SHOPS = [
    ("Paris Marais", "Paris", 48.8589, 2.3622, "FR"),
    ("Paris Batignolles", "Paris", 48.8843, 2.3200, "FR"),
    ("Paris Montparnasse", "Paris", 48.8421, 2.3219, "FR"),
    ("Lyon Croix-Rousse", "Lyon", 45.7745, 4.8320, "FR"),
    ("Lyon Part-Dieu", "Lyon", 45.7606, 4.8590, "FR"),
    ("Lille rue de Béthune", "Lille", 50.6339, 3.0614, "FR"),
    ("Lille Vieux-Lille", "Lille", 50.6410, 3.0640, "FR"),
    ("Bordeaux Chartrons", "Bordeaux", 44.8536, -0.5700, "FR"),
    ("Nantes Bouffay", "Nantes", 47.2145, -1.5530, "FR"),
    ("Marseille Vieux-Port", "Marseille", 43.2951, 5.3745, "FR"),
    ("Toulouse Capitole", "Toulouse", 43.6045, 1.4440, "FR"),
    ("Strasbourg Petite France", "Strasbourg", 48.5810, 7.7410, "FR"),
    ("Rennes Sainte-Anne", "Rennes", 48.1140, -1.6800, "FR"),
    ("Bruxelles Sablon", "Bruxelles", 50.8405, 4.3560, "BE"),
    ("Bruxelles Ixelles", "Bruxelles", 50.8270, 4.3720, "BE"),
    ("Liège Carré", "Liège", 50.6412, 5.5700, "BE"),
    ("Namur Ange", "Namur", 50.4650, 4.8660, "BE"),
]
CRISIS_SHOP = 5  # Lille rue de Béthune

PRODUCTS_FR = [
    "croissant au beurre",
    "pain au chocolat",
    "pain de campagne",
    "tarte aux fraises",
    "Lumineux",
    "flan pâtissier",
    "chausson aux pommes",
    "éclair au café",
    "baguette tradition",
    "cookie noisette",
    "sandwich jambon-beurre",
    "kouign-amann",
    "brioche",
    "éclair au chocolat",
]
FEMININE = {"tarte aux fraises", "baguette tradition", "brioche"}
PRODUCTS_EN = [
    "croissant",
    "pain au chocolat",
    "sourdough loaf",
    "strawberry tart",
    "Lumineux",
    "custard flan",
    "apple turnover",
    "coffee éclair",
    "baguette",
    "cinnamon roll",
    "filter coffee",
]
COMPETITORS = ["Fournil Delacour", "Croustille & Co", "Boulangeries Aubépine"]
# The two competitors the share of voice compares with the brand (topics in demo.toml).
RIVALS = {"Fournil Delacour": "#FournilDelacour", "Croustille & Co": "#Croustille"}
RIVAL_WEIGHTS = [3, 2]
# People talking about a competitor, the brand unnamed: {rival} and {rival_tag} are one of them.
RIVAL_POSTS = {
    "fr": {
        "pos": [
            "Les croissants de {rival} à {city} sont vraiment bons {pos}",
            "Service au top chez {rival} ce matin, je recommande {rival_tag}",
            "{rival} a sorti une galette spéciale, testée et approuvée {pos}",
            "Brunch chez {rival} à {city} : très bonne surprise {rival_tag}",
            "Promo -20 % chez {rival} ce week-end, j'en profite",
        ],
        "neu": [
            "{rival} ouvre une boutique à {city} la semaine prochaine {rival_tag}",
            "Quelqu'un a testé le nouveau pain au levain de {rival} ?",
            "{rival} ou Maison Lumière pour le goûter de dimanche ?",
            "Les horaires de {rival} {city} ont changé, ouvert dès 7h",
        ],
        "neg": [
            "Déçu par {rival} à {city} : pain rassis et accueil froid {neg}",
            "Queue interminable chez {rival} ce matin {neg} {rival_tag}",
            "{rival} a encore augmenté ses prix, {price} le croissant {neg}",
        ],
    },
    "en": {
        "pos": [
            "Tried {rival} in {city} today, lovely coffee {pos}",
            "{rival} does the best cinnamon rolls in {city} {rival_tag}",
        ],
        "neu": [
            "{rival} just opened a new shop in {city} {rival_tag}",
            "Anyone been to {rival} yet? Worth the queue?",
        ],
        "neg": [
            "{rival} croissants are overrated tbh {neg}",
            "Waited 25 minutes at {rival} for a cold coffee {neg}",
        ],
    },
}
DAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "1er mai"]
DAYS_EN = ["Monday", "Sunday", "Saturday", "bank holiday Monday", "Christmas Eve"]
POS = ["😍", "🥐", "❤️", "😋", "👌", "✨", "☀️", "🙌", "💛", ""]
NEG = ["😡", "🤬", "👎", "😤", "🙄", "😒", ""]
TAGS = ["#MaisonLumiere", "#boulangerie", "#croissant", "#viennoiserie", "#foodie", "#petitdej"]

FIRST_FR = _words(
    "Camille Léa Hugo Lucas Chloé Manon Thomas Inès Nathalie Sophie Julien Karim Yasmine Mehdi "
    "Sarah Nicolas Élodie Antoine Pauline Maxime Aurélie Théo Emma Louis Jade Chantal Bernard "
    "Sylvie Fatou Moussa Anaïs Kevin Océane Baptiste Margaux Quentin Laure Marc Isabelle Pierre "
    "Gaëlle Romain Nadia Lucie Arnaud Zoé Bastien Amandine Dorian Salomé"
)
LAST_FR = _words(
    "Roux Lefebvre Dubois Moreau Fontaine Garnier Mercier Chevalier Lambert Bonnet Faure Girard "
    "Perrin Marchand Dupuis Lemaire Vasseur Delattre Benali Haddad Nguyen Diallo Peeters "
    "Janssens Wouters Maes Claes Lecomte Caron Brunet Leroux Colin Renaud Masson Hubert"
)
FIRST_EN = _words("Emily James Olivia Jack Sophie Oliver Hannah Daniel Grace Ryan Chloe Sam Megan")
LAST_EN = _words("Walker Hughes Turner Evans Brooks Carter Bennett Price Murphy O'Brien Patel Kim")
MASTODON_HOSTS = ["piaille.fr", "mastodon.social", "framapiaf.org", "mamot.fr"]
MAIL_HOSTS = ["courriel.example", "mel.example", "post.example"]

# Recurring people: (key, name, {channel: handle}, followers, lang)
INFLUENCER = (
    "Léa Gourmande",
    {"instagram": "lea.gourmande", "bluesky": "leagourmande.bsky.social"},
    84_300,
)
JOURNALISTS = [
    (
        "Claire Vasseur",
        {"bluesky": "clairevasseur.bsky.social", "mastodon": "cvasseur@piaille.fr"},
        12_400,
    ),
    (
        "Hugo Marchetti",
        {"bluesky": "hmarchetti-conso.bsky.social", "mastodon": "hmarchetti@mamot.fr"},
        6_900,
    ),
]
# (site, name, lang, section)
NEWS_SITES = [
    ("www.le-quotidien-du-nord.fr", "Le Quotidien du Nord", "fr", "lille"),
    ("www.actu-conso.fr", "Actu Conso", "fr", "alimentation"),
    ("www.lhexagone-eco.fr", "L'Hexagone Éco", "fr", "entreprises"),
    ("www.la-gazette-lyonnaise.fr", "La Gazette lyonnaise", "fr", "commerces"),
    ("www.le-courrier-de-bruxelles.be", "Le Courrier de Bruxelles", "fr", "economie"),
    ("www.frenchfood-weekly.com", "French Food Weekly", "en", "news"),
    ("www.brussels-daily-post.be", "Brussels Daily Post", "en", "business"),
]

# Ordinary posts by mood: FR / EN.
POSTS = {
    "fr": {
        "pos": [
            "{The_product} de chez @{brand} ce matin {pos} rien de mieux pour commencer la journée",
            "j'adore {the_product} de Maison Lumière, rien de mieux à {city} {pos}",
            "Petit-déj en terrasse chez Maison Lumière {shop} ☀️ {product} + café filtre = bonheur",
            "Honnêtement le Lumineux c'est une tuerie {pos}{pos} allez-y avant qu'il y en ait plus",
            "Merci à l'équipe de Maison Lumière {shop}, toujours souriante même à 7h du mat {pos}",
            "Le pain de campagne de Maison Lumière tient 3 jours sans sécher, enfin du sérieux",
            "Goûter avec les enfants : {product} pour tout le monde, même le petit a tout fini 😂",
            "Avec l'appli Lumière+ j'ai eu mon café offert ce matin, c'est cool {pos}",
            "Franchement meilleure tarte aux fraises que chez {competitor}, désolé pas désolé",
            "Maison Lumière {shop} >>> tout le reste. {The_product}, une merveille {pos}",
            "Dimanche matin = croissants de chez Maison Lumière, c'est sacré {pos}",
        ],
        "neu": [
            "Quelqu'un sait si Maison Lumière {city} est ouvert le {day} ?",
            "Maison Lumière ou {competitor} pour {the_product} ? vous êtes team quoi ?",
            "Queue de 15 personnes chez Maison Lumière {shop} ce matin, c'est tjrs comme ça le samedi ?",
            "Il paraît que Maison Lumière ouvre une boutique à {city} au printemps",
            "Tiens, Maison Lumière recrute à {city}, si ça intéresse quelqu'un {friend}",
            "{price} {the_product} maintenant chez Maison Lumière. Bon.",
            "c'est moi ou le Lumineux a changé de recette ?",
            "Premier passage chez Maison Lumière {shop}, on verra bien",
            "{competitor} vient d'ouvrir juste en face de Maison Lumière à {city}, ça va chauffer",
        ],
        "neg": [
            "1h d'attente pour {a_product} chez Maison Lumière {shop}, plus jamais {neg}",
            "L'appli Lumière+ plante encore, impossible de valider mes points {neg}",
            "{price} {the_product} chez Maison Lumière... ça devient n'importe quoi",
            "Commande click & collect pas prête à l'heure, vendeuse désagréable. Déçu de Maison Lumière {city}",
            "{The_product} de ce matin : sec et sans goût. Franchement pas au niveau pour le prix {neg}",
            "Ils ont encore supprimé le pain aux céréales à {city}. Pourquoi ??",
            "Maison Lumière c'est devenu une usine, {the_product} a le goût de {competitor}",
            "Encore une mise à jour de Lumière+ et encore mes points qui disparaissent. MERCI. {neg}",
        ],
    },
    "en": {
        "pos": [
            "Best {product} I've had outside Paris, Maison Lumière in {city} is a gem {pos}",
            "Morning ritual: filter coffee and a {product} at Maison Lumière {pos}",
            "If you're visiting {city}, skip the tourist traps and go to Maison Lumière. Trust me.",
            "The Lumineux pastry at Maison Lumière is unreal {pos}",
            "Staff at Maison Lumière {shop} are so lovely, and the {product} was perfect {pos}",
        ],
        "neu": [
            "Is Maison Lumière open on {day} in {city}? Anyone?",
            "Maison Lumière vs {competitor}, which one has better croissants?",
            "Does the Lumière+ app work with a UK card?",
            "Trying Maison Lumière {shop} for the first time, what should I order?",
        ],
        "neg": [
            "Waited 40 minutes for {a_product} at Maison Lumière {city}. Not worth it {neg}",
            "The Lumière+ app keeps logging me out. Come on @{brand}",
            "{price} for {a_product}?? Maison Lumière getting greedy",
            "My click & collect order wasn't ready and nobody cared. Disappointed, Maison Lumière {neg}",
        ],
    },
}
COMMENTS = {
    "fr": [
        "trop vrai !",
        "moi aussi j'adore leur {product} {pos}",
        "Perso je préfère {competitor}",
        "Ouvert de 7h à 20h je crois",
        "Pareil, l'appli bug depuis la mise à jour",
        "{friend} on y va samedi ?",
        "Je confirme, la queue est interminable le week-end",
        "ça donne faim 😍",
        "C'est pas donné quand même",
        "Le meilleur c'est le pain de campagne",
        "j'y étais hier, rien à redire",
        "Mdr {the_product} ça a l'air énorme",
        "+1",
        "Ah bon ? 🤔",
    ],
    "en": [
        "So true!",
        "Agreed, their {product} is the best",
        "{friend} we need to go",
        "Same here, the app is buggy",
        "I prefer {competitor} tbh",
        "Looks amazing {pos}",
        "Pricey but worth it",
        "lol same",
    ],
}
BRAND_REPLIES = {
    "fr": [
        "Merci beaucoup ! À très vite dans votre boutique de {city} {pos}",
        "Bonjour, désolés pour cette attente. Pouvez-vous nous écrire en message privé ? L'équipe Maison Lumière",
        "Bonjour ! Nos boutiques sont ouvertes de 7h à 20h du lundi au samedi, 7h30-13h le dimanche 🥐",
        "Une mise à jour de Lumière+ corrige ce souci, pensez à mettre l'appli à jour 🙏",
    ],
    "en": [
        "Thank you so much! See you soon in {city} {pos}",
        "Hi, sorry about the wait. Could you send us a DM so we can look into it? The Maison Lumière team",
        "Hi! Our shops are open 7am to 8pm Monday to Saturday, 7:30am to 1pm on Sundays 🥐",
    ],
}
REVIEWS = {  # stars -> texts
    "fr": {
        5: [
            "Excellent ! {The_product} : parfait, et personnel adorable.",
            "Ma boulangerie préférée à {city}. Tout est bon {pos}",
        ],
        4: [
            "Très bien, {the_product} top. Un peu d'attente le week-end.",
            "Bonne adresse, un peu cher mais la qualité est là.",
        ],
        3: [
            "Correct sans plus. {The_product} ok mais service lent.",
            "Bien mais trop de monde, on ne peut pas s'asseoir.",
        ],
        2: [
            "Déçu. {The_product} sans goût et vendeuse peu aimable.",
            "Prix en hausse, qualité en baisse.",
        ],
        1: [
            "À éviter. Commande oubliée, personne pour s'excuser {neg}",
            "Trop cher pour ce que c'est, et tables sales.",
        ],
    },
    "en": {
        5: ["Amazing {product}, friendly staff. A must in {city}!"],
        4: ["Very good {product}, a bit busy on weekends."],
        3: ["Okay. Good {product} but slow service."],
        2: ["Disappointing, the {product} was dry."],
        1: ["Rude staff and they forgot my order. Avoid {neg}"],
    },
}
STARS = [1, 2, 3, 4, 5]
STAR_WEIGHTS = [9, 8, 13, 30, 40]
CHECKINS = {
    "fr": [
        "Pause café ☕ chez Maison Lumière {shop}",
        "Petit-déjeuner chez Maison Lumière {shop} {pos}",
        "Goûter chez Maison Lumière {shop}",
    ],
    "en": ["Coffee break at Maison Lumière {shop} ☕", "Breakfast at Maison Lumière {shop} {pos}"],
}
# Private questions: topic -> FR / EN openings, and the brand's answer.
QUESTIONS = {
    "hours": (
        [
            "Bonjour, la boutique de {city} est ouverte le {day} ? et jusqu'à quelle heure svp",
            "Bonsoir, vous ouvrez à quelle heure demain à {city} ?",
        ],
        ["Hi, is your {city} shop open on {day}? Until what time?"],
        [
            "Bonjour ! La boutique de {city} est ouverte de 7h à 20h, et de 7h30 à 13h le dimanche 🥐"
        ],
        ["Hi! Our {city} shop is open 7am-8pm, and 7:30am-1pm on Sundays 🥐"],
    ),
    "allergens": (
        [
            "Bonjour, est-ce que le Lumineux contient des fruits à coque ? ma fille est allergique",
            "Avez-vous du pain sans gluten ?",
            "Est-ce qu'il y a du sésame ou de l'arachide dans {the_product} ?",
        ],
        [
            "Hello, does the Lumineux contain nuts? My son is allergic",
            "Do you have any gluten-free bread?",
        ],
        [
            "Bonjour, la liste des allergènes de chaque produit est affichée en boutique et dans l'appli Lumière+. Le Lumineux contient des noisettes."
        ],
        [
            "Hi, allergen information is displayed in store and in the Lumière+ app. The Lumineux contains hazelnuts."
        ],
    ),
    "order": (
        [
            "Bonjour, ma commande click & collect n°{order} n'était pas prête à l'heure prévue et personne n'a pu me dire pourquoi",
            "J'ai été débité deux fois pour la commande n°{order}, pouvez-vous me rembourser ?",
            "Commande de 30 viennoiseries pour un séminaire (n°{order}), il en manquait 6...",
        ],
        [
            "Hi, I was charged twice for order #{order}, can you refund me?",
            "My order #{order} was missing two items",
        ],
        [
            "Bonjour, toutes nos excuses pour la commande n°{order}. Nous avons lancé le remboursement, comptez 3 à 5 jours ouvrés."
        ],
        [
            "Hi, we're very sorry about order #{order}. The refund is on its way, allow 3-5 working days."
        ],
    ),
    "loyalty": (
        [
            "Mes points Lumière+ ont disparu depuis la mise à jour, j'avais 240 points !",
            "Comment on utilise le café offert sur l'appli ?",
            "Je n'arrive pas à créer mon compte Lumière+, le code SMS n'arrive jamais",
        ],
        [
            "My Lumière+ points disappeared after the update",
            "How do I redeem the free coffee in the app?",
        ],
        [
            "Bonjour, nous avons recrédité vos points Lumière+. Désolés pour la gêne, un bug de la dernière version est en cours de correction."
        ],
        [
            "Hi, we've restored your Lumière+ points. Sorry, a bug in the latest version is being fixed."
        ],
    ),
    "job": (
        [
            "Bonjour, je souhaiterais postuler comme vendeuse à {city}, à qui envoyer mon CV ?",
            "Bonjour, je suis boulanger avec 8 ans d'expérience, vous recrutez à {city} ?",
        ],
        ["Hello, are you hiring baristas in {city}? I'd like to apply"],
        [
            "Bonjour et merci de votre intérêt ! Vous pouvez postuler sur maisonlumiere-recrute.example, rubrique {city}."
        ],
        ["Hi and thanks! You can apply on maisonlumiere-recrute.example."],
    ),
    "cake": (
        [
            "Bonjour, faites-vous des gâteaux d'anniversaire sur commande ? pour 12 personnes samedi",
            "Est-ce possible de commander 50 mini-viennoiseries pour un mariage ?",
        ],
        ["Hi, do you take orders for birthday cakes?"],
        ["Bonjour, oui ! Les commandes se font en boutique ou dans l'appli, 48h à l'avance."],
        ["Hi, yes! Orders can be placed in store or in the app, 48 hours ahead."],
    ),
}
SUBJECTS = {
    "hours": "Horaires",
    "allergens": "Question allergènes",
    "order": "Réclamation commande",
    "loyalty": "Points Lumière+",
    "job": "Candidature",
    "cake": "Commande spéciale",
}
THANKS = {  # the customer after the brand's answer
    "fr": ["Merci pour votre réponse !", "D'accord, merci beaucoup", "Parfait merci 🙏"],
    "en": ["Thanks!", "Great, thank you"],
}
NUDGES = {  # the customer still waiting
    "fr": [
        "Toujours pas de nouvelles...",
        "Bonjour ? Quelqu'un lit les messages ??",
        "Je relance ma demande svp",
    ],
    "en": ["Any update?", "Hello? Anyone there?"],
}
ARTICLES = [  # (lang, title, text)
    (
        "fr",
        "Maison Lumière ouvre une nouvelle boutique à {city}",
        "La chaîne de boulangeries-cafés Maison Lumière poursuit son expansion avec une nouvelle adresse à {city}. L'enseigne, qui compte une quarantaine de boutiques en France et en Belgique, mise sur son application de fidélité Lumière+ et sur son best-seller, le Lumineux.",
    ),
    (
        "fr",
        "Boulangerie : le prix du croissant continue de grimper",
        "Beurre, farine, énergie : le croissant au beurre dépasse désormais 1,40 € dans de nombreuses enseignes. Chez Maison Lumière comme chez {competitor}, les prix ont augmenté de 6 à 9 % en un an.",
    ),
    (
        "fr",
        "{competitor} lève 12 millions d'euros pour accélérer en Belgique",
        "Concurrent direct de Maison Lumière, {competitor} veut ouvrir quinze boutiques d'ici deux ans, dont cinq à Bruxelles et Liège.",
    ),
    (
        "fr",
        "Les chaînes de boulangeries-cafés séduisent les jeunes actifs",
        "Maison Lumière, {competitor}... Les enseignes qui associent boulangerie et café de quartier profitent du retour au bureau et du télétravail en terrasse.",
    ),
    (
        "fr",
        "Maison Lumière recrute 200 personnes en France et en Belgique",
        "Vendeurs, boulangers, pâtissiers : l'enseigne lance une campagne de recrutement, notamment à {city}.",
    ),
    (
        "en",
        "French bakery chain Maison Lumière expands in Belgium",
        "Maison Lumière, which runs about forty bakery-cafés in France and Belgium, plans new shops in Brussels, Liège and Namur, betting on its Lumière+ loyalty app.",
    ),
    (
        "en",
        "Croissant prices keep rising across France",
        "Butter and energy costs push the price of a croissant above €1.40 at chains such as Maison Lumière and {competitor}.",
    ),
]
