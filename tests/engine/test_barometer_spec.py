# ruff: noqa: E501 (the §10 tables hold the spec's exact strings, one per line)
"""Specification coverage of the barometer schema (surveyapp/surveys/barometre-2015.yaml).

The tables below are transcribed from the questionnaire specification
(barometre-2015.md: §4 items, §5 routing, §6 quotas, §9 encoding decisions, §9 prevailing),
then updated by §10 "Revision 2" (survey version 2015.2), which prevails over §1-§9.
Each test checks the YAML against them, so "the schema encodes the whole spec" is verified
rather than claimed. The YAML is read with yaml.safe_load and conditions are evaluated by a
small evaluator written here: this file depends on no engine code.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import yaml

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "surveyapp" / "surveys" / "barometre-2015.yaml"
LANGS = ("fr", "en")


def r(a: int, b: int) -> set[int]:
    """Inclusive code range."""
    return set(range(a, b + 1))


# --------------------------------------------------------------------------- spec tables
#: Every item (§4, §9.1 item count, §9.2 page layout, §9.6 Q21 split, §9.9 e-mail):
#: id -> (page, type, option codes (scale codes for the matrix) or None).
ITEMS: dict[str, tuple[str, str, set[int] | None]] = {
    "consent": ("p01", "consent", None),
    "s1": ("p02", "single", r(1, 4)),
    "s1b": ("p03", "single", {1, 2}),
    "s2": ("p04", "single", r(1, 6)),
    "s3": ("p04", "single", r(1, 10)),
    "s4": ("p05", "single", r(1, 5)),
    "s5": ("p05", "single", r(1, 5)),
    "s6": ("p06", "single", r(1, 8)),
    "s7": ("p07", "single", r(1, 14)),
    "s8": ("p07", "single", r(1, 4)),
    "q1": ("p08", "single", r(1, 3)),
    "q1a": ("p09", "multiple", r(1, 8)),
    "q1b": ("p09", "text", None),
    "q2": ("p10", "single", r(1, 5)),
    "q3": ("p10", "multiple", r(1, 15)),
    "q4": ("p11", "single", r(1, 15)),
    "q5": ("p11", "single", r(1, 6)),
    "q6": ("p12", "multiple", r(1, 14)),
    "q7": ("p13", "single", r(1, 4)),
    "q7a": ("p13", "single", r(0, 5)),
    "q8": ("p14", "single", r(1, 7)),
    "q8a": ("p15", "single", r(1, 6)),
    "q8b": ("p15", "multiple", r(1, 6)),
    "q9": ("p16", "single", r(1, 6)),
    "q9a": ("p16", "single", r(1, 5)),
    "q10": ("p16", "single", r(1, 3)),
    "q10a": ("p17", "multiple", r(1, 15)),
    "q11": ("p18", "single", r(1, 6)),
    "q12": ("p18", "single", r(1, 5)),
    "q11a": ("p19", "single", r(1, 6)),
    "q11b": ("p19", "multiple", r(1, 6)),
    "q13": ("p20", "multiple", r(1, 11)),
    "q14": ("p21", "single", r(1, 3)),
    "q14a": ("p22", "multiple", r(1, 10)),
    "q14b": ("p22", "multiple", r(1, 5)),
    "q15": ("p22", "single", r(1, 5)),
    "q16": ("p23", "multiple", r(1, 12)),
    "q17": ("p24", "matrix", r(1, 5)),
    "q18": ("p24", "single", r(1, 3)),
    "q19": ("p25", "multiple", r(1, 5)),
    "q20": ("p25", "single", r(1, 3)),
    "q20a": ("p26", "multiple", r(1, 8)),
    **{f"q21_{c}": ("p27", "single", r(1, 6) if c in (8, 10) else r(1, 4)) for c in range(1, 16)},
    "q22": ("p28", "text", None),
    "q23": ("p28", "multiple", r(1, 4)),
    "q23_email": ("p29", "email", None),
}

#: §9.1: 9 screening items, 23 core items, 12 sub-items = 44 items (+ consent, e-mail).
SCREENING = ["s1", "s1b", "s2", "s3", "s4", "s5", "s6", "s7", "s8"]
CORE = [f"q{n}" for n in range(1, 24)]
SUB_ITEMS = [
    "q1a",
    "q1b",
    "q7a",
    "q8a",
    "q8b",
    "q9a",
    "q10a",
    "q11a",
    "q11b",
    "q14a",
    "q14b",
    "q20a",
]
Q17_ROWS = {"a", "b", "c"}

#: Question stems, FR and EN, as §4 and §9.8 / §9.9 give them.
STEMS: dict[str, tuple[str, str]] = {
    "s1": (
        "Dans quel pays travaillez-vous principalement ?",
        "In which country do you mainly work?",
    ),
    "s2": (
        "Pour quel type d'organisation travaillez-vous ?",
        "What type of organisation do you work for?",
    ),
    "s3": (
        "Dans quel service / quelle direction travaillez-vous ?",
        "Which department do you work in?",
    ),
    "s4": ("Quel est votre niveau de fonction ?", "What best describes your role?"),
    "s5": (
        "Quel est votre rôle vis-à-vis des médias sociaux de votre entreprise ?",
        "What is your role regarding your company's social media?",
    ),
    "s6": (
        "Combien de salariés compte votre entreprise (dans votre pays) ?",
        "How many employees does your company have (in your country)?",
    ),
    "s7": (
        "Quel est le secteur d'activité principal de votre entreprise ?",
        "What is your company's main industry?",
    ),
    "s8": ("Votre entreprise s'adresse principalement…", "Your company mainly sells to…"),
    "q1": (
        "Votre entreprise utilise-t-elle des médias sociaux à des fins professionnelles "
        "(comptes officiels de marque ou d'entreprise) ?",
        "Does your company use social media for business purposes "
        "(official brand or company accounts)?",
    ),
    "q1a": (
        "Pourquoi votre entreprise n'utilise-t-elle pas (encore) les médias sociaux ?",
        "Why does your company not use social media (yet)?",
    ),
    "q1b": ("Que faudrait-il pour que vous vous lanciez ?", "What would make you start?"),
    "q2": (
        "Depuis combien de temps votre entreprise est-elle présente sur les médias sociaux ?",
        "How long has your company been active on social media?",
    ),
    "q3": (
        "Sur quels médias sociaux votre entreprise a-t-elle une présence active ?",
        "On which social media does your company have an active presence?",
    ),
    "q4": (
        "Lequel est le plus important pour atteindre vos objectifs ?",
        "Which one matters most for your goals?",
    ),
    "q5": (
        "Combien de comptes ou pages de médias sociaux votre entreprise gère-t-elle au total "
        "(toutes marques, pays, réseaux) ?",
        "How many social media accounts or pages does your company manage in total "
        "(all brands, countries, networks)?",
    ),
    "q6": (
        "Quels sont les principaux objectifs de votre entreprise "
        "sur les médias sociaux ? (5 maximum)",
        "What are your company's main objectives on social media? (up to 5)",
    ),
    "q7": (
        "Laquelle de ces phrases décrit le mieux votre approche des médias sociaux ?",
        "Which statement best describes your social media approach?",
    ),
    "q7a": (
        "Sur une échelle de 0 (débutant) à 5 (très mature), comment évaluez-vous la maturité "
        "de votre entreprise sur les médias sociaux ?",
        "On a 0 (beginner) to 5 (very mature) scale, how mature "
        "is your company's social media practice?",
    ),
    "q8": (
        "Qui gère principalement les médias sociaux de votre entreprise ?",
        "Who mainly manages your company's social media?",
    ),
    "q8a": (
        "Effectif interne (ETP) consacré aux médias sociaux",
        "In-house headcount (FTE) working on social media",
    ),
    "q8b": ("Tâches confiées à l'agence", "Tasks outsourced"),
    "q9": (
        "Quelle part de votre budget marketing est consacrée aux médias sociaux "
        "(personnel, outils, publicité, agences compris) ?",
        "What share of your marketing budget goes to social media "
        "(staff, tools, ads and agencies included)?",
    ),
    "q9a": (
        "Comment votre budget consacré aux médias sociaux "
        "va-t-il évoluer dans les 12 prochains mois ?",
        "How will your social media budget change over the next 12 months?",
    ),
    "q10": (
        "Votre entreprise achète-t-elle de la publicité sur les "
        "médias sociaux (posts sponsorisés, campagnes) ?",
        "Does your company buy social media advertising (sponsored posts, campaigns)?",
    ),
    "q10a": (
        "Sur quels réseaux achetez-vous de la publicité ?",
        "On which networks do you buy advertising?",
    ),
    "q11": (
        "Lorsque des internautes commentent ou vous écrivent sur "
        "vos comptes, votre entreprise répond-elle ?",
        "When people comment on or message your accounts, does your company reply?",
    ),
    "q11a": (
        "En moyenne, sous quel délai répondez-vous ?",
        "On average, how quickly do you reply?",
    ),
    "q11b": ("Pourquoi ne répondez-vous pas ?", "Why do you not reply?"),
    "q12": (
        "Les demandes de service client reçues via les médias sociaux sont traitées par…",
        "Customer-service requests received on social media are handled by…",
    ),
    "q13": (
        "Quels outils utilisez-vous pour gérer, publier ou écouter sur les médias sociaux ?",
        "Which tools do you use to manage, publish or listen on social media?",
    ),
    "q14": (
        "Votre entreprise mesure-t-elle les résultats de ses actions sur les médias sociaux ?",
        "Does your company measure the results of its social media activities?",
    ),
    "q14a": ("Quels indicateurs suivez-vous ?", "Which indicators do you track?"),
    "q14b": ("Pourquoi ne mesurez-vous pas ?", "Why not?"),
    "q15": (
        "« Je suis capable de démontrer le retour sur investissement "
        "de nos actions sur les médias sociaux. »",
        '"I can demonstrate the ROI of our social media activities."',
    ),
    "q16": (
        "Quels sont les trois principaux défis de votre entreprise sur les médias sociaux ?",
        "What are your company's top three social media challenges?",
    ),
    "q17": (
        "Dans quelle mesure êtes-vous d'accord avec les affirmations suivantes ?",
        "How far do you agree with the following statements?",
    ),
    "q18": (
        "Par rapport à l'an dernier, l'importance des médias sociaux pour votre entreprise…",
        "Compared with last year, the importance of social media for your company has…",
    ),
    "q19": ("Votre entreprise dispose-t-elle de…", "Does your company have…"),
    "q20": (
        "Votre entreprise utilise-t-elle un réseau social d'entreprise (RSE) interne ?",
        "Does your company use an internal enterprise social network?",
    ),
    "q20a": (
        "Quel(s) réseau(x) social(aux) d'entreprise utilisez-vous ?",
        "Which enterprise social network(s) do you use?",
    ),
    "q22": (
        "Quel conseil donneriez-vous à un·e marketeur·se qui démarre sur les médias sociaux ?",
        "What advice would you give a marketer starting on social media?",
    ),
    "q23": (
        "Souhaitez-vous… (plusieurs réponses possibles)",
        "Would you like to… (tick all that apply)",
    ),
    "q23_email": (
        "Votre adresse e-mail (courriel), pour recevoir ce que vous avez demandé :",
        "Your e-mail address, so that we can send you what you asked for:",
    ),
    "consent": (
        "J'ai lu ces informations et j'accepte de participer.",
        "I have read this information and agree to take part.",
    ),
}

Q17_ROW_TEXTS = {
    "a": (
        "« La présence de mon entreprise sur les médias sociaux "
        "est importante pour rester compétitive. »",
        '"Our social media presence is important for staying competitive."',
    ),
    "b": (
        "« La direction générale soutient notre action sur les médias sociaux. »",
        '"Senior management supports our social media work."',
    ),
    "c": (
        "« Les médias sociaux sont bien intégrés à nos autres "
        "canaux (site, CRM, e-mail, points de vente). »",
        '"Social media is well integrated with our other channels '
        '(website, CRM, e-mail, points of sale)."',
    ),
}

#: Q3 labels (§4.2 and §9.8), used for the Q21 texts (§9.6).
NETWORKS = {
    1: ("Facebook", "Facebook"),
    2: ("Twitter", "Twitter"),
    3: ("LinkedIn", "LinkedIn"),
    4: ("Viadeo", "Viadeo"),
    5: ("Xing", "Xing"),
    6: ("YouTube", "YouTube"),
    7: ("Google+", "Google+"),
    8: ("Instagram", "Instagram"),
    9: ("Pinterest", "Pinterest"),
    10: ("Snapchat", "Snapchat"),
    11: ("Periscope / Facebook Live / vidéo en direct", "Periscope / Facebook Live / live video"),
    12: ("SlideShare", "SlideShare"),
    13: ("Blog d'entreprise", "Company blog"),
    14: ("Vimeo / Dailymotion", "Vimeo / Dailymotion"),
    15: ("Autre (préciser)", "Other (please specify)"),
}

#: Option labels that §9.1 / §9.8 settle explicitly: (item, code) -> (fr, en).
SETTLED_LABELS = {
    ("s3", 2): ("Communication / relations presse", "Communications, PR"),
    ("s3", 4): ("Médias sociaux / community management", "Social media"),
    ("s4", 1): ("Directeur·rice / VP (y compris CMO)", "Director / VP (incl. CMO)"),
    ("s6", 6): ("1 000–4 999", "1,000–4,999"),
    ("q2", 1): ("Moins d'un an", "Less than a year"),
    ("q2", 2): ("1 à 2 ans", "1–2 years"),
    ("q2", 3): ("3 à 5 ans", "3–5 years"),
    ("q2", 4): ("Plus de 5 ans", "More than 5 years"),
    ("q3", 11): NETWORKS[11],
    ("q3", 15): NETWORKS[15],
    ("q4", 15): ("Autre réseau", "Other network"),
    ("q10a", 15): ("Autre réseau", "Other network"),
    ("q7a", 0): ("0 – débutant", "0 – beginner"),
    ("q7a", 5): ("5 – très mature", "5 – very mature"),
    ("q11a", 1): ("Moins d'une heure", "Less than an hour"),
    ("q11a", 2): ("1 à 4 heures", "1–4 hours"),
    ("q11a", 3): ("Dans la journée (4 à 24 h)", "Same day (4–24 hours)"),
    ("q11a", 4): ("1 à 3 jours", "1–3 days"),
    ("q11a", 5): ("Plus de 3 jours", "More than 3 days"),
    ("q13", 2): (
        "Statistiques natives (Facebook Insights, Twitter Analytics…)",
        "Native analytics (Facebook Insights, Twitter Analytics…)",
    ),
    ("q13", 8): (
        "Outil de veille, social listening (ex. Synthesio, "
        "Talkwalker, Brandwatch, Radian6, Digimind)",
        "Listening tool (e.g. Synthesio, Talkwalker, Brandwatch, Radian6, Digimind)",
    ),
    ("q13", 9): ("Google Alerts, outils gratuits", "Google Alerts, free tools"),
    ("q13", 11): ("Aucun", "None"),
    ("q18", 1): ("a augmenté", "increased"),
    ("q18", 2): ("est restée stable", "stayed the same"),
    ("q18", 3): ("a diminué", "decreased"),
    ("q19", 5): ("Aucun", "None of these"),
    ("q20a", 7): (
        "blueKiwi / Jamespot / autre solution française",
        "blueKiwi / Jamespot / other French solution",
    ),
    ("q23", 4): ("Non merci", "No thanks"),
    ("q15", 1): ("Tout à fait d'accord", "Strongly agree"),
    ("q15", 2): ("Plutôt d'accord", "Somewhat agree"),
    ("q15", 3): ("Ni d'accord ni pas d'accord", "Neither agree nor disagree"),
    ("q15", 4): ("Plutôt pas d'accord", "Somewhat disagree"),
    ("q15", 5): ("Pas du tout d'accord", "Strongly disagree"),
}

#: §9.5
OPTIONAL = {"q1b", "q22", "q23_email"}
EXCLUSIVE = {"q13": {11}, "q19": {5}, "q23": {4}}
OTHER = {"s7": 14, "q1a": 8, "q3": 15, "q11b": 6, "q13": 7, "q14b": 5, "q20a": 8}
MAXIMUM = {"q6": 5, "q16": 3}
RANDOM_ORDER = {"q3"}
OPTIONS_FROM_Q3 = {"q4", "q10a"}
PERSONAL = {"q1b", "q22"}
SETS_LANGUAGE = {"s1": {1: "fr", 2: "en"}, "s1b": {1: "fr", 2: "en"}}

#: §9.2 page conditions: page -> (controlling variable, its domain, codes for which the page shows).
#: None means "always shown".
PAGE_RULES = {
    "p01": None,
    "p02": None,
    "p03": ("s1", r(1, 4), {3}),  # B7
    "p04": None,
    "p05": None,
    "p06": None,
    "p07": None,
    "p08": None,
    "p09": ("q1", r(1, 3), {2, 3}),  # B1
    "p10": None,
    "p11": None,
    "p12": None,
    "p13": None,
    "p14": None,
    "p15": ("q8", r(1, 7), {1, 2, 3, 4, 5, 6}),  # B4: Q8 = 7 skips both
    "p16": None,
    "p17": ("q10", r(1, 3), {1, 2}),  # B6
    "p18": None,
    "p19": None,
    "p20": None,
    "p21": None,
    "p22": None,
    "p23": None,
    "p24": None,
    "p25": None,
    "p26": ("q20", r(1, 3), {1}),
    "p27": None,
    "p28": None,
    # p29: Q23 includes 1, 2 or 3 (checked separately: Q23 is a multiple choice)
}

#: Routing B1-B8 at question level: question -> (controlling variable, domain, codes shown).
QUESTION_RULES = {
    "q8a": ("q8", r(1, 7), {1, 2, 3, 4, 6}),  # B4
    "q8b": ("q8", r(1, 7), {5}),  # B4
    "q11a": ("q11", r(1, 6), {1, 2, 3, 4}),  # B3
    "q11b": ("q11", r(1, 6), {5, 6}),  # B3
    "q14a": ("q14", r(1, 3), {1, 2}),  # B5
    "q15": ("q14", r(1, 3), {1, 2}),  # B5
    "q14b": ("q14", r(1, 3), {3}),  # B5
}
#: Questions without any condition of their own (Q7a and Q9a included, §9.1).
UNCONDITIONAL = set(
    "consent s1 s1b s2 s3 s4 s5 s6 s7 s8 q1 q1a q1b q2 q3 q5 q6 q7 q7a q8 q9 q9a q10 q10a"
    " q11 q12 q13 q14 q16 q17 q18 q19 q20 q20a q21_8 q21_10 q22 q23 q23_email".split()
)

SCREENED_OUT_MSG = (
    "Merci de votre intérêt. Ce questionnaire s'adresse à un autre "
    "profil de répondant·e·s ; il s'arrête donc ici.",
    "Thank you for your interest. This survey is aimed at a "
    "different respondent profile, so it ends here.",
)
COMPLETE_MSG = (
    "Merci pour votre participation ! Les résultats agrégés "
    "seront publiés dans le livre blanc du baromètre.",
    "Thank you for taking part! The aggregated results will be "
    "published in the barometer's white paper.",
)
QUOTA_FULL_MSG = (
    "Merci de votre intérêt. Nous avons déjà assez de réponses pour "
    "votre profil (pays et taille d'entreprise).",
    "Thank you for your interest. We already have enough answers "
    "for your profile (country and company size).",
)

#: §5.2, §9.2, §9.3 endings: id -> (status, check_after, variables, domains, predicate, message).
#: SO3 is checked after two pages (S3 in 6-10 after P04; S3 = 5 with S6 in 3-7 after P06):
#: an ending has one check_after, so its second check is the ending `so3_gm`.
ENDINGS = {
    "so1": ("screened_out", "p02", {"s1": r(1, 4)}, lambda a: a["s1"] == 4, SCREENED_OUT_MSG),
    "so2": (
        "screened_out",
        "p04",
        {"s2": r(1, 6)},
        lambda a: a["s2"] in {2, 3, 6},
        SCREENED_OUT_MSG,
    ),
    "so3": (
        "screened_out",
        "p04",
        {"s3": r(1, 10)},
        lambda a: a["s3"] in r(6, 10),
        SCREENED_OUT_MSG,
    ),
    "so4": ("screened_out", "p05", {"s5": r(1, 5)}, lambda a: a["s5"] in {4, 5}, SCREENED_OUT_MSG),
    "so5": ("screened_out", "p06", {"s6": r(1, 8)}, lambda a: a["s6"] == 8, SCREENED_OUT_MSG),
    "so3_gm": (
        "screened_out",
        "p06",
        {"s3": r(1, 5), "s6": r(1, 7)},
        lambda a: a["s3"] == 5 and a["s6"] in r(3, 7),
        SCREENED_OUT_MSG,
    ),
    "end_nonuser": ("complete", "p09", {"q1": r(1, 3)}, lambda a: a["q1"] in {2, 3}, COMPLETE_MSG),
}
#: §9.2 order of the checks on a page.
ENDING_ORDER = {"p04": ["so2", "so3"], "p06": ["so5", "so3_gm"]}

#: §6.3 / §9.7 hard cells: (S1, size_band) -> target.
HARD_CELLS = {
    (1, 1): 180,
    (1, 2): 120,
    (1, 3): 100,
    (2, 1): 180,
    (2, 2): 120,
    (2, 3): 100,
    (3, 1): 135,
    (3, 2): 90,
    (3, 3): 75,
}

#: §9.7 soft quotas: id -> (limit, counted endings, by, {cell: target},
#: filter domain, filter predicate).
SOFT = {
    "soft_b2b": (
        "at_least",
        ["end_complete"],
        ["s1"],
        {(1,): 120, (2,): 120, (3,): 90},
        {"s8": r(1, 4)},
        lambda a: a["s8"] in {1, 3},
    ),
    "soft_b2c": (
        "at_least",
        ["end_complete"],
        ["s1"],
        {(1,): 120, (2,): 120, (3,): 90},
        {"s8": r(1, 4)},
        lambda a: a["s8"] in {2, 3},
    ),
    "soft_sector": (
        "at_most",
        ["end_complete"],
        ["s1", "s7"],
        {(c, s): {1: 100, 2: 100, 3: 75}[c] for c in (1, 2, 3) for s in r(1, 14)},
        {},
        lambda a: True,
    ),
    "soft_role": (
        "at_least",
        ["end_complete"],
        ["s1"],
        {(1,): 160, (2,): 160, (3,): 120},
        {"s4": r(1, 5)},
        lambda a: a["s4"] in {1, 2},
    ),
    "soft_lang_ca": (
        "at_least",
        ["end_complete"],
        [],
        {(): 60},
        {"s1": r(1, 3), "s1b": {1, 2}},
        lambda a: a["s1"] == 3 and a["s1b"] == 1,
    ),
    "soft_public_np": (
        "at_most",
        ["end_complete"],
        ["s1"],
        {(1,): 40, (2,): 40, (3,): 30},
        {"s2": r(1, 6)},
        lambda a: a["s2"] in {4, 5},
    ),
    "soft_nonuser": (
        "at_most",
        ["end_nonuser"],
        ["s1"],
        {(1,): 40, (2,): 40, (3,): 30},
        {},
        lambda a: True,
    ),
}

#: §9.6 derived variables: id -> (type, domains of inputs, expected value as a function).
DERIVED = {
    "lang": (
        "single",
        {"s1": r(1, 3), "s1b": {1, 2}},
        lambda a: (
            1
            if a["s1"] == 1 or a.get("s1b") == 1
            else 2
            if a["s1"] == 2 or a.get("s1b") == 2
            else None
        ),
    ),
    "size_band": (
        "single",
        {"s6": r(1, 8)},
        lambda a: (
            1
            if a["s6"] in {1, 2, 3}
            else 2
            if a["s6"] in {4, 5}
            else 3
            if a["s6"] in {6, 7}
            else None
        ),
    ),
    "user": ("single", {"q1": r(1, 3)}, lambda a: 1 if a["q1"] == 1 else 0),
    "public_np": ("single", {"s2": r(1, 6)}, lambda a: 1 if a["s2"] in {4, 5} else 0),
    "b2b": ("single", {"s8": r(1, 4)}, lambda a: 1 if a["s8"] in {1, 3} else 0),
    "b2c": ("single", {"s8": r(1, 4)}, lambda a: 1 if a["s8"] in {2, 3} else 0),
    "q3_count": ("number", {"q3": None}, lambda a: len(a["q3"])),
    "q4_main": ("single", {"q3": None}, None),  # checked in test_q4_main_and_q4_auto
    "q4_auto": ("single", {"q3": None}, None),
}

PARAMETERS = {
    "source": {
        "param": "src",
        "codes": {1, 2, 3, 4, 9},
        "default": 9,
        "aliases": {"adetem": 1, "visionary": 2, "hootsuite": 3, "panel": 4},
    },
    "pid": {"type": "text", "transient": True},
}


# --------------------------------------------------------------------------- §10 Revision 2
# §10 applies on top of §1-§9 and prevails (survey version 2015.2). The tables above are kept as
# §4-§9 give them; the blocks below transcribe §10 and update them, as the spec itself does.
VERSION = "2015.2"  # §10.1 R2
CONSENT_VERSION = "2"


def r5(s: str) -> str:
    """§10.1 R5 (mechanical): typographic apostrophe; English quotations in “ ”."""
    s = re.sub(r"(?<=\w)'(?=\w)", "\u2019", s)
    if s.startswith('"') and s.endswith('"'):
        s = f"\u201c{s[1:-1]}\u201d"
    return s


def r5_pair(pair: tuple[str, str]) -> tuple[str, str]:
    return r5(pair[0]), r5(pair[1])


#: §10.3 stems (New FR / New EN; "(unchanged)" resolved to the §4/§9 text, R5 applied).
STEMS_REV2 = {
    "s2": ("Pour quel type d’organisation travaillez-vous ?", "What type of organization do you work for?"),
    "s3": ("Dans quel service ou quelle direction travaillez-vous ?", "Which department do you work in?"),
    "s4": ("Quel est votre niveau hiérarchique ?", "What best describes your role?"),
    "s6": (
        "Combien de personnes votre entreprise emploie-t-elle (dans votre pays) ?",
        "How many employees does your company have (in your country)?",
    ),
    "s6b": (
        "Même approximativement, combien de personnes votre entreprise emploie-t-elle dans votre pays ?",
        "Even roughly, how many employees does your company have in your country?",
    ),
    "s8": ("Votre organisation s’adresse principalement…", "Your organization mainly serves…"),
    "q3": (
        "Sur quels médias sociaux votre entreprise a-t-elle une présence active ?",
        "On which social media platforms does your company have an active presence?",
    ),
    "q4": (
        "Parmi les médias sociaux que vous avez cités, lequel est le plus important pour atteindre vos objectifs ?",
        "Of the social media platforms you selected, which one matters most for reaching your goals?",
    ),
    "q6": (
        "Quels sont les principaux objectifs de votre entreprise sur les médias sociaux ? (5 réponses maximum)",
        "What are your company’s main objectives on social media? (select up to 5)",
    ),
    "q8a": (
        "Combien de personnes travaillent en interne sur les médias sociaux, en équivalent temps plein ?",
        "How many people work on social media in-house, in full-time equivalents?",
    ),
    "q8b": ("Quelles tâches confiez-vous à l’agence ?", "Which tasks do you outsource to the agency?"),
    "q9": (
        "Quelle part de votre budget marketing est consacrée aux médias sociaux (y compris personnel, outils, publicité et agences) ?",
        "What share of your marketing budget goes to social media (including staff, tools, advertising and agencies)?",
    ),
    "q10": (
        "Votre entreprise achète-t-elle de la publicité sur les médias sociaux (publications sponsorisées, campagnes) ?",
        "Does your company buy social media advertising (sponsored posts, campaigns)?",
    ),
    "q12": (
        "Qui traite les demandes de service client reçues via les médias sociaux ?",
        "Who handles customer-service requests received on social media?",
    ),
    "q13": (
        "Quels outils utilisez-vous pour gérer, publier ou faire de la veille sur les médias sociaux ?",
        "Which tools do you use to manage, publish or listen on social media?",
    ),
    "q14b": (
        "Pourquoi votre entreprise ne mesure-t-elle pas les résultats de ses actions sur les médias sociaux ?",
        "Why doesn’t your company measure its social media results?",
    ),
    "q16": (
        "Quels sont les trois principaux défis de votre entreprise sur les médias sociaux ? (3 réponses maximum)",
        "What are your company’s top three social media challenges? (select up to 3)",
    ),
    "q17": (
        "Dans quelle mesure êtes-vous d’accord ou non avec chacune des affirmations suivantes ?",
        "How much do you agree or disagree with each statement?",
    ),
    "q19": ("De quels éléments suivants votre entreprise dispose-t-elle ?", "Which of the following does your company have?"),
    "q20": (
        "Votre entreprise utilise-t-elle un réseau social d’entreprise interne ?",
        "Does your company use an internal enterprise social network?",
    ),
    "q22": (
        "Quel conseil donneriez-vous à une personne travaillant en marketing qui démarre sur les médias sociaux ?",
        "What advice would you give a marketer starting on social media?",
    ),
    "q23": ("Souhaitez-vous… (plusieurs réponses possibles)", "Would you like to… (select all that apply)"),
    "q23_email": (
        "Votre adresse e-mail (courriel), pour recevoir ce que vous avez demandé :",
        "Your email address, so that we can send you what you asked for:",
    ),
}  # fmt: skip

Q17_ROW_TEXTS_REV2 = {
    "a": (
        "« Être présente sur les médias sociaux est important pour que mon entreprise reste compétitive. »",
        "“Our social media presence is important for staying competitive.”",
    ),
    "c": (
        Q17_ROW_TEXTS["c"][0],
        "“Social media is well integrated with our other channels (website, CRM, email, stores).”",
    ),
}  # fmt: skip

#: §10.3 option labels that change: (item, code) -> (fr, en).
LABELS_REV2 = {
    ("s1", 4): ("Autre pays", "Other country"),
    ("s2", 3): ("Activité de conseil à votre compte", "Freelance consultant"),
    ("s2", 6): ("En études ou sans emploi", "Student, not employed"),
    ("s3", 5): ("Direction générale (propriétaire, PDG)", "General management (owner, CEO)"),
    ("s3", 10): ("Autre", "Other"),
    ("s4", 1): ("Directeur ou directrice / VP (y compris CMO)", "Director / VP (incl. CMO)"),
    ("s4", 2): ("Responsable, manager", "Manager / department head"),
    ("s4", 3): ("Chargé ou chargée de communication ou de marketing, chef de projet", "Specialist, project lead"),
    ("s4", 5): ("Assistanat, stage, apprentissage ou alternance", "Assistant, intern, apprentice or co-op student"),
    ("s5", 1): ("Je définis ou valide la stratégie", "I define or approve the strategy"),
    ("s5", 3): ("Je contribue occasionnellement (contenus, validation)", "I contribute occasionally (content, approval)"),
    ("s5", 4): ("Je n’y participe pas mais je connais bien le sujet", "I’m not involved but know the topic well"),
    ("s5", 5): ("Cela ne me concerne pas", "I’m not involved at all"),
    ("s6", 8): ("Ne sais pas", "Don’t know"),
    ("s7", 7): ("Médias, culture, loisirs", "Media, arts, entertainment"),
    ("s7", 8): ("Tourisme, hôtellerie, restauration", "Travel, hospitality, restaurants"),
    ("s7", 11): ("Immobilier, construction", "Real estate, construction"),
    ("s7", 12): ("Éducation, formation", "Education, training"),
    ("s7", 14): ("Autre (précisez)", "Other (please specify)"),
    ("s8", 1): ("Aux entreprises (B2B)", "Businesses (B2B)"),
    ("s8", 2): ("Aux particuliers (B2C)", "Consumers (B2C)"),
    ("s8", 3): ("Aux deux", "Both"),
    ("s8", 4): ("Au public, aux usagers", "The public / service users"),
    ("q1", 2): ("Non, mais c’est prévu dans les 12 prochains mois", "No, but planned within the next 12 months"),
    ("q1", 3): ("Non, et ce n’est pas prévu", "No, and not planned"),
    ("q1a", 6): ("La direction n’y croit pas", "Management not convinced"),
    ("q1a", 8): ("Autre (précisez)", "Other (please specify)"),
    ("q2", 5): ("Ne sais pas", "Don’t know"),
    ("q3", 13): ("Blog d’entreprise", "Company blog"),
    ("q3", 15): ("Autre (précisez)", "Other (please specify)"),
    ("q5", 6): ("Ne sais pas", "Don’t know"),
    ("q6", 2): ("Gestion de l’e-réputation", "Reputation management"),
    ("q8a", 6): ("Ne sais pas", "Don’t know"),
    ("q9", 6): ("Ne sais pas", "Don’t know"),
    ("q9a", 1): ("Forte hausse", "Increase significantly"),
    ("q9a", 3): ("Stable", "Stay about the same"),
    ("q9a", 5): ("Ne sais pas", "Don’t know"),
    ("q11", 1): ("Toujours ou presque", "Almost always"),
    ("q12", 1): ("Le service client, avec un dispositif dédié", "Customer service, dedicated setup"),
    ("q12", 3): ("L’agence", "The agency"),
    ("q12", 4): ("Pas de traitement organisé", "No organized process"),
    ("q12", 5): ("Nous n’en recevons pas", "We receive none"),
    ("q11a", 1): ("Moins d’une heure", "Less than an hour"),
    ("q11a", 6): ("Pas d’objectif de délai", "No target"),
    ("q11b", 1): ("Manque de ressources", "Lack of resources"),
    ("q11b", 2): ("Contraintes juridiques ou réglementaires", "Legal or compliance constraints"),
    ("q11b", 3): ("Peur d’aggraver la situation", "Fear of escalation"),
    ("q11b", 4): ("Ce n’est pas notre rôle, c’est celui du service client", "It’s customer service’s job, not ours"),
    ("q11b", 6): ("Autre (précisez)", "Other (please specify)"),
    ("q13", 7): ("Autre plateforme de gestion (précisez)", "Other management platform (please specify)"),
    ("q13", 8): (
        "Outil de veille, social listening (par ex. Synthesio, Talkwalker, Brandwatch, Radian6, Digimind)",
        "Listening tool (e.g., Synthesio, Talkwalker, Brandwatch, Radian6, Digimind)",
    ),
    ("q14a", 1): ("Nombre d’abonnés ou fans", "Number of followers or fans"),
    ("q14a", 2): ("Engagement (likes, partages, commentaires)", "Engagement (likes, shares, comments)"),
    ("q14a", 3): ("Portée, impressions", "Reach, impressions"),
    ("q14b", 1): ("Manque d’outils", "Lack of tools"),
    ("q14b", 2): ("Manque de temps", "Lack of time"),
    ("q14b", 3): ("Nous ne savons pas quels indicateurs suivre", "We don’t know which indicators to track"),
    ("q14b", 4): ("Pas demandé par la direction", "Management doesn’t ask"),
    ("q14b", 5): ("Autre (précisez)", "Other (please specify)"),
    ("q16", 6): ("Organisation, coordination entre services", "Organization, coordination across teams"),
    ("q16", 8): ("Contraintes juridiques, conformité", "Legal or compliance constraints"),
    ("q16", 11): ("Suivre l’évolution des plateformes et de leurs algorithmes", "Keeping up with platform and algorithm changes"),
    ("q18", 1): ("A augmenté", "Increased"),
    ("q18", 2): ("Est restée stable", "Stayed the same"),
    ("q18", 3): ("A diminué", "Decreased"),
    ("q19", 1): ("Une charte d’usage des médias sociaux pour le personnel", "A social media policy for employees"),
    ("q19", 2): ("Un programme d’ambassadeurs parmi le personnel", "An employee advocacy program"),
    ("q19", 5): ("Aucun de ces éléments", "None of these"),
    ("q20", 3): ("Ne sais pas", "Don’t know"),
    ("q20a", 7): ("blueKiwi, Jamespot ou autre solution d’un éditeur français", "blueKiwi, Jamespot or another solution from a French vendor"),
    ("q20a", 8): ("Autre (précisez)", "Other (please specify)"),
    ("q23", 2): ("Recevoir une invitation au webinaire de présentation des résultats", "Be invited to the results webinar"),
}  # fmt: skip

#: §10.4.1 and §10.4.2 new options: (item, code) -> (fr, en, exclusive, position in the list).
NEW_OPTIONS = {
    ("q6", 98): ("Aucun de ces objectifs", "None of these", True, "last"),
    ("q7", 99): ("Ne sais pas", "Don’t know", False, "last"),
    ("q9a", 6): ("Forte baisse", "Decrease significantly", False, "after 4"),
    ("q10", 99): ("Ne sais pas", "Don’t know", False, "last"),
    ("q12", 99): ("Ne sais pas", "Don’t know", False, "last"),
    ("q13", 99): ("Ne sais pas", "Don’t know", True, "last"),
    ("q14", 99): ("Ne sais pas", "Don’t know", False, "last"),
    ("q16", 98): ("Aucun de ces défis", "None of these", True, "last"),
    ("q19", 99): ("Ne sais pas", "Don’t know", True, "last"),
    ("q21_8", 99): ("Ne sais pas", "Don’t know", False, "last"),
    ("q21_10", 99): ("Ne sais pas", "Don’t know", False, "last"),
    ("s6b", 1): ("Moins de 100", "Fewer than 100", False, "first"),
    ("s6b", 2): ("100–999", "100–999", False, "after 1"),
    ("s6b", 3): ("1 000 ou plus", "1,000 or more", False, "after 2"),
    ("s6b", 99): ("Ne sais pas", "Don’t know", False, "last"),
}

#: §10.1 R1: the highest codes before Revision 2; new codes must be free (never reused).
HIGHEST_REV1 = {
    "q6": 14,
    "q7": 4,
    "q9a": 5,
    "q10": 3,
    "q12": 5,
    "q13": 11,
    "q14": 3,
    "q16": 12,
    "q19": 5,
}

#: §10.5 randomisation: item -> (codes pinned by `fixed`, list order or None).
RANDOM_REV2 = {
    "s2": ({6}, None),
    "s3": ({10}, None),
    "q1a": (set(), None),
    "q3": ({15}, None),
    "q6": (set(), None),
    "q13": ({1}, [1, 2, 3, 4, 5, 6, 8, 9, 10, 7, 11, 99]),
    "q14a": (set(), None),
    "q16": (set(), None),
}
Q9A_ORDER = [1, 2, 3, 4, 6, 5]  # §10.3.5 display order

INTRO_REV2 = (
    "Cette étude porte sur les pratiques des entreprises et des organisations. Ce questionnaire (environ 15 minutes) est confidentiel ; seuls des résultats agrégés seront publiés. Ils paraîtront dans un livre blanc. La participation est volontaire. Aucune adresse IP n’est enregistrée et vos réponses ne sont reliées ni à votre nom ni à votre adresse e-mail. Si vous demandez à la fin le livre blanc ou une invitation, votre adresse e-mail est conservée à part, sans lien avec vos réponses. Le responsable du traitement des données est l’Adetem ; pour toute question ou pour exercer vos droits sur vos données, écrivez à [ADRESSE DE CONTACT].",
    "This study is about the practices of companies and other organizations. This survey (about 15 minutes) is confidential; only aggregated results will be published. They will appear in a white paper. Taking part is voluntary. No IP address is stored, and your answers are linked neither to your name nor to your email address. If you ask for the white paper or an invitation at the end, your email address is kept separately, with no link to your answers. The data controller is Adetem; for any question, or to exercise your rights over your data, write to [CONTACT ADDRESS].",
)  # fmt: skip
INTRO_STUDY = (
    "Merci. Ce questionnaire est le Baromètre des médias sociaux dans les départements marketing, réalisé par l’Adetem, Hootsuite et Visionary Marketing.",
    "Thank you. This survey is the Social Media Barometer for Marketing Departments, run by Adetem, Hootsuite and Visionary Marketing.",
)  # fmt: skip

#: §10.3.9 / §10.4.4 Q21 texts.
Q21_STEM_REV2 = {
    11: (
        "Dans les 12 prochains mois, votre usage de la vidéo en direct (Periscope, Facebook Live) va…",
        "In the next 12 months, your use of live video (Periscope, Facebook Live) will…",
    ),
    13: (
        "Dans les 12 prochains mois, votre usage de votre blog d’entreprise va…",
        "In the next 12 months, your use of your company blog will…",
    ),
    15: (
        "Dans les 12 prochains mois, votre usage de l’autre réseau cité va…",
        "In the next 12 months, your use of the other network you named will…",
    ),
}
Q21_TWO_STEMS = {  # network selected in Q3, network not selected
    8: (
        ("Dans les 12 prochains mois, votre usage d’Instagram va…", "In the next 12 months, your use of Instagram will…"),
        (
            "Votre entreprise prévoit-elle de se lancer sur Instagram dans les 12 prochains mois ?",
            "Does your company plan to start using Instagram in the next 12 months?",
        ),
    ),
    10: (
        ("Dans les 12 prochains mois, votre usage de Snapchat va…", "In the next 12 months, your use of Snapchat will…"),
        (
            "Votre entreprise prévoit-elle de se lancer sur Snapchat dans les 12 prochains mois ?",
            "Does your company plan to start using Snapchat in the next 12 months?",
        ),
    ),
}  # fmt: skip
Q21_PLAN_OPTIONS = {5: ("Oui", "Yes"), 6: ("Non", "No"), 99: ("Ne sais pas", "Don’t know")}

SCREENED_OUT_MSG_REV2 = (
    "Merci de votre intérêt. D’après vos réponses, la suite de ce questionnaire ne vous concerne pas ; il s’arrête donc ici.",
    "Thank you for your interest. Based on your answers, the rest of this survey does not apply to you, so it ends here.",
)  # fmt: skip
QUOTA_FULL_MSG_REV2 = (
    "Merci de votre intérêt. Nous avons déjà reçu toutes les réponses nécessaires pour des profils comme le vôtre ; le questionnaire s’arrête donc ici.",
    "Thank you for your interest. We have already received all the answers we need from people with a profile like yours, so the survey ends here.",
)  # fmt: skip

#: §10.3.13 labels not shown to respondents.
ADMIN_LABELS_REV2 = {
    ("size_bands", 1): ("Petite (1 à 99 personnes)", "Small (1–99 employees)"),
    ("size_bands", 2): ("Moyenne (100 à 999 personnes)", "Mid-size (100–999 employees)"),
    ("size_bands", 3): ("Grande (1 000 personnes ou plus)", "Large (1,000 employees or more)"),
    ("derived", "size_band"): ("Taille d’entreprise (tranche de quota, S6 ou S6b)", "Company size (quota band, S6 or S6b)"),
    ("derived", "user"): ("Entreprise utilisatrice des médias sociaux (Q1)", "Social media user (Q1)"),
    ("derived", "q3_count"): ("Nombre de réseaux cités en Q3", "Number of networks selected in Q3"),
    ("quota", "country_size"): ("Pays × taille d’entreprise", "Country × company size"),
    ("quota", "soft_role"): ("Direction / VP et responsables (S4 = 1 ou 2), minimum", "Director / VP and managers (S4 = 1 or 2), at least"),
    ("quota", "soft_nonuser"): ("Entreprises non utilisatrices (fin END_NONUSER), maximum", "Non-users (END_NONUSER ending), at most"),
}  # fmt: skip

# The §4-§9 tables, updated by §10.
STEMS = {k: r5_pair(v) for k, v in STEMS.items()} | STEMS_REV2
Q17_ROW_TEXTS = {k: r5_pair(v) for k, v in Q17_ROW_TEXTS.items()} | Q17_ROW_TEXTS_REV2
NETWORKS = {k: r5_pair(v) for k, v in NETWORKS.items()} | {
    15: ("Autre (précisez)", "Other (please specify)")
}
SETTLED_LABELS = {k: r5_pair(v) for k, v in SETTLED_LABELS.items()} | LABELS_REV2
SETTLED_LABELS[("q3", 11)] = NETWORKS[11]
SETTLED_LABELS[("q3", 15)] = NETWORKS[15]
ITEMS["s6b"] = ("p06b", "single", {1, 2, 3, 99})
for _item, _code in NEW_OPTIONS:
    ITEMS[_item] = (ITEMS[_item][0], ITEMS[_item][1], ITEMS[_item][2] | {_code})
EXCLUSIVE = {**EXCLUSIVE, "q6": {98}, "q13": {11, 99}, "q16": {98}, "q19": {5, 99}}
RANDOM_ORDER = set(RANDOM_REV2)
UNCONDITIONAL |= {"s6b"}
PAGE_IDS = [f"p{n:02d}" for n in range(1, 7)] + ["p06b"] + [f"p{n:02d}" for n in range(7, 30)]
PAGE_RULES["p06b"] = ("s6", r(1, 8), {8})  # §10.4.2
SCREENED_OUT_MSG = SCREENED_OUT_MSG_REV2
QUOTA_FULL_MSG = QUOTA_FULL_MSG_REV2
COMPLETE_MSG = r5_pair(COMPLETE_MSG)
for _eid, _e in list(ENDINGS.items()):
    ENDINGS[_eid] = (*_e[:4], COMPLETE_MSG if _e[0] == "complete" else SCREENED_OUT_MSG)
ENDINGS["so5"] = (
    "screened_out",
    "p06b",
    {"s6b": {1, 2, 3, 99}},
    lambda a: a["s6b"] == 99,
    SCREENED_OUT_MSG,
)
ENDINGS["so3_gm"] = (
    "screened_out",
    "p06",
    {"s3": r(1, 5), "s6": r(1, 8)},
    lambda a: a["s3"] == 5 and a["s6"] in r(3, 8),
    SCREENED_OUT_MSG,
)
ENDING_ORDER = {"p04": ["so2", "so3"], "p06": ["so3_gm"], "p06b": ["so5"]}
HARD_QUOTA_CHECK_AFTER = "p06b"
DERIVED["size_band"] = (
    "single",
    {"s6": r(1, 8), "s6b": {1, 2, 3, 99}},
    lambda a: (
        1
        if a["s6"] in {1, 2, 3} or a["s6b"] == 1
        else 2
        if a["s6"] in {4, 5} or a["s6b"] == 2
        else 3
        if a["s6"] in {6, 7} or a["s6b"] == 3
        else None
    ),
)


# --------------------------------------------------------------------------- loading helpers
@pytest.fixture(scope="module")
def doc() -> dict:
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def questions(doc) -> dict[str, dict]:
    return {q["id"]: q for p in doc["pages"] for q in p["questions"]}


@pytest.fixture(scope="module")
def page_of(doc) -> dict[str, str]:
    return {q["id"]: p["id"] for p in doc["pages"] for q in p["questions"]}


@pytest.fixture(scope="module")
def pages(doc) -> dict[str, dict]:
    return {p["id"]: p for p in doc["pages"]}


@pytest.fixture(scope="module")
def derived(doc) -> dict[str, dict]:
    return {d["id"]: d for d in doc.get("derived", [])}


def options_of(doc: dict, q: dict) -> list[dict]:
    opts = q.get("scale") if q["type"] == "matrix" else q.get("options")
    if isinstance(opts, str):
        return doc["option_lists"][opts]
    return opts or []


def codes_of(doc: dict, q: dict) -> set[int]:
    return {o["code"] for o in options_of(doc, q)}


def text(t: dict) -> tuple[str, str]:
    return t["fr"], t["en"]


# --------------------------------------------------------------------------- a small evaluator
def _norm(v):
    return None if v is None else str(v)


def evaluate(cond: dict | None, values: dict) -> bool:
    """Evaluate a schema condition (docs/schema.md semantics) over plain values."""
    if cond is None:
        return True
    if "all" in cond:
        return all(evaluate(c, values) for c in cond["all"])
    if "any" in cond:
        return any(evaluate(c, values) for c in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], values)
    ref = cond["q"]
    if "." in ref:
        qid, row = ref.split(".", 1)
        value = (values.get(qid) or {}).get(row)
    else:
        value = values.get(ref)
    ((op, arg),) = ((k, v) for k, v in cond.items() if k != "q")
    if op == "answered":
        answered = value not in (None, [], "", {})
        return answered == arg
    if value is None:
        return False
    if isinstance(value, list):
        ticked = {_norm(v) for v in value}
        return {
            "has": lambda: _norm(arg) in ticked,
            "has_any": lambda: bool(ticked & {_norm(a) for a in arg}),
            "has_all": lambda: {_norm(a) for a in arg} <= ticked,
            "has_none": lambda: not ticked & {_norm(a) for a in arg},
            "count_eq": lambda: len(ticked) == arg,
            "count_gte": lambda: len(ticked) >= arg,
            "count_lte": lambda: len(ticked) <= arg,
        }[op]()
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and op in {"gt", "gte", "lt", "lte", "eq", "ne"}
    ):
        return {
            "eq": value == arg,
            "ne": value != arg,
            "gt": value > arg,
            "gte": value >= arg,
            "lt": value < arg,
            "lte": value <= arg,
        }[op]
    return {
        "eq": lambda: _norm(value) == _norm(arg),
        "ne": lambda: _norm(value) != _norm(arg),
        "in": lambda: _norm(value) in {_norm(a) for a in arg},
        "not_in": lambda: _norm(value) not in {_norm(a) for a in arg},
    }[op]()


def compute_derived(doc: dict, answers: dict) -> dict:
    """Answers plus the derived variables, computed in list order (first matching case)."""
    values = dict(answers)
    for d in doc.get("derived", []):
        result = None
        if "count" in d:
            ticked = values.get(d["count"])
            result = len(ticked) if ticked is not None else None
        else:
            for case in d["cases"]:
                if "when" in case and not evaluate(case["when"], values):
                    continue
                if "copy" in case:
                    src = values.get(case["copy"])
                    result = src[0] if isinstance(src, list) and len(src) == 1 else src
                else:
                    result = case["value"]
                break
        values[d["id"]] = result
    return values


def combos(domains: dict[str, set | None]):
    names = [n for n, dom in domains.items() if dom is not None]
    for combo in itertools.product(*(sorted(domains[n]) for n in names)):
        yield dict(zip(names, combo, strict=False))


# --------------------------------------------------------------------------- survey header
def test_survey_header(doc):
    assert doc["schema_version"] == 1
    s = doc["survey"]
    assert s["id"] == "barometre-2015"
    assert s["version"] == VERSION
    assert isinstance(s["version"], str)
    assert s["languages"] == ["fr", "en"]
    assert s["default_language"] == "fr"
    assert all(s["title"][lang].strip() for lang in LANGS)


def test_parameters(doc):
    params = {p["id"]: p for p in doc["parameters"]}
    assert set(params) == set(PARAMETERS)
    src = params["source"]
    assert src["param"] == "src"
    assert {o["code"] for o in doc["option_lists"][src["options"]]} == PARAMETERS["source"]["codes"]
    assert src["aliases"] == PARAMETERS["source"]["aliases"]
    assert src["default"] == 9
    pid = params["pid"]
    assert pid["type"] == "text"
    assert pid["transient"] is True


# --------------------------------------------------------------------------- items and pages
def test_every_item_exists_with_type_page_and_codes(doc, questions, page_of):
    for qid, (page, qtype, codes) in ITEMS.items():
        assert qid in questions, f"missing item {qid}"
        q = questions[qid]
        assert q["type"] == qtype, qid
        assert page_of[qid] == page, f"{qid} is on {page_of[qid]}, spec says {page}"
        if codes is not None:
            assert codes_of(doc, q) == codes, qid


def test_item_count_matches_9_1(questions):
    items = SCREENING + CORE + SUB_ITEMS
    assert len(items) == 44
    assert len(set(items)) == 44
    for item in items:
        if item == "q21":
            assert {f"q21_{c}" for c in range(1, 16)} <= set(questions)
        else:
            assert item in questions, item
    # Nothing beyond the items, the consent, the e-mail field and the introduction note.
    extra = set(questions) - set(ITEMS)
    assert all(questions[q]["type"] == "note" for q in extra), extra


def test_pages_hold_exactly_the_spec_items(doc):
    assert [p["id"] for p in doc["pages"]] == PAGE_IDS
    expected: dict[str, set[str]] = {}
    for qid, (page, _, _) in ITEMS.items():
        expected.setdefault(page, set()).add(qid)
    for p in doc["pages"]:
        held = {q["id"] for q in p["questions"] if q["type"] != "note"}
        assert held == expected[p["id"]], p["id"]


def test_intro_page_has_introduction_and_consent(pages, questions):
    p01 = pages["p01"]
    notes = [q for q in p01["questions"] if q["type"] == "note"]
    assert len(notes) == 1
    # §10.3.1: no study name or partner before the screen-outs; the controller's placeholder
    # is written literally for the study team to replace (§10.2.4).
    assert text(notes[0]["text"]) == INTRO_REV2
    for fr_or_en in text(notes[0]["text"]):
        assert "Hootsuite" not in fr_or_en
        assert "Barom" not in fr_or_en
    consent = questions["consent"]
    assert consent["consent_version"] == CONSENT_VERSION
    assert text(consent["text"]) == STEMS["consent"]


def test_stems_match_the_spec(questions):
    for qid, stem in STEMS.items():
        assert text(questions[qid]["text"]) == stem, qid


def test_s1b_text_shows_both_languages(questions):
    fr, en = text(questions["s1b"]["text"])
    for t in (fr, en):
        assert "Dans quelle langue souhaitez-vous répondre ?" in t
        assert "In which language would you like to answer?" in t


def test_q17_matrix_rows_and_scale(doc, questions):
    q17 = questions["q17"]
    assert {row["code"] for row in q17["rows"]} == Q17_ROWS
    for row in q17["rows"]:
        assert text(row["text"]) == Q17_ROW_TEXTS[row["code"]]
    assert q17["scale"] == questions["q15"]["options"], "Q15 and Q17 share the agreement scale"
    assert isinstance(q17["scale"], str), "the agreement scale is an option list"


def test_q21_items_text_and_options(doc, questions, derived):
    expected_change = {
        1: ("Augmenter", "Increase"),
        2: ("Rester stable", "Stay the same"),
        3: ("Diminuer", "Decrease"),
        4: ("Arrêter", "Stop"),
    }
    for c, (fr_name, en_name) in NETWORKS.items():
        q = questions[f"q21_{c}"]
        options = q["options"]
        if isinstance(options, str):
            options = doc["option_lists"][options]
        labels = {o["code"]: text(o["label"]) for o in options}
        if c not in (8, 10):
            stem = Q21_STEM_REV2.get(c) or (
                f"Dans les 12 prochains mois, votre usage de {fr_name} va…",
                f"In the next 12 months, your use of {en_name} will…",
            )
            assert text(q["text"]) == stem, c
            # Asked only when the network was selected: the plan options never apply.
            for ticked in ([c], [x for x in (1, 2, 3) if x != c][:1]):
                assert evaluate(q["when"], {"q3": [str(t) for t in ticked]}) == (c in ticked)
            assert labels == expected_change, c
            continue
        # §10.4.4: one id, two stems, piped from a derived variable chosen by Q3.
        assert "when" not in q
        assert text(q["text"]) == (f"${{q21_{c}_stem}}", f"${{q21_{c}_stem}}")
        d = derived[f"q21_{c}_stem"]
        stems = {o["code"]: text(o["label"]) for o in doc["option_lists"][d["options"]]}
        assert stems == {1: Q21_TWO_STEMS[c][0], 2: Q21_TWO_STEMS[c][1]}
        for q3, stem in (([str(c), "1"], 1), (["1"], 2)):
            assert _norm(compute_derived(doc, {"q3": q3})[d["id"]]) == str(stem)
        assert compute_derived(doc, {"q1": "2"})[d["id"]] is None  # non-users never see Q21
        assert labels == expected_change | Q21_PLAN_OPTIONS
        for o in options:
            for ticked in (True, False):
                q3 = [str(c)] if ticked else [str(c % 15 + 1)]
                shown = evaluate(o["when"], {"q3": q3})
                assert shown == (ticked if o["code"] <= 4 else not ticked), (c, o["code"], ticked)


def test_option_labels_settled_by_section_9(doc, questions):
    for (qid, code), labels in SETTLED_LABELS.items():
        opts = {o["code"]: o for o in options_of(doc, questions[qid])}
        assert text(opts[code]["label"]) == labels, (qid, code)
    q3 = {o["code"]: o for o in options_of(doc, questions["q3"])}
    for c, labels in NETWORKS.items():
        assert text(q3[c]["label"]) == labels


def test_every_text_is_bilingual_and_non_empty(doc):
    found = 0

    def walk(node, path):
        nonlocal found
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"text", "label", "help", "message", "title", "introduction"}:
                    assert isinstance(value, dict), f"{path}.{key}"
                    assert set(value) == set(LANGS), f"{path}.{key}"
                    for lang in LANGS:
                        assert isinstance(value[lang], str), f"{path}.{key}.{lang}"
                        assert value[lang].strip(), f"{path}.{key}.{lang}"
                    found += 1
                else:
                    walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")

    walk(doc, "")
    # Every question, matrix row, option, list entry, ending, derived variable and quota has one.
    expected = len(doc["endings"]) + len(doc["derived"]) + len(doc["quotas"]) + 1  # + title
    expected += sum(len(lst) for lst in doc["option_lists"].values())
    for p in doc["pages"]:
        for q in p["questions"]:
            expected += 1 + ("help" in q) + len(q.get("rows", []))
            expected += len(q["options"]) if isinstance(q.get("options"), list) else 0
    assert found == expected


def test_no_yaml_1_1_surprises(doc):
    """Codes are ints or identifiers, never booleans, floats or dates."""
    import datetime

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                assert not isinstance(key, (bool, float, datetime.date)), path
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")
        else:
            assert not isinstance(node, (float, datetime.date)), path
            if isinstance(node, bool):
                assert path.rsplit(".", 1)[-1] in {
                    "required",
                    "exclusive",
                    "other",
                    "fixed",
                    "multiline",
                    "personal",
                    "transient",
                    "default",
                    "answered",
                }, path

    walk(doc, "")


# --------------------------------------------------------------------------- §9.5 properties
def test_required_and_optional(questions):
    for qid, q in questions.items():
        if q["type"] == "note":
            continue
        required = q.get("required", q["type"] not in {"text", "email"})
        assert required is (qid not in OPTIONAL), qid


def test_exclusive_other_max_order(doc, questions):
    for qid, q in questions.items():
        opts = options_of(doc, q) if q["type"] in {"single", "multiple"} else []
        exclusive = {o["code"] for o in opts if o.get("exclusive")}
        assert exclusive == EXCLUSIVE.get(qid, set()), qid
        other = {o["code"] for o in opts if o.get("other")}
        assert other == ({OTHER[qid]} if qid in OTHER else set()), qid
        assert q.get("max") == MAXIMUM.get(qid), qid
        assert "min" not in q, qid
        assert (q.get("order") == "random") == (qid in RANDOM_ORDER), qid
        assert (q.get("options_from") == "q3") == (qid in OPTIONS_FROM_Q3), qid
        assert bool(q.get("personal")) == (qid in PERSONAL), qid
        assert q.get("sets_language") == SETS_LANGUAGE.get(qid), qid
        assert not q.get("autocode_single"), "Q4 stays empty when auto-coded (§9.6)"
    q3 = {o["code"]: o for o in options_of(doc, questions["q3"])}
    assert q3[15].get("fixed") or q3[15].get("other")
    # Q4 / Q10a: the Q3 codes, [15] without a text field.
    for qid in OPTIONS_FROM_Q3:
        assert not any(o.get("other") for o in options_of(doc, questions[qid]))


def test_viadeo_xing_only_in_france(doc, questions):
    q3 = {o["code"]: o for o in options_of(doc, questions["q3"])}
    for code, o in q3.items():
        if code in (4, 5):
            for s1 in (1, 2, 3):
                assert evaluate(o["when"], {"s1": str(s1)}) == (s1 == 1)
        else:
            assert "when" not in o, code


def test_q23_email(questions):
    e = questions["q23_email"]
    assert e["contact"] == {"with": ["q23"]}
    assert text(e["help"]) == (
        "Elle est enregistrée à part, sans lien avec vos réponses, et effacée après usage.",
        "It is stored separately, with no link to your answers, and deleted once used.",
    )


# --------------------------------------------------------------------------- routing B1-B8
def test_page_conditions(pages):
    for pid, rule in PAGE_RULES.items():
        page = pages[pid]
        if rule is None:
            assert "when" not in page, pid
            continue
        var, domain, shown = rule
        for code in domain:
            assert evaluate(page["when"], {var: str(code)}) == (code in shown), (pid, code)
    # p29: Q23 includes 1, 2 or 3.
    for ticked in [["1"], ["2"], ["3"], ["1", "3"], ["4"]]:
        assert evaluate(pages["p29"]["when"], {"q23": ticked}) == (ticked != ["4"])


def test_question_conditions(questions, doc):
    for qid, (var, domain, shown) in QUESTION_RULES.items():
        for code in domain:
            assert evaluate(questions[qid]["when"], {var: str(code)}) == (code in shown), (
                qid,
                code,
            )
    for qid in UNCONDITIONAL:
        assert "when" not in questions[qid], qid
    # B2: Q4 only when two or more networks were ticked.
    for ticked in (["1"], ["1", "2"], ["2", "15"], ["1", "2", "3"]):
        values = compute_derived(doc, {"q3": ticked})
        assert evaluate(questions["q4"]["when"], values) == (len(ticked) >= 2)


def test_every_conditioned_element_is_covered(doc, questions):
    """No question carries a condition that the tables above do not describe."""
    conditioned = {qid for qid, q in questions.items() if "when" in q}
    q21_conditional = {f"q21_{c}" for c in range(1, 16) if c not in (8, 10)}
    assert conditioned == set(QUESTION_RULES) | {"q4"} | q21_conditional


# --------------------------------------------------------------------------- endings
def test_endings(doc):
    endings = {e["id"]: e for e in doc["endings"]}
    assert set(endings) == set(ENDINGS) | {"qf", "end_complete"}
    for eid, (status, page, domains, predicate, message) in ENDINGS.items():
        e = endings[eid]
        assert e["status"] == status, eid
        assert e["check_after"] == page, eid
        assert text(e["message"]) == message, eid
        for values in combos(domains):
            as_str = {k: str(v) for k, v in values.items()}
            assert evaluate(e["when"], as_str) == predicate(values), (eid, values)
    assert endings["qf"]["status"] == "quota_full"
    assert text(endings["qf"]["message"]) == QUOTA_FULL_MSG
    complete = endings["end_complete"]
    assert complete["status"] == "complete"
    assert complete["default"] is True
    assert text(complete["message"]) == COMPLETE_MSG
    assert [e["id"] for e in doc["endings"] if e.get("default")] == ["end_complete"]


def test_ending_check_order(doc):
    order = [e["id"] for e in doc["endings"]]
    for page, expected in ENDING_ORDER.items():
        on_page = [eid for eid in order if ENDINGS.get(eid, (None, None))[1] == page]
        assert on_page == expected, page


# --------------------------------------------------------------------------- quotas
def expand_targets(targets, depth: int) -> dict[tuple, int]:
    if depth == 0:
        return {(): targets}
    cells = {}
    for code, sub in targets.items():
        if isinstance(sub, int) and depth > 1:
            cells[(code, "*")] = sub
        else:
            for rest, n in expand_targets(sub, depth - 1).items():
                cells[(code, *rest)] = n
    return cells


def test_hard_quota(doc):
    quotas = {q["id"]: q for q in doc["quotas"]}
    hard = [q for q in doc["quotas"] if q["kind"] == "hard"]
    assert [q["id"] for q in hard] == ["country_size"]
    q = quotas["country_size"]
    assert q["by"] == ["s1", "size_band"]
    assert expand_targets(q["targets"], 2) == HARD_CELLS
    assert sum(HARD_CELLS.values()) == 1100
    assert q["counts"] == ["end_complete"]
    assert q["check_after"] == HARD_QUOTA_CHECK_AFTER
    assert q["ending"] == "qf"


def test_soft_quotas(doc):
    soft = {q["id"]: q for q in doc["quotas"] if q["kind"] == "soft"}
    assert set(soft) == set(SOFT)
    for qid, (limit, counts, by, cells, domains, predicate) in SOFT.items():
        q = soft[qid]
        assert q["limit"] == limit, qid
        assert q["counts"] == counts, qid
        assert q.get("by", []) == by, qid
        if by:
            expanded = expand_targets(q["targets"], len(by))
            if len(by) == 2:  # a number for every code of the second variable
                expanded = {(c, s): n for (c, star), n in expanded.items() for s in r(1, 14)}
            assert expanded == cells, qid
        else:
            assert {(): q["target"]} == cells, qid
        for values in combos(domains):
            answers = compute_derived(doc, {k: str(v) for k, v in values.items()})
            assert evaluate(q.get("when"), answers) == predicate(values), (qid, values)


# --------------------------------------------------------------------------- derived
def test_derived_variables(doc, derived):
    assert list(derived)[: len(DERIVED)] == list(DERIVED)
    for did, (dtype, domains, expected) in DERIVED.items():
        d = derived[did]
        assert d["type"] == dtype, did
        assert all(d["label"][lang].strip() for lang in LANGS), did
        if expected is None or dtype == "number":
            continue
        for values in combos(domains):
            got = compute_derived(doc, {k: str(v) for k, v in values.items()})[did]
            assert _norm(got) == _norm(expected(values)), (did, values)
    assert derived["q3_count"]["count"] == "q3"
    for ticked in (["1"], ["1", "15"], [str(c) for c in range(1, 16)]):
        assert compute_derived(doc, {"q3": ticked})["q3_count"] == len(ticked)


def test_q4_main_and_q4_auto(doc):
    one = compute_derived(doc, {"q3": ["6"]})
    assert _norm(one["q4_main"]) == "6"
    assert _norm(one["q4_auto"]) == "1"
    several = compute_derived(doc, {"q3": ["1", "3"], "q4": "3"})
    assert _norm(several["q4_main"]) == "3"
    assert _norm(several["q4_auto"]) == "0"
    nonuser = compute_derived(doc, {"q1": "2"})
    assert nonuser["q4_main"] is None
    assert nonuser["q4_auto"] is None


def test_derived_lang_depends_on_s1_not_on_browser_language(doc):
    assert _norm(compute_derived(doc, {"s1": "3", "s1b": "1"})["lang"]) == "1"
    assert _norm(compute_derived(doc, {"s1": "3", "s1b": "2"})["lang"]) == "2"
    assert compute_derived(doc, {"s1": "4"})["lang"] is None


# --------------------------------------------------------------------------- forward references
def test_conditions_reference_only_earlier_pages(doc, page_of):
    order = {p["id"]: i for i, p in enumerate(doc["pages"])}
    derived_deps: dict[str, set[str]] = {}

    def refs(cond) -> set[str]:
        if cond is None:
            return set()
        if "all" in cond or "any" in cond:
            return set().union(*(refs(c) for c in cond.get("all", cond.get("any"))))
        if "not" in cond:
            return refs(cond["not"])
        return {cond["q"].split(".")[0]}

    def base_questions(name: str) -> set[str]:
        if name in page_of:
            return {name}
        return (
            set().union(*(base_questions(n) for n in derived_deps.get(name, set())))
            if derived_deps.get(name)
            else set()
        )

    for d in doc["derived"]:
        deps = {d["count"]} if "count" in d else set()
        for case in d.get("cases", []):
            deps |= refs(case.get("when"))
            if "copy" in case:
                deps.add(case["copy"])
        derived_deps[d["id"]] = deps

    def last_page(cond) -> int:
        pages = [order[page_of[q]] for ref in refs(cond) for q in base_questions(ref)]
        return max(pages, default=-1)

    for p in doc["pages"]:
        here = order[p["id"]]
        assert last_page(p.get("when")) < here, p["id"]
        for q in p["questions"]:
            assert last_page(q.get("when")) < here, q["id"]
            for o in q["options"] if isinstance(q.get("options"), list) else []:
                assert last_page(o.get("when")) < here, (q["id"], o["code"])
    for e in doc["endings"]:
        if "check_after" in e:
            assert last_page(e["when"]) <= order[e["check_after"]], e["id"]


# --------------------------------------------------------------------------- §10 rules
def _texts(doc):
    """Every (path, language, text) of the schema."""
    out = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"text", "label", "help", "message", "title", "introduction"}:
                    out.extend((f"{path}.{key}", lang, value[lang]) for lang in LANGS)
                else:
                    walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")

    walk(doc, "")
    return out


def test_r5_no_straight_apostrophe_or_quote(doc):
    for path, lang, value in _texts(doc):
        assert "'" not in value, (path, lang, value)
        assert '"' not in value, (path, lang, value)
        assert "\u00a0" not in value, (path, lang)  # R4: the platform adds it
        assert "\u202f" not in value, (path, lang)


def test_r6_us_english(doc):
    banned = ("organis", "programme", "e-mail", "tick", "set-up", "e.g. ")
    for path, lang, value in _texts(doc):
        if lang == "en":
            assert not any(b in value for b in banned), (path, value)


def test_r11_r12_french_wording(doc):
    banned = (
        "·",
        "(e)",
        "/e",
        "BTP",
        "ETP",
        "salariés",
        "posts sponsorisés",
        "restitution",
        "(RSE)",
    )
    banned += ("marketeur", "Utilisateur")
    for path, lang, value in _texts(doc):
        if lang == "fr":
            assert not any(b in value for b in banned), (path, value)


def test_r8_option_labels_start_with_a_capital(doc, questions):
    for q in questions.values():
        for o in options_of(doc, q) if q["type"] in {"single", "multiple"} else []:
            for label in text(o["label"]):
                first = label[0]  # a label may start with a number ("5 000 et plus")
                assert not first.islower() or label.startswith("blueKiwi"), (q["id"], label)


def test_r7_other_labels(doc, questions):
    for q in questions.values():
        for o in options_of(doc, q) if q["type"] in {"single", "multiple"} else []:
            if o.get("other"):
                fr, en = text(o["label"])
                assert fr.startswith("Autre"), fr
                assert fr.endswith("(précisez)"), fr
                assert en.startswith("Other"), en
                assert en.endswith("(please specify)"), en


def test_intro_study_note_opens_p07(pages):
    first = pages["p07"]["questions"][0]
    assert (first["id"], first["type"]) == ("intro_study", "note")
    assert text(first["text"]) == INTRO_STUDY


def test_s6b_page(pages, questions):
    assert pages["p06b"]["questions"] == [questions["s6b"]]
    assert questions["s6b"].get("order") is None
    assert questions["s6b"].get("required", True) is True


def test_new_options(doc, questions):
    for (qid, code), (fr, en, exclusive, position) in NEW_OPTIONS.items():
        opts = options_of(doc, questions[qid])
        codes = [o["code"] for o in opts]
        o = opts[codes.index(code)]
        assert text(o["label"]) == (fr, en), (qid, code)
        assert bool(o.get("exclusive")) is exclusive, (qid, code)
        if position == "last":
            assert codes[-1] == code, (qid, codes)
        elif position == "first":
            assert codes[0] == code, (qid, codes)
        else:
            assert codes[codes.index(code) - 1] == int(position.split()[1]), (qid, codes)
        if qid in HIGHEST_REV1:
            assert code > HIGHEST_REV1[qid], "R1: a new option takes a free code"
    assert [o["code"] for o in options_of(doc, questions["q9a"])] == Q9A_ORDER


def test_randomised_lists_and_anchors(doc, questions):
    for qid, (fixed, order) in RANDOM_REV2.items():
        q = questions[qid]
        assert q.get("order") == "random", qid
        opts = options_of(doc, q)
        pinned = {o["code"] for o in opts if o.get("fixed") or o.get("other") or o.get("exclusive")}
        assert fixed <= pinned, qid
        shuffled = {o["code"] for o in opts} - pinned
        assert len(shuffled) >= 5, qid
        if order is not None:
            assert [o["code"] for o in opts] == order, qid
    # Q13: [1] first; [7] (other), [11] and [99] (exclusive) pinned at the end.
    q13 = [o for o in options_of(doc, questions["q13"])]
    assert q13[0].get("fixed")
    assert q13[-3].get("other")
    assert q13[-2].get("exclusive")
    assert q13[-1].get("exclusive")


def test_admin_labels_rev2(doc, derived):
    quotas = {q["id"]: q for q in doc["quotas"]}
    for (kind, key), labels in ADMIN_LABELS_REV2.items():
        if kind == "derived":
            node = derived[key]["label"]
        elif kind == "quota":
            node = quotas[key]["label"]
        else:
            node = next(o for o in doc["option_lists"][kind] if o["code"] == key)["label"]
        assert text(node) == labels, (kind, key)


def test_neutral_screening_title_10_2_1(doc):
    s = doc["survey"]
    assert text(s["screening_title"]) == (
        "Enquête auprès des milieux professionnels",
        "Survey of business professionals",
    )
    assert text(s["title"]) == (
        "Baromètre des médias sociaux dans les départements marketing",
        "Social Media Barometer for Marketing Departments",
    )
    # The real title from P07: P01–P06 and P06b carry the screening title.
    assert s["real_title_from"] == "p07"
    ids = [p["id"] for p in doc["pages"]]
    assert ids[: ids.index("p07")] == ["p01", "p02", "p03", "p04", "p05", "p06", "p06b"]
    # Neither title names the topic before P07 (the screening title reveals nothing).
    for neutral in text(s["screening_title"]):
        assert not re.search(r"(?i)barom|médias|media|marketing", neutral)


def test_controller_placeholder_10_2_4(doc):
    intro = text(next(q for q in doc["pages"][0]["questions"] if q["type"] == "note")["text"])
    assert intro[0].endswith("écrivez à [ADRESSE DE CONTACT].")
    assert intro[1].endswith("write to [CONTACT ADDRESS].")
