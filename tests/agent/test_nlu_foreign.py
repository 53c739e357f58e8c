"""Turns in French, Spanish, German, Italian and Portuguese: detected, glossed into English and
read by the normal parser; English turns with a loan word or a foreign title stay English.

Every sentence here was written for this file (none is a line of the NLU data sets)."""

from __future__ import annotations

import pandas as pd
import pytest
from film_catalogs import film_vocab

from agent.nlu import understand
from agent.nlu_foreign import catalog_titles, fold, gloss_turn, language_names, read_line
from agent.parse import FeedbackKind, Intent, TitleRole
from agent.vocab import Vocabulary
from causal.datasets.coat import COAT_SYNONYMS

FILMS = [
    ("1", "Ghost Harbor (1987)", 1987, "Horror|Thriller"),
    ("2", "Paper Moons (1994)", 1994, "Comedy|Romance"),
    ("3", "Das Boot (1981)", 1981, "Action|Drama|War"),
    ("4", "Il Postino (1994)", 1994, "Drama|Romance"),
    ("5", "Iron Ridge (1965)", 1965, "War|Western"),
    ("6", "Night Ledger (1974)", 1974, "Crime|Film-Noir"),
    ("7", "La Cage aux Folles (1978)", 1978, "Comedy"),
]


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(FILMS)


@pytest.fixture(scope="module")
def coats() -> Vocabulary:
    rows = [
        ("c1", "Women's blue rain jacket", "women", "rain", "blue"),
        ("c2", "Men's green parka", "men", "parkas", "green"),
        ("c3", "Women's red fleece", "women", "fleece", "red"),
        ("c4", "Men's black motorcycle jacket", "men", "motorcycle", "black"),
        ("c5", "Women's gray insulated jacket", "women", "insulated", "gray"),
    ]
    items = pd.DataFrame(rows, columns=["item_id", "title", "item_gender", "jacket_type", "color"])
    return Vocabulary.from_items(items, synonyms=COAT_SYNONYMS)


def _gloss(text: str, vocab: Vocabulary | None = None):
    return gloss_turn(text, catalog_titles(vocab) if vocab is not None else None)


@pytest.mark.parametrize(
    ("text", "language", "words"),
    [
        (
            "Je voudrais une comédie des années quatre-vingt-dix, s'il te plaît",
            "fr",
            "comedy nineties please",
        ),
        ("Montre-moi un film d'horreur pas trop connu", "fr", "show me horror not too well known"),
        ("Busco una película de guerra de los años sesenta", "es", "looking for movie war sixties"),
        ("¿Tienes algo sin violencia? Gracias", "es", "without thanks"),
        ("Gib mir einen Horrorfilm aus den Siebzigern", "de", "give me horror movie seventies"),
        ("Zeig mir eine Komödie aus den 90ern, bitte", "de", "show me comedy 90s please"),
        ("Vorrei un film di guerra degli anni sessanta", "it", "would like movie war sixties"),
        ("Perché non mi consigli qualcosa di divertente?", "it", "why something funny"),
        ("Quero uma comédia dos anos noventa, por favor", "pt", "want comedy nineties please"),
        (
            "Procuro um filme de terror sem romance",
            "pt",
            "looking for movie horror without romance",
        ),
    ],
)
def test_a_sentence_in_each_language_is_glossed(text: str, language: str, words: str) -> None:
    gloss = _gloss(text)
    assert gloss is not None and gloss.language == language
    for word in words.split():
        assert word in gloss.text.split() or word in gloss.text, (word, gloss.text)


@pytest.mark.parametrize(
    "text",
    [
        "a fiesta movie for tonight",
        "some film noir from the fifties",
        "that déjà vu feeling, but scarier",
        "déjà vu",
        "something über cool",
        "I loved La Cage aux Folles",
        "is Il Postino any good?",
        "yo",
        "um what now",
        "a movie with Robert De Niro",
        "Casa de Papel vibes please",
        "no way, not a comedy",
        "a war movie, no romance",
        "bonjour-tristesse style melodrama",
    ],
)
def test_english_with_a_loan_word_stays_english(text: str) -> None:
    assert _gloss(text) is None


@pytest.mark.parametrize("text", ["La Cage aux Folles", "Das Boot?", "Il Postino"])
def test_a_foreign_title_said_alone_is_no_sentence(text: str, films: Vocabulary) -> None:
    assert _gloss(text, films) is None
    assert _gloss(text) is None  # title-cased words after an article: a title even unknown


def test_english_turns_with_foreign_titles_read_as_before(films: Vocabulary) -> None:
    parse = understand("My sister adores Das Boot, what else would she like?", films)
    assert not parse.language and parse.like_items == ("3",)
    parse = understand("why Il Postino?", films, shown=["4", "2"])
    assert not parse.language and "4" in parse.items


def test_a_movie_wish_in_each_language_fills_the_same_slots(films: Vocabulary) -> None:
    for text in (
        "Busco una película de guerra de los años sesenta",
        "Ich suche einen Kriegsfilm aus den Sechzigern, bitte",
        "Je cherche un film de guerre des années soixante",
        "Cerco un film di guerra degli anni sessanta",
        "Procuro um filme de guerra dos anos sessenta",
    ):
        parse = understand(text, films)
        assert parse.language in language_names(), text
        assert parse.include == {"genres": ("War",)}, (text, parse.text)
        assert (parse.ranges["year"].low, parse.ranges["year"].high) == (1960, 1969), text
        assert Intent.RECOMMEND in parse.intents
        assert parse.original == text and parse.text != text


def test_negation_and_popularity_words(films: Vocabulary) -> None:
    parse = understand("Quiero una comedia sin romance", films)
    assert parse.include == {"genres": ("Comedy",)}
    assert parse.exclude == {"genres": ("Romance",)}
    parse = understand("Montre-moi un film d'horreur pas trop connu", films)
    assert parse.include == {"genres": ("Horror",)} and parse.popularity is not None
    assert parse.popularity.value == "down"
    parse = understand("Ich möchte einen Western, aber keinen Krieg", films)
    assert parse.include == {"genres": ("Western",)} and parse.exclude == {"genres": ("War",)}


def test_an_inflected_phrase_and_an_elided_article(films: Vocabulary) -> None:
    parse = understand("Prefiero películas de suspense poco conocidas", films)
    assert parse.include == {"genres": ("Thriller",)} and parse.popularity is not None
    assert parse.popularity.value == "down"  # "poco conocidas": little known, not well known
    parse = understand("Vorrei un film d'orrore, niente guerra", films)
    assert parse.include == {"genres": ("Horror",)}
    assert parse.exclude == {"genres": ("War",)}


def test_a_title_in_english_inside_a_foreign_sentence_is_found(films: Vocabulary) -> None:
    shown = ["1", "2", "5"]
    for text in ("Warum Ghost Harbor?", "¿Por qué Ghost Harbor?", "Perché Ghost Harbor?"):
        parse = understand(text, films, shown=shown)
        assert parse.language, text
        assert Intent.WHY in parse.intents and parse.items == ("1",), (text, parse.text)
    parse = understand("J'ai adoré Paper Moons", films, shown=shown)
    assert parse.feedback == (("2", FeedbackKind.LIKE),)
    parse = understand("¿Cuál es mejor, Ghost Harbor o Paper Moons?", films, shown=shown)
    assert parse.language == "Spanish" and Intent.COMPARE in parse.intents
    assert parse.items == ("1", "2")
    parse = understand("Quiero algo como Iron Ridge", films)
    assert parse.like_items == ("5",)
    assert any(r.role is TitleRole.TASTE for r in parse.refs)


def test_a_foreign_title_inside_a_foreign_sentence_is_kept(films: Vocabulary) -> None:
    parse = understand("Pourquoi La Cage aux Folles ?", films, shown=["7", "2"])
    assert parse.language == "French" and parse.items == ("7",)
    assert "La Cage aux Folles" in parse.text


def test_coat_words_colours_and_people(coats: Vocabulary) -> None:
    cases = {
        "Je cherche une veste de pluie pour femme, en bleu": (
            {"item_gender": ("women",), "jacket_type": ("rain",), "color": ("blue",)}
        ),
        "Quiero un abrigo para hombre, verde": {"item_gender": ("men",), "color": ("green",)},
        "Eine Fleecejacke für Damen in Rot, bitte": (
            {"item_gender": ("women",), "jacket_type": ("fleece",), "color": ("red",)}
        ),
        "Vorrei una giacca da donna, grigia": {"item_gender": ("women",), "color": ("gray",)},
        "Procuro um casaco para homem, preto": {"item_gender": ("men",), "color": ("black",)},
    }
    for text, want in cases.items():
        parse = understand(text, coats)
        assert parse.language, text
        assert {k: tuple(sorted(v)) for k, v in parse.include.items()} == want, (text, parse.text)


def test_cues_without_slots(films: Vocabulary) -> None:
    assert Intent.RESET in understand("On recommence depuis le début", films).intents
    assert Intent.RESET in understand("Empecemos de nuevo, por favor", films).intents
    assert Intent.HELP in understand("Hilfe, wie funktioniert das?", films).intents
    greeting = understand("Ciao!", films)
    assert greeting.language == "Italian" and greeting.text.lower().startswith("hello")


def test_inflections_and_compounds_are_undone() -> None:
    gloss = _gloss("Quiero comedias románticas, por favor")
    assert gloss is not None and "comedy romantic" in gloss.text
    gloss = _gloss("Ich brauche eine Regenjacke und einen Liebesfilm")
    assert gloss is not None and "rain jacket" in gloss.text and "romance movie" in gloss.text
    gloss = _gloss("Ich suche eine Wanderjacke, bitte")
    assert gloss is not None and "wander jacket" in gloss.text  # an unknown modifier kept


def test_words_the_lexicon_lacks_pass_through() -> None:
    gloss = _gloss("Quiero una película con Zorblax Quuentin")
    assert gloss is not None and "Zorblax Quuentin" in gloss.text


def test_fold_and_read_line() -> None:
    assert fold("Película") == "pelicula" and fold("Straße") == "strasse"
    line = read_line("Spanish", "I want a comedy")
    assert "Spanish" in line and "I want a comedy" in line and "\n" not in line


def test_odd_input_is_no_language() -> None:
    for text in ("", "   ", "😀🎬", "1990", "x" * 3000):
        assert _gloss(text) is None


def test_the_reply_says_how_a_foreign_turn_was_read(rule_agent) -> None:
    sid = rule_agent.new_session()
    reply = rule_agent.chat(sid, "Quiero una comedia, por favor")
    first = reply.text.splitlines()[0]
    assert "Read from Spanish" in first and "comedy" in first
    assert reply.items and "Sorry" not in reply.text
    other = rule_agent.chat(sid, "chcę obejrzeć straszny film wieczorem")  # Polish: not covered
    assert "English" in other.text and "Read from" not in other.text
