#!/usr/bin/env python3
"""Generate a large, realistic and *valid* programme repository for benchmarks and tests.

    python benchmarks/generate.py --count 10000 --out /tmp/corpus [--seed 0]

writes into the output folder:

* `event.yaml`, `themes/` and `schema/`, copied from this repository (found relative to this
  file), so the corpus is checked against the real settings and schemas;
* `proposals/gen-00001-<slug>.yaml` … one file per proposal, each about 1.2–2 KB like the
  real ones: a multi-line Markdown description, 1–3 proposers, themes, languages,
  accessibility, looking_for, some links, and a mix of statuses.

The output is deterministic for a given (count, seed, event.yaml, themes/) and every file passes
`agenda check --strict` (no errors and no warnings):

* titles are never near-duplicates: each title holds one coined word (e.g. "Kavelu") that no
  other title and no vocabulary word uses, plus at most 7 other distinct words, so two titles
  share at most 7 of at least 9 words: Jaccard similarity <= 7/9 < 0.8;
* scheduled sessions come from a timetable packed room by room and day by day within the
  event's opening hours, so rooms never overlap; people in scheduled sessions are never reused
  in another proposal, so nobody is in two sessions at once; end - start == duration;
* only event.yaml's formats, rooms and languages and the theme ids in themes/ are used.

Importable: `generate(count, out_dir, seed=0)` returns a small summary dict.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
import textwrap
import unicodedata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WIDTH = 90  # wrap long lines like the hand-written files do

# --- the near-duplicate tokenizer of scripts/agenda/check/rules.py, copied so the generator does not
# depend on the package; `title_tokens` must agree with it (checked by agenda check itself). ---
_STOPWORDS = frozenset(
    "a an and the of for in on to with by at from or de des du la le les et en un une pour sur "
    "dans par au aux avec l d".split()
)
MAX_COMMON_TOKENS = 7  # + 1 unique token => Jaccard <= 7/9 < 0.8 for any pair


def title_tokens(title: str) -> frozenset:
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return frozenset(t for t in re.split(r"[^0-9a-z\u0080-\uffff]+", text) if t and t not in _STOPWORDS)


def slugify(text: str, limit: int = 64) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w]
    out = ""
    for w in words:
        candidate = f"{out}-{w}" if out else w
        if len(candidate) > limit:
            break
        out = candidate
    return out or "session"


# --- vocabulary ---------------------------------------------------------------------------------
# Objects carry the theme they belong to; unknown theme ids are replaced by random real ones.

OBJECTS = {
    "en": [
        ("public budgets", "transparency-public-life"), ("procurement data", "transparency-public-life"),
        ("lobbying registers", "transparency-public-life"), ("asset declarations", "transparency-public-life"),
        ("election finance", "transparency-public-life"), ("public contracts", "transparency-public-life"),
        ("climate commitments", "climate-sustainable-development"), ("air quality data", "climate-sustainable-development"),
        ("water services", "climate-sustainable-development"), ("energy statistics", "climate-sustainable-development"),
        ("flood risk maps", "climate-sustainable-development"), ("forest concessions", "climate-sustainable-development"),
        ("information requests", "access-to-information"), ("archives", "access-to-information"),
        ("court decisions", "access-to-information"), ("official gazettes", "access-to-information"),
        ("accessible websites", "civic-tech-inclusion"), ("petition platforms", "civic-tech-inclusion"),
        ("participation tools", "civic-tech-inclusion"), ("digital services", "civic-tech-inclusion"),
        ("action plans", "implementing-open-government"), ("reform commitments", "implementing-open-government"),
        ("consultation results", "implementing-open-government"), ("progress reports", "implementing-open-government"),
        ("municipal councils", "open-government-territories"), ("village budgets", "open-government-territories"),
        ("regional plans", "open-government-territories"), ("land records", "open-government-territories"),
        ("spreadsheets", "data-literacy"), ("statistics", "data-literacy"), ("open datasets", "data-literacy"),
        ("data stories", "media-open-data"), ("newsroom data", "media-open-data"), ("fact checks", "media-open-data"),
        ("community radio", "media-open-data"), ("school funding", "open-government-territories"),
        ("health statistics", "data-literacy"), ("parliamentary votes", "transparency-public-life"),
        ("transport data", "open-government-territories"), ("beneficial ownership", "transparency-public-life"),
    ],
    "fr": [
        ("budgets publics", "transparency-public-life"), ("marchés publics", "transparency-public-life"),
        ("registres de lobbying", "transparency-public-life"), ("déclarations d'intérêts", "transparency-public-life"),
        ("comptes de campagne", "transparency-public-life"), ("subventions", "transparency-public-life"),
        ("engagements climatiques", "climate-sustainable-development"), ("mesures de la qualité de l'air", "climate-sustainable-development"),
        ("services d'eau", "climate-sustainable-development"), ("données énergétiques", "climate-sustainable-development"),
        ("risques d'inondation", "climate-sustainable-development"), ("forêts communales", "climate-sustainable-development"),
        ("demandes d'accès", "access-to-information"), ("archives publiques", "access-to-information"),
        ("décisions de justice", "access-to-information"), ("journaux officiels", "access-to-information"),
        ("sites accessibles", "civic-tech-inclusion"), ("pétitions en ligne", "civic-tech-inclusion"),
        ("outils participatifs", "civic-tech-inclusion"), ("services numériques", "civic-tech-inclusion"),
        ("plans d'action", "implementing-open-government"), ("engagements nationaux", "implementing-open-government"),
        ("consultations publiques", "implementing-open-government"), ("rapports d'étape", "implementing-open-government"),
        ("conseils municipaux", "open-government-territories"), ("budgets participatifs", "open-government-territories"),
        ("plans régionaux", "open-government-territories"), ("cadastres", "open-government-territories"),
        ("tableurs", "data-literacy"), ("statistiques locales", "data-literacy"), ("jeux de données", "data-literacy"),
        ("récits de données", "media-open-data"), ("rédactions locales", "media-open-data"),
        ("radios communautaires", "media-open-data"), ("cantines scolaires", "open-government-territories"),
        ("données de santé", "data-literacy"), ("votes parlementaires", "transparency-public-life"),
        ("transports publics", "open-government-territories"), ("bénéficiaires effectifs", "transparency-public-life"),
    ],
}

ACTIONS = {
    "en": ["Mapping", "Opening", "Tracking", "Auditing", "Visualising", "Publishing", "Monitoring",
           "Teaching", "Explaining", "Rethinking", "Measuring", "Sharing", "Questioning", "Reading",
           "Following", "Improving", "Documenting", "Comparing", "Checking", "Unlocking"],
    "fr": ["Cartographier", "Ouvrir", "Suivre", "Auditer", "Visualiser", "Publier", "Surveiller",
           "Enseigner", "Expliquer", "Repenser", "Mesurer", "Partager", "Questionner", "Lire",
           "Décrypter", "Améliorer", "Documenter", "Comparer", "Vérifier", "Libérer"],
}

QUALIFIERS = {
    "en": ["with neighbourhood councils", "for rural communities", "with young people", "in small towns",
           "for journalists", "with public servants", "across West Africa", "in coastal cities",
           "with librarians", "for first-time voters", "in the Andes", "with students",
           "for local reporters", "with elected officials", "in island states", "for tenants",
           "with farmers", "in mountain villages", "for migrants", "with teachers"],
    "fr": ["avec les conseils de quartier", "pour les communes rurales", "avec les jeunes",
           "dans les petites villes", "pour les journalistes", "avec les agents publics",
           "en Afrique de l'Ouest", "dans les villes côtières", "avec les bibliothécaires",
           "pour les primo-votants", "avec les étudiants", "pour la presse locale", "avec les élus",
           "dans les territoires insulaires", "pour les locataires", "avec les agriculteurs",
           "dans les villages de montagne", "avec les enseignants", "pour les associations",
           "avec les habitants"],
}

KINDS = {
    "en": ["project", "toolkit", "experiment", "method", "network", "observatory", "lab", "approach"],
    "fr": ["projet", "kit", "programme", "collectif", "réseau", "observatoire", "laboratoire", "atelier"],
}

TITLE_TEMPLATES = {
    "en": [
        "{Action} {object} {qualifier}: lessons from {Name}",
        "{Name}: {action} {object} {qualifier}",
        "{Object} {qualifier}, the {Name} {kind}",
        "How {Name} is {action} {object}",
        "The {Name} {kind}: {action} {object}",
        "{Action} {object} in {Name}",
    ],
    "fr": [
        "{Action} les {object} {qualifier} : l'exemple de {Name}",
        "{Name} : {action} les {object} {qualifier}",
        "{Object} {qualifier}, le {kind} {Name}",
        "Le {kind} {Name} : {action} les {object}",
        "{Action} les {object} à {Name}",
    ],
}

SUMMARY_TEMPLATES = {
    "en": [
        "A {format_word} on {object} {qualifier}, based on the {Name} {kind} and what went wrong along the way.",
        "Participants see how the {Name} {kind} works, try it on real {object} and leave with a plan for their own town.",
        "Two years of {object} {qualifier}: what the {Name} {kind} learnt, what it changed and what it would do differently.",
        "We present the {Name} {kind} and invite everyone working on {object} to compare methods, tools and results.",
    ],
    "fr": [
        "Un {format_word} sur les {object} {qualifier}, à partir du {kind} {Name} et de ses difficultés.",
        "Les participants découvrent le {kind} {Name}, l'essaient sur des cas concrets et repartent avec un plan d'action.",
        "Deux ans de travail sur les {object} {qualifier} : ce que le {kind} {Name} a appris et ce qu'il ferait autrement.",
        "Nous présentons le {kind} {Name} et invitons toutes celles et ceux qui travaillent sur les {object} à comparer leurs méthodes.",
    ],
}

FORMAT_WORDS = {
    "en": {"event": "festive evening", "conference": "panel", "workshop": "hands-on workshop", "pitch": "short pitch"},
    "fr": {"event": "événement", "conference": "table ronde", "workshop": "atelier pratique", "pitch": "pitch"},
}

HEADINGS = {
    "en": {"context": ["Context", "Why this session", "The problem", "Background"],
           "how": ["How it works", "Programme", "Format", "What we will do"],
           "who": ["Who should come", "For whom", "Audience"],
           "more": ["Resources", "Find out more", "Before the session"]},
    "fr": {"context": ["Contexte", "Pourquoi cette session", "Le constat", "L'idée"],
           "how": ["Déroulé", "Programme", "Au programme", "Format"],
           "who": ["Pour qui ?", "Public visé", "Qui devrait venir ?"],
           "more": ["Ressources", "Pour aller plus loin", "Avant la session"]},
}

CONTEXT_SENTENCES = {
    "en": [
        "Many {object} are published, yet few people outside public bodies know how to read them.",
        "Since {year}, the {Name} {kind} has worked {qualifier} on {object}.",
        "Our team (fictitious) collected more than {number} documents and turned them into a public database.",
        "Most of the work was done by volunteers, with little money and a lot of patience.",
        "The results surprised us: the data was often incomplete, late or scattered across several websites.",
        "We think the approach can be reused by other groups with very few changes.",
        "Officials we met were more open than expected once the questions were precise.",
        "The main difficulty is not technical: it is keeping people involved after the first month.",
    ],
    "fr": [
        "De nombreux {object} sont publiés, mais peu de personnes savent les lire en dehors des administrations.",
        "Depuis {year}, le {kind} {Name} travaille {qualifier} sur les {object}.",
        "Notre équipe (fictive) a rassemblé plus de {number} documents et en a tiré une base publique.",
        "L'essentiel du travail a été fait par des bénévoles, avec peu de moyens et beaucoup de patience.",
        "Les résultats nous ont surpris : les données étaient souvent incomplètes, tardives ou dispersées.",
        "Nous pensons que la démarche peut être reprise par d'autres groupes avec très peu de changements.",
        "Les agents rencontrés ont été plus ouverts que prévu dès que les questions étaient précises.",
        "La principale difficulté n'est pas technique : il s'agit de garder les gens mobilisés après le premier mois.",
    ],
}

STEPS = {
    "en": [
        "a short presentation of the {Name} {kind} and its first results;",
        "small groups try the method on real {object};",
        "each group reports back in three minutes;",
        "**{minutes} minutes** of questions from the floor;",
        "a live demonstration of the tools we use every day;",
        "a shared list of next steps, published after the session;",
        "testimonies from a journalist and a local official;",
        "a quiz to test what everyone knows about {object};",
    ],
    "fr": [
        "une courte présentation du {kind} {Name} et de ses premiers résultats ;",
        "des petits groupes testent la méthode sur des cas concrets ;",
        "chaque groupe restitue en trois minutes ;",
        "**{minutes} minutes** de questions de la salle ;",
        "une démonstration en direct des outils que nous utilisons ;",
        "une liste partagée des prochaines étapes, publiée après la session ;",
        "les témoignages d'une journaliste et d'un élu local ;",
        "un quiz pour tester ce que chacun sait des {object}.",
    ],
}

WHO_SENTENCES = {
    "en": [
        "Anyone working on {object}: associations, public servants, journalists and curious citizens. No technical skills are needed.",
        "People who already run similar projects, and officials who want to publish {object} in a more useful way.",
        "Newcomers are welcome; bring a laptop if you have one, but it is not required.",
    ],
    "fr": [
        "Toute personne qui travaille sur les {object} : associations, agents publics, journalistes et citoyens curieux. Aucune compétence technique n'est requise.",
        "Les personnes qui mènent déjà des projets similaires, et les agents qui veulent publier les {object} de façon plus utile.",
        "Les nouveaux venus sont les bienvenus ; apportez un ordinateur si vous en avez un, ce n'est pas obligatoire.",
    ],
}

MORE_SENTENCES = {
    "en": "Our guide and the data are online at [{host}](https://{host}/{path}).",
    "fr": "Notre guide et les données sont en ligne sur [{host}](https://{host}/{path}).",
}

LINK_TITLES = {
    "en": ["Project website (example)", "Public dataset (example)", "Methodology (example)",
           "Last year's report (example)", "Source code (example)"],
    "fr": ["Site du projet (exemple)", "Jeu de données (exemple)", "Méthodologie (exemple)",
           "Rapport de l'an dernier (exemple)", "Code source (exemple)"],
}

ACCESS_NOTES = {
    "en": ["Quiet room next door; breaks every 45 minutes.", "Slides in large print on request.",
           "Hearing loop available; seats reserved near the front.", "Materials in plain language."],
    "fr": ["Salle calme à côté ; pauses toutes les 45 minutes.", "Supports en gros caractères sur demande.",
           "Boucle magnétique disponible ; places réservées au premier rang.", "Supports en langage clair."],
}

LOOKING_FOR = ["co-organisers", "speakers", "facilitators", "translators", "interpreters", "note-takers",
               "participants", "partners", "funding", "venue"]
SIGN_LANGUAGES = ["LSF", "BSL", "ASL", "IS", "LSE"]

FIRST_NAMES = [
    "Amara", "Aïcha", "Alex", "Ana", "Anh", "Ayo", "Bea", "Bruno", "Camille", "Carmen", "Chen", "Chloé",
    "Dani", "Dario", "Dina", "Eitan", "Elena", "Emeka", "Émilie", "Fatou", "Felipe", "Fiona", "Gabriel",
    "Grace", "Hana", "Hassan", "Ines", "Ivan", "Jade", "Jamal", "Jin", "Jo", "José", "Júlia", "Kai",
    "Karim", "Kemi", "Lamine", "Lea", "Leila", "Lucía", "Luis", "Maëlle", "Malik", "Maria", "Marek",
    "Maya", "Mehdi", "Mina", "Moussa", "Nadia", "Naledi", "Nour", "Olga", "Omar", "Oriane", "Pablo",
    "Paulo", "Priya", "Quentin", "Rafael", "Rania", "Rosa", "Sacha", "Salma", "Samir", "Sara", "Sékou",
    "Sofia", "Sun", "Tariq", "Taylor", "Thandi", "Théo", "Tomás", "Uma", "Valentina", "Victor", "Wanjiru",
    "Xavier", "Yara", "Yasmine", "Youssef", "Zanele", "Zoë", "Zeynep", "Ahmed", "Beatriz", "Chidi", "Diego",
]
LAST_NAMES = [
    "Placeholder", "Exemple", "Ficticia", "Modelo", "Sample", "Imaginaire", "Muster", "Esempio", "Dummy",
    "Inventé", "Prototype", "Fictif", "Ejemplo", "Exemplar", "Specimen", "Mock", "Template", "Demo",
    "Diallo", "Ndiaye", "Okafor", "Mensah", "Haddad", "Benali", "Nguyen", "Tran", "Silva", "Santos",
    "Oliveira", "García", "López", "Martínez", "Dubois", "Moreau", "Lefèvre", "Martin", "Bernard",
    "Kowalski", "Novak", "Ivanova", "Petrov", "Yilmaz", "Demir", "Kim", "Park", "Lee", "Wang", "Li",
    "Zhang", "Sato", "Tanaka", "Khan", "Patel", "Sharma", "Singh", "Das", "Mwangi", "Otieno", "Kamau",
    "Abebe", "Tesfaye", "Traoré", "Coulibaly", "Keïta", "Sow", "Ba", "Cissé", "Mbeki", "Dlamini",
    "Nkosi", "Rossi", "Bianchi", "Müller", "Schmidt", "Andersen", "Nielsen", "Kuznetsov", "Horvat",
    "Rahman", "Hossain", "Aziz", "Farah", "Mahmoud", "Salem", "Torres", "Ramírez", "Flores", "Cruz",
]
ORG_PATTERNS = {
    "en": ["Open Data {Place} (example)", "{Place} Civic Lab", "Transparency Network {Place} (example)",
           "{Place} Budget Watch", "Civic Tech {Place} Collective", "{Place} Community Radio (example)"],
    "fr": ["Collectif Données Ouvertes {Place} (exemple)", "Observatoire citoyen de {Place}",
           "Association Transparence {Place}", "Laboratoire civique de {Place} (exemple)",
           "Réseau des élus de {Place} (exemple)", "Radio associative de {Place}"],
}
PLACES = ["Dakar", "Lyon", "Recife", "Tunis", "Montréal", "Quito", "Nairobi", "Manila", "Tbilisi",
          "Bogotá", "Accra", "Rabat", "Lille", "Cotonou", "Jakarta", "Valparaíso", "Kigali", "Bordeaux",
          "Abidjan", "Puebla", "Cluj", "Durban", "Nantes", "Lima"]
COUNTRIES = ["FR", "SN", "BR", "TN", "CA", "EC", "KE", "PH", "GE", "CO", "GH", "MA", "BJ", "ID", "CL",
             "RW", "CI", "MX", "RO", "ZA", "PE", "GB", "US", "DE", "ES", "IT", "IN", "NG", "UA", "JP"]

_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"
_SYLLABLES = [c + v for c in _CONSONANTS for v in _VOWELS]  # 70


def _vocabulary_tokens() -> frozenset:
    words = set()
    for lang in ("en", "fr"):
        pools = [ACTIONS[lang], QUALIFIERS[lang], KINDS[lang], [o for o, _ in OBJECTS[lang]]]
        pools += [TITLE_TEMPLATES[lang]]
        for pool in pools:
            for text in pool:
                words |= title_tokens(re.sub(r"\{\w+\}", " ", text))
    return frozenset(words | _STOPWORDS)


class _Coiner:
    """A bijection index -> pronounceable word (Kavelu), seeded, skipping vocabulary words."""

    def __init__(self, count: int, rng: random.Random):
        self.k = 3
        while len(_SYLLABLES) ** self.k < 2 * count + 10:
            self.k += 1
        self.m = len(_SYLLABLES) ** self.k
        while True:  # a multiplier coprime with 70**k: not divisible by 2, 5 or 7
            self.a = rng.randrange(1, self.m)
            if self.a % 2 and self.a % 5 and self.a % 7:
                break
        self.b = rng.randrange(self.m)
        self.count = count
        self.forbidden = _vocabulary_tokens()

    def _word(self, n: int) -> str:
        v = (n * self.a + self.b) % self.m
        parts = []
        for _ in range(self.k):
            v, r = divmod(v, len(_SYLLABLES))
            parts.append(_SYLLABLES[r])
        return "".join(parts)

    def word(self, index: int) -> str:
        n = index
        while n < self.m:
            w = self._word(n)
            if w not in self.forbidden:
                return w.capitalize()
            n += self.count  # values index + j*count are never another index's first choice
        raise RuntimeError("ran out of coined words")  # pragma: no cover


# --- settings -----------------------------------------------------------------------------------


def _load_yaml(path: Path):
    try:
        import yaml
    except ImportError:  # pragma: no cover
        sys.exit("generate.py needs PyYAML: run it with the project's venv (.venv/bin/python)")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class Settings:
    def __init__(self, root: Path):
        event = _load_yaml(root / "event.yaml")
        self.rooms = [(r["id"], bool(r.get("step_free", True))) for r in event["rooms"]]
        self.formats = [f["id"] for f in event["formats"]]
        self.languages = [lang["code"] for lang in event["languages"]]
        venue = event.get("venue_dates") or event["dates"]  # the rooms' days (the week's other days: elsewhere)
        first = dt.date.fromisoformat(str(venue["start"]))
        last = dt.date.fromisoformat(str(venue["end"]))
        self.days = [(first + dt.timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
        hours = event.get("hours") or {"start": "09:00", "end": "18:00"}
        self.opening = (_minutes(str(hours["start"])), _minutes(str(hours["end"])))
        self.themes = sorted(p.stem for p in (root / "themes").glob("*.yaml"))
        if not self.themes:
            raise SystemExit(f"no themes in {root / 'themes'}")


# Durations by format (minutes). Formats not listed here get GENERIC_DURATIONS.
DURATIONS = {
    "pitch": [15, 20, 30],
    "conference": [45, 60, 75, 90],
    "workshop": [60, 90, 120, 180],
    "event": [120, 180, 240, 480],
}
GENERIC_DURATIONS = [30, 45, 60, 90, 120]
SLOT_DURATIONS = [30, 45, 60, 60, 75, 90, 90, 120]
FORMAT_WEIGHTS = {"conference": 35, "workshop": 35, "pitch": 15, "event": 15}
STATUS_WEIGHTS = [("proposed", 40), ("accepted", 25), ("declined", 20), ("withdrawn", 15)]
MIN_BYTES, MAX_BYTES, MAX_TRIES = 1200, 2000, 30  # file size like the real proposals
HEADER = "# Generated by benchmarks/generate.py (seed {seed}): fictitious people and organisations."
SCHEDULED_SHARE = 0.15  # at most this share is scheduled, and never more than the timetable holds


def timetable(settings: Settings, rng: random.Random):
    """Non-overlapping (day, room, step_free, start, duration) slots, packed in each room."""
    slots = []
    open_, close = settings.opening
    for day in settings.days:
        for room, step_free in settings.rooms:
            cursor = open_ + rng.choice([0, 0, 30, 60])
            while True:
                duration = rng.choice(SLOT_DURATIONS)
                if cursor + duration > close:
                    break
                slots.append((day, room, step_free, cursor, duration))
                cursor += duration + rng.choice([0, 15, 15, 30])
    rng.shuffle(slots)
    return slots


# --- people -------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


class People:
    """Fresh people have a name (and GitHub handle) used nowhere else in the corpus."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used_names = set()
        self.used_handles = set()
        self.reusable = []  # people of unscheduled proposals, who may propose again

    def fresh(self, lang: str) -> dict:
        rng = self.rng
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            middle = "" if rng.random() < 0.5 else rng.choice("ABCDEFGHIJKLMNOPRSTVWY") + ". "
            name = f"{first} {middle}{last}"
            key = _ascii(name).casefold()
            handle = re.sub(r"[^a-z0-9]+", "-", key).strip("-")[:30].strip("-") + "-example"
            if key in self.used_names or handle in self.used_handles:
                continue
            self.used_names.add(key)
            self.used_handles.add(handle)
            break
        org = "independent" if rng.random() < 0.12 else rng.choice(ORG_PATTERNS[lang]).format(Place=rng.choice(PLACES))
        person = {"name": name, "organisation": org, "country": rng.choice(COUNTRIES)}
        if rng.random() < 0.45:
            person["github"] = handle
        return person

    def team(self, lang: str, scheduled: bool) -> list:
        rng = self.rng
        size = rng.choices([1, 2, 3], weights=[50, 35, 15])[0]
        team, keys = [], set()
        while len(team) < size:
            if not scheduled and self.reusable and rng.random() < 0.2:
                person = rng.choice(self.reusable)
            else:
                person = self.fresh(lang)
                if not scheduled:
                    self.reusable.append(person)
            if person["name"] not in keys:
                keys.add(person["name"])
                team.append(person)
        return team


# --- one proposal -------------------------------------------------------------------------------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _make_title(rng, lang, name, obj):
    for _ in range(50):
        template = rng.choice(TITLE_TEMPLATES[lang])
        action = rng.choice(ACTIONS[lang])
        qualifier = rng.choice(QUALIFIERS[lang])
        kind = rng.choice(KINDS[lang])
        if lang == "en" and template.startswith("How"):
            action = action.lower()
        else:
            action = action if template.startswith("{Action}") else action.lower()
        title = template.format(Action=action, action=action, object=obj, Object=_cap(obj),
                                qualifier=qualifier, kind=kind, Name=name)
        tokens = title_tokens(title)
        common = tokens - {name.lower()}
        if name.lower() in tokens and len(common) <= MAX_COMMON_TOKENS and 5 <= len(title) <= 120:
            return title, kind, qualifier
    raise RuntimeError("could not build a title")  # pragma: no cover


def _wrap(text: str, indent: str = "", subsequent: str | None = None) -> list:
    return textwrap.wrap(text, WIDTH, initial_indent=indent,
                         subsequent_indent=indent if subsequent is None else subsequent,
                         break_on_hyphens=False, break_long_words=False)


def _description(rng, lang, ctx, with_link):
    h = HEADINGS[lang]
    lines = [f"## {rng.choice(h['context'])}", ""]
    sentences = rng.sample(CONTEXT_SENTENCES[lang], rng.randint(3, 4))
    lines += _wrap(" ".join(s.format(**ctx) for s in sentences))
    lines += ["", f"## {rng.choice(h['how'])}", ""]
    steps = [step.format(**ctx).rstrip(" ;.") for step in rng.sample(STEPS[lang], rng.randint(3, 4))]
    end = " ;" if lang == "fr" else ";"
    for k, step in enumerate(steps):
        lines += _wrap("- " + step + ("." if k == len(steps) - 1 else end), subsequent="  ")
    if rng.random() < 0.3:
        lines += ["", "1. " + ("Everything we produce is published under an open licence." if lang == "en"
                               else "Tout ce que nous produisons est publié sous licence libre."),
                  "2. " + ("Notes are shared with all participants." if lang == "en"
                           else "Les notes sont partagées avec tous les participants.")]
    lines += ["", f"## {rng.choice(h['who'])}", ""]
    lines += _wrap(rng.choice(WHO_SENTENCES[lang]).format(**ctx))
    if with_link:
        lines += ["", f"## {rng.choice(h['more'])}", ""]
        lines += _wrap(MORE_SENTENCES[lang].format(**ctx))
    if rng.random() < 0.25:
        lines += ["", ("*Reviewers' note: please keep the session under the announced time.*" if lang == "en"
                       else "*Note des relecteurs : merci de respecter la durée annoncée.*")]
    return "\n".join(lines) + "\n"


def build_proposal(rng, settings, people, coined, slot):
    """One proposal as a dict (key order = file order)."""
    lang = rng.choices(["en", "fr"], weights=[55, 45])[0]
    obj, theme = rng.choice(OBJECTS[lang])
    title, kind, qualifier = _make_title(rng, lang, coined, obj)

    if slot is not None:
        day, room, step_free, start, duration = slot
        fitting = [f for f in settings.formats if duration in DURATIONS.get(f, GENERIC_DURATIONS)]
        fmt = rng.choice(fitting or settings.formats)
        status = "scheduled"
    else:
        weights = [FORMAT_WEIGHTS.get(f, 10) for f in settings.formats]
        fmt = rng.choices(settings.formats, weights=weights)[0]
        duration = rng.choice(DURATIONS.get(fmt, GENERIC_DURATIONS))
        status = rng.choices([s for s, _ in STATUS_WEIGHTS], weights=[w for _, w in STATUS_WEIGHTS])[0]

    themes = [theme if theme in settings.themes else rng.choice(settings.themes)]
    for extra in rng.sample(settings.themes, rng.choice([0, 0, 1, 1, 2])):
        if extra not in themes:
            themes.append(extra)
    spoken = [lang] if lang in settings.languages else [settings.languages[0]]
    for extra in rng.sample(settings.languages, rng.choice([0, 0, 1, 2])):
        if extra not in spoken:
            spoken.append(extra)

    host = f"{coined.lower()}.example.{rng.choice(['org', 'net', 'com'])}"
    ctx = {
        "Name": coined, "object": obj, "qualifier": qualifier, "kind": kind, "host": host,
        "path": rng.choice(["guide", "data", "about", "methode", "2016"]),
        "year": rng.randint(2009, 2015), "number": rng.choice([120, 300, 400, 850, 1200, 5000]),
        "minutes": rng.choice([10, 15, 20]),
        "format_word": FORMAT_WORDS[lang].get(fmt, fmt),
    }
    summary = rng.choice(SUMMARY_TEMPLATES[lang]).format(**ctx)
    with_link = rng.random() < 0.6

    data = {
        "title": title,
        "format": fmt,
        "themes": themes,
        "languages": spoken,
        "summary": summary[:300].rstrip(),
        "description": _description(rng, lang, ctx, with_link),
        "proposers": people.team(lang, scheduled=slot is not None),
        "duration": duration,
        "status": status,
    }
    if slot is not None:
        data["schedule"] = {"day": day, "start": _hhmm(start), "end": _hhmm(start + duration), "room": room}
    if with_link or rng.random() < 0.2:
        links = [{"title": rng.choice(LINK_TITLES[lang]), "url": f"https://{host}/{ctx['path']}"}]
        if rng.random() < 0.3:
            links.append({"title": LINK_TITLES[lang][-1], "url": f"https://code.example.org/{coined.lower()}"})
        data["links"] = links
    if rng.random() < 0.8:
        acc = {}
        if rng.random() < 0.35:
            acc["interpretation"] = rng.sample(settings.languages, rng.randint(1, min(3, len(settings.languages))))
        if rng.random() < 0.2:
            acc["sign_language"] = rng.sample(SIGN_LANGUAGES, rng.randint(1, 2))
        acc["captions"] = rng.random() < 0.4
        acc["step_free_access"] = slot[2] if slot is not None else rng.random() < 0.9
        if rng.random() < 0.3:
            acc["materials_in_advance"] = True
        if rng.random() < 0.5:
            acc["notes"] = rng.choice(ACCESS_NOTES[lang])
        data["accessibility"] = acc
    if rng.random() < 0.85:
        data["looking_for"] = rng.sample(LOOKING_FOR, rng.randint(1, 4))
    data["example"] = True
    return data


# --- YAML rendering (by hand, to look like the hand-written files) ------------------------------


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(data: dict, header: str = "") -> str:
    out = [header] if header else []
    out.append(f"title: {_q(data['title'])}")
    out.append(f"format: {data['format']}")
    out.append("themes:")
    out += [f"  - {t}" for t in data["themes"]]
    out.append("languages:")
    out += [f"  - {lang}" for lang in data["languages"]]
    out.append("summary: >-")
    out += _wrap(data["summary"], "  ")
    out.append("description: |")
    out += [("  " + line) if line else "" for line in data["description"].rstrip("\n").split("\n")]
    out.append("proposers:")
    for p in data["proposers"]:
        out.append(f"  - name: {_q(p['name'])}")
        out.append(f"    organisation: {_q(p['organisation'])}")
        out.append(f"    country: {p['country']}")
        if "github" in p:
            out.append(f"    github: {p['github']}")
    out.append(f"duration: {data['duration']}")
    out.append(f"status: {data['status']}")
    if "schedule" in data:
        s = data["schedule"]
        out += ["schedule:", f"  day: {_q(s['day'])}", f"  start: {_q(s['start'])}",
                f"  end: {_q(s['end'])}", f"  room: {s['room']}"]
    if "links" in data:
        out.append("links:")
        for link in data["links"]:
            out += [f"  - title: {_q(link['title'])}", f"    url: {_q(link['url'])}"]
    if "accessibility" in data:
        out.append("accessibility:")
        for key, value in data["accessibility"].items():
            if isinstance(value, list):
                out.append(f"  {key}:")
                out += [f"    - {v}" for v in value]
            elif isinstance(value, bool):
                out.append(f"  {key}: {'true' if value else 'false'}")
            else:
                out.append(f"  {key}: {_q(value)}")
    if "looking_for" in data:
        out.append("looking_for:")
        out += [f"  - {v}" for v in data["looking_for"]]
    if "example" in data:
        out.append(f"example: {'true' if data['example'] else 'false'}")
    return "\n".join(out) + "\n"


# --- the repository -----------------------------------------------------------------------------


def iter_proposals(count: int, seed: int = 0, root: Path = REPO_ROOT):
    """Yield (id, data) for `count` proposals; deterministic for (count, seed, settings)."""
    settings = Settings(Path(root))
    rng = random.Random(f"agenda-benchmark:{seed}")
    slots = timetable(settings, random.Random(f"agenda-timetable:{seed}"))
    n_scheduled = min(len(slots), int(count * SCHEDULED_SHARE))
    scheduled = dict(zip(sorted(rng.sample(range(count), n_scheduled)), slots))
    coiner = _Coiner(count, random.Random(f"agenda-names:{seed}"))
    people = People(random.Random(f"agenda-people:{seed}"))
    width = max(5, len(str(count)))
    for i in range(count):
        for _ in range(MAX_TRIES):  # redraw until the file has a realistic size
            data = build_proposal(rng, settings, people, coiner.word(i), scheduled.get(i))
            if MIN_BYTES <= len(render(data, HEADER.format(seed=seed)).encode("utf-8")) <= MAX_BYTES:
                break
        number = f"gen-{i + 1:0{width}d}"
        ident = f"{number}-{slugify(data['title'], 64 - len(number) - 1)}"
        yield ident, data


def generate(count: int, out_dir, seed: int = 0, *, root=REPO_ROOT, overwrite: bool = False) -> dict:
    """Write a complete programme repository with `count` generated proposals into `out_dir`.

    `out_dir` must not exist or be empty, unless overwrite=True (then its event.yaml, themes/,
    schema/ and proposals/ are replaced). Returns {"proposals", "scheduled", "bytes", "out"}.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    root = Path(root).resolve()
    out = Path(out_dir).resolve()
    if out == root or any(out == root / d or root / d in out.parents for d in ("proposals", "themes", "schema")):
        raise ValueError(f"refusing to write into the repository's own programme: {out}")
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{out} is not empty (use overwrite=True / --force)")
        for name in ("themes", "schema", "proposals"):
            if (out / name).is_dir():
                shutil.rmtree(out / name)
        if (out / "event.yaml").exists():
            (out / "event.yaml").unlink()
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / "event.yaml", out / "event.yaml")
    shutil.copytree(root / "themes", out / "themes")
    shutil.copytree(root / "schema", out / "schema")
    (out / "proposals").mkdir()

    header = HEADER.format(seed=seed)
    total = scheduled = 0
    for ident, data in iter_proposals(count, seed, root):
        text = render(data, header)
        (out / "proposals" / f"{ident}.yaml").write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
        scheduled += data["status"] == "scheduled"
    return {"proposals": count, "scheduled": scheduled, "bytes": total, "out": str(out)}


def verify_roundtrip(count: int, seed: int = 0, root=REPO_ROOT) -> int:
    """Parse every rendered file back with PyYAML and compare with the data (for tests)."""
    import yaml

    n = 0
    for ident, data in iter_proposals(count, seed, root):
        back = yaml.safe_load(render(data))
        if back != data:
            raise AssertionError(f"{ident}: the YAML does not read back as written")
        n += 1
    return n


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, required=True, metavar="N", help="number of proposals")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder (created; must be empty)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--force", action="store_true", help="replace the programme files in a non-empty DIR")
    parser.add_argument("--verify", action="store_true", help="also check that every file reads back as written")
    args = parser.parse_args(argv)
    try:
        info = generate(args.count, args.out, args.seed, overwrite=args.force)
    except (FileExistsError, ValueError) as exc:
        print(f"generate.py: error: {exc}", file=sys.stderr)
        return 2
    if args.verify:
        verify_roundtrip(args.count, args.seed)
    avg = info["bytes"] / info["proposals"] if info["proposals"] else 0
    print(f"{info['proposals']} proposals ({info['scheduled']} scheduled, {avg:.0f} bytes on average) "
          f"written to {info['out']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
