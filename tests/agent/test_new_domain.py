"""The rule parser and the agent on a domain they were not written on: a bookshop.

The dataset is generated here (`bookshop.py`) and built with the CLI; the parser learns its
values, units, flags and synonyms from the data and its schema.toml only. A second, tiny
restaurant catalog checks the same readers on another vocabulary without a build.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from bookshop import write_bookshop

from agent.memory_update import understood_line
from agent.nlu import Direction, understand
from agent.vocab import NumericKind, Vocabulary, title_key
from causal.datasets.csv_folder import load_csv_folder


@pytest.fixture(scope="session")
def bookshop_dir(tmp_path_factory):
    return write_bookshop(
        tmp_path_factory.mktemp("bookshop") / "books", n_items=160, n_users=80, n_interactions=2000
    )


@pytest.fixture(scope="session")
def books(bookshop_dir):
    return load_csv_folder(bookshop_dir)


@pytest.fixture(scope="session")
def vocab(books):
    return Vocabulary.from_dataset(books)


@pytest.fixture(scope="session")
def items(books):
    return books.items.set_index("item_id")


def parse(text: str, vocab: Vocabulary, shown=()):
    return understand(text, vocab, list(shown))


# -- what the vocabulary reads off the data and schema.toml ---------------------------------


def test_vocabulary_reads_every_attribute_kind(vocab):
    assert set(vocab.categorical) == {"author", "language", "format", "subjects"}
    assert vocab.categorical["subjects"].multi and not vocab.categorical["language"].multi
    pages = vocab.numeric["pages"]
    assert pages.kind is NumericKind.OTHER
    assert {"pages", "page", "pp"} <= set(pages.units)
    assert "longer" in pages.higher and "shortest" in pages.lower  # superlative derived
    assert vocab.numeric["price"].kind is NumericKind.PRICE
    assert vocab.numeric["illustrated"].kind is NumericKind.FLAG
    assert vocab.numeric["illustrated"].on[:2] == ("illustrated", "with pictures")
    assert "without pictures" in vocab.numeric["illustrated"].off
    assert vocab.numeric["signed_copy"].on[0] == "signed copy"
    stock = vocab.numeric["in_stock"]  # a yes/no column loads as 0/1
    assert stock.kind is NumericKind.FLAG and stock.off == ("out of stock", "sold out")


@pytest.mark.parametrize(
    ("text", "attr", "value"),
    [
        ("a Science-Fiction book", "subjects", "Science-Fiction"),
        ("SCIENCE FICTION please", "subjects", "Science-Fiction"),
        ("some thrillers", "subjects", "Thriller"),
        ("Thrillers.", "subjects", "Thriller"),
        ("self help", "subjects", "Self-Help"),
        ("young-adult stuff", "subjects", "Young Adult"),
        ("mysteries", "subjects", "Mystery"),
        ("memoirs", "subjects", "Biography"),  # schema.toml synonym
        ("recipes", "subjects", "Cookbook"),  # schema.toml synonym
        ("cook books", "subjects", "Cookbook"),  # two words joined name a one-word value
        ("audio books", "format", "Audiobook"),
        ("e-books", "format", "E-book"),
        ("ebooks", "format", "E-book"),
        ("paperbacks", "format", "Paperback"),
        ("something by hana sato", "author", "Hana Sato"),
        ("written in japanese", "language", "Japanese"),
        ("a mistery", "subjects", "Mystery"),  # misspelt, first letter right
        ("biografies", "subjects", "Biography"),
    ],
)
def test_values_in_every_spelling(vocab, text, attr, value):
    p = parse(text, vocab)
    assert p.include.get(attr) == (value,), p
    assert not p.exclude


@pytest.mark.parametrize(
    ("text", "attr", "low", "high"),
    [
        ("between 200 and 400 pages", "pages", 200, 400),
        ("200-400 pages", "pages", 200, 400),
        ("200 to 400 pages", "pages", 200, 400),
        ("less than 250 pages", "pages", None, 250),
        ("at most three hundred pages", "pages", None, 300),
        ("a mystery, nothing over 500 pages", "pages", None, 500),
        ("not less than 300 pages", "pages", 300, None),
        ("history books of 500+ pages", "pages", 500, None),
        ("1,200 pages or more", "pages", 1200, None),
        ("longer than 500 pages", "pages", 500, None),  # a declared `higher` word + than
        ("pages under 300", "pages", None, 300),
        ("around 300 pages", "pages", 255, 345),
        ("something under 20 dollars", "price", None, 20),
        ("under twenty dollars", "price", None, 20),
        ("between 10 and 30 dollars, fantasy", "price", 10, 30),
        ("something around 15 dollars", "price", 12.75, 17.25),
        ("illustrated books", "illustrated", 1, 1),
        ("a cookbook that is not illustrated", "illustrated", 0, 0),
        ("a book without pictures", "illustrated", 0, 0),
        ("poetry with illustrations", "illustrated", 1, 1),
        ("a signed copy of a thriller", "signed_copy", 1, 1),
        ("not signed", "signed_copy", 0, 0),
        ("books in stock", "in_stock", 1, 1),
        ("books that are out of stock", "in_stock", 0, 0),
        ("books published in the 80s", "year", 1980, 1989),
        ("reading level 3", "reading_level", 3, 3),  # a small integer scale reads exactly
        ("reading level at most 2", "reading_level", None, 2),
    ],
)
def test_numbers_units_and_flags(vocab, text, attr, low, high):
    p = parse(text, vocab)
    rng = p.ranges.get(attr)
    assert rng is not None, p
    assert (rng.low, rng.high) == (low, high)
    assert not p.unplaced, p.unplaced  # the unit, "dollars", "twenty" and "published" placed


def test_units_do_not_leak_into_other_columns(vocab):
    p = parse("under 300 pages and under $20", vocab)
    assert (p.ranges["pages"].high, p.ranges["price"].high) == (300, 20)
    p = parse("less than 20 dollars and more than 300 pages", vocab)
    assert (p.ranges["pages"].low, p.ranges["pages"].high) == (300, None)
    assert (p.ranges["price"].low, p.ranges["price"].high) == (None, 20)
    assert "year" not in parse("a 1200 page doorstopper", vocab).ranges


@pytest.mark.parametrize(
    ("text", "attr", "direction"),
    [
        ("shorter", "pages", Direction.DOWN),
        ("a quick read", "pages", Direction.DOWN),
        ("too long", "pages", Direction.DOWN),
        ("nothing too long", "pages", Direction.DOWN),
        ("not too short", "pages", Direction.UP),
        ("longer ones please", "pages", Direction.UP),
        ("the longest ones", "pages", Direction.UP),
        ("cheaper", "price", Direction.DOWN),
        ("the cheapest ones", "price", Direction.DOWN),
        ("fewer pages", "pages", Direction.DOWN),  # "fewer" + the unit
        ("more pages", "pages", Direction.UP),
        ("a thick fantasy", "pages", Direction.UP),  # the plain form of declared "thicker"
    ],
)
def test_relative_moves(vocab, text, attr, direction):
    assert (attr, direction) in parse(text, vocab).relative


def test_negation_scope_and_several_wishes(vocab):
    p = parse("history but not biography", vocab)
    assert p.include == {"subjects": ("History",)} and p.exclude == {"subjects": ("Biography",)}
    p = parse("no romance, no poetry, something in German", vocab)
    assert p.include == {"language": ("German",)}
    assert set(p.exclude["subjects"]) == {"Romance", "Poetry"}
    p = parse("I'd like something illustrated, but no cookbooks", vocab)
    assert p.ranges["illustrated"].low == 1 and p.exclude == {"subjects": ("Cookbook",)}
    p = parse("a paperback mystery from the 90s under 25 dollars", vocab)
    assert p.include == {"format": ("Paperback",), "subjects": ("Mystery",)}
    assert (p.ranges["year"].low, p.ranges["year"].high) == (1990, 1999)
    assert p.ranges["price"].high == 25 and not p.unplaced
    assert parse("i dont want french", vocab).exclude == {"language": ("French",)}
    p = parse("any language but english", vocab)
    assert p.exclude == {"language": ("English",)} and not p.include
    p = parse("fantasy or science fiction", vocab)
    assert set(p.include["subjects"]) == {"Fantasy", "Science-Fiction"}
    assert "subjects" in p.either


def test_part_of_a_name_when_written_as_one(vocab, books):
    authors = sorted(set(books.items["author"]))
    author = next(a for a in authors if sum(a.split()[-1] in b.split() for b in authors) == 1)
    surname = author.split()[-1]
    assert parse(f"something by {surname.lower()}", vocab).include == {"author": (author,)}
    named = parse(f"a {surname} thriller", vocab)
    assert named.include["author"] == (author,)
    assert understood_line(named, vocab).startswith(f"Understood: {author}, thriller")
    lowered = parse(f"a {surname.lower()} thriller", vocab)  # a plain word, not a name
    assert "author" not in lowered.include


def test_a_wish_cleared_in_words(vocab):
    p = parse("under 20 dollars, actually the price doesn't matter", vocab)
    assert "price" in p.cleared and "price" not in p.ranges
    assert "format" in parse("any format", vocab).cleared


def test_titles_shown_items_and_popularity(vocab, books):
    counts = books.items["title"].map(title_key).value_counts()
    title = next(t for t in books.items["title"] if counts[title_key(t)] == 1)
    item_id = books.items.loc[books.items["title"] == title, "item_id"].iloc[0]
    p = parse(f"something like {title} but shorter", vocab)
    assert p.like_items == (item_id,) and ("pages", Direction.DOWN) in p.relative
    p = parse(f"something like {title.lower()}", vocab)  # typed in lower case
    assert p.like_items == (item_id,)
    shown = list(books.items["item_id"][:5])
    assert parse("the second one", vocab, shown).items == (shown[1],)
    assert parse("a lesser-known mystery", vocab).popularity is Direction.DOWN
    assert parse("popular thrillers", vocab).popularity is Direction.UP


def test_understood_line_names_what_was_placed_and_what_was_not(vocab):
    line = understood_line(
        parse("a cookbook that is not illustrated under 300 pages", vocab), vocab
    )
    assert line.startswith("Understood: ") and line.endswith(".") and "place" not in line
    parts = line.removeprefix("Understood: ").removesuffix(".").split(", ")
    assert sorted(parts) == ["cookbook", "not illustrated", "pages up to 300"]
    line = understood_line(parse("a book without pictures", vocab), vocab)
    assert line == "Understood: not illustrated."
    line = understood_line(parse("a fantasy with dragons, signed", vocab), vocab)
    assert line.startswith("Understood: fantasy, signed copy;")
    assert "could not place 'with dragons'" in line
    assert understood_line(parse("shorter", vocab), vocab) == "Understood: shorter."


def test_schema_wording_round_trips_and_is_validated():
    from causal.datasets.schema import DataError
    from causal.datasets.schema_toml import parse_schema_toml, schema_to_toml

    text = '[variables.spice]\nunit = "chilis"\nhigher = ["hotter"]\nlower = ["milder"]\n'
    schema = parse_schema_toml(text)
    assert schema.variables["spice"].unit == ("chilis",)
    assert parse_schema_toml(schema_to_toml(schema)) == schema
    assert schema.wording() == {"spice": (("chilis",), ("hotter",), ("milder",))}
    with pytest.raises(DataError) as err:
        parse_schema_toml('[variables.spice]\nrole = "item_attribute"\nunit = 3\n')
    assert err.value.line == 3 and "unit" in str(err.value)


# -- another domain, no build: restaurants ----------------------------------------------------


@pytest.fixture(scope="module")
def restaurants():
    rng = np.random.default_rng(0)
    n = 120
    items = pd.DataFrame(
        {
            "item_id": [f"r{i}" for i in range(n)],
            "title": [f"Kitchen number {i}" for i in range(n)],
            "cuisine": rng.choice(["Thai", "Italian", "Indian", "Middle-Eastern"], n),
            "city": rng.choice(["Berlin", "Lisbon", "New York"], n),
            "price": rng.uniform(8, 60, n).round(2),
            "vegetarian": (rng.random(n) < 0.3).astype(float),
            "spiciness": rng.integers(0, 6, n).astype(float),
            "minutes_to_table": rng.integers(5, 60, n).astype(float),
        }
    )
    synonyms = {"vegetarian": {"1": ["veggie", "meat-free"]}}
    wording = {"spiciness": (["stars of spice", "chilis"], ["spicier", "spicy"], ["milder"])}
    return Vocabulary.from_items(items, {}, synonyms, wording)


@pytest.mark.parametrize(
    ("text", "attr", "low", "high"),
    [
        ("vegetarian", "vegetarian", 1, 1),
        ("not vegetarian", "vegetarian", 0, 0),
        ("veggie food in Berlin", "vegetarian", 1, 1),
        ("meat free please", "vegetarian", 1, 1),
        ("at most 3 stars of spice", "spiciness", None, 3),
        ("at most three chilis", "spiciness", None, 3),
        ("4 stars of spice", "spiciness", 4, 4),  # a small integer scale reads exactly
        ("spiciness under 2", "spiciness", None, 2),
        ("under 20 minutes to table", "minutes_to_table", None, 20),  # the column name is a unit
        ("under 20 dollars", "price", None, 20),
    ],
)
def test_second_domain_numbers_and_flags(restaurants, text, attr, low, high):
    rng = understand(text, restaurants).ranges.get(attr)
    assert rng is not None and (rng.low, rng.high) == (low, high)


def test_second_domain_values_and_moves(restaurants):
    p = understand("middle eastern or thai, not in lisbon, nothing too spicy", restaurants)
    assert set(p.include["cuisine"]) == {"Middle-Eastern", "Thai"}
    assert p.exclude == {"city": ("Lisbon",)}
    assert ("spiciness", Direction.DOWN) in p.relative
    assert ("spiciness", Direction.UP) in understand("something spicier", restaurants).relative


# -- the agent end to end on a workspace built with the CLI -----------------------------------


@pytest.fixture(scope="session")
def bookshop_workspace(bookshop_dir, tmp_path_factory):
    from typer.testing import CliRunner

    from ui.cli import app

    out = tmp_path_factory.mktemp("bookshop-ws") / "ws"
    args = ["build", str(bookshop_dir), "--out", str(out), "--time-budget", "3", "--no-progress"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def book_agent(bookshop_workspace, tmp_path):
    from agent.api import RecAgent

    agent = RecAgent.from_workspace(bookshop_workspace, llm="rule", state_dir=tmp_path / "st")
    yield agent
    agent.close()


def _true_claims(item, row: pd.Series) -> None:
    """Every 'It is X (attr)' and 'Its attr is V' in an explanation holds for the item."""
    for value, attr in re.findall(r"It is (.+?) \((\w+)\), as you asked", item.explanation):
        assert all(v in str(row[attr]).split("|") for v in value.split(" and ")), (value, attr)
    for attr, value in re.findall(r"Its (\w+) is ([\d.]+), within", item.explanation):
        assert float(row[attr]) == pytest.approx(float(value)), (attr, value)
    for value in re.findall(r"It has ([\d.]+) pages, within", item.explanation):
        assert float(row["pages"]) == float(value)
    for name, answer in re.findall(r"([A-Z][\w ]+): (yes|no), as you asked", item.explanation):
        column = name.lower().replace(" ", "_")
        assert row[column] == (1 if answer == "yes" else 0), (name, answer)


@pytest.mark.slow
def test_agent_applies_several_wishes_and_explains_truly(book_agent, items):
    sid = book_agent.new_session()
    reply = book_agent.chat(sid, "a fantasy book between 100 and 500 pages under 40 dollars")
    assert reply.text.startswith("Understood: fantasy, pages 100-500, price up to $40.00.")
    assert reply.items and reply.grounded  # the grounding checker accepts every stated fact
    for item in reply.items:
        row = items.loc[item.item_id]
        assert "Fantasy" in row["subjects"].split("|")
        assert 100 <= row["pages"] <= 500 and row["price"] <= 40
        assert f"It has {row['pages']:g} pages, within what you asked for." in item.explanation
        _true_claims(item, row)


@pytest.mark.slow
def test_agent_flags_refine_and_references(book_agent, items):
    sid = book_agent.new_session()
    first = book_agent.chat(sid, "a book that is not illustrated")
    assert "not illustrated" in first.text.splitlines()[0]
    assert first.items and all(items.loc[i.item_id, "illustrated"] == 0 for i in first.items)
    assert first.grounded and "Illustrated: no, as you asked." in first.items[0].explanation
    for item in first.items:
        _true_claims(item, items.loc[item.item_id])
    longest = max(items.loc[i.item_id, "pages"] for i in first.items)
    shorter = book_agent.chat(sid, "shorter ones")
    assert shorter.text.startswith("Understood: shorter.")
    assert shorter.items
    assert all(items.loc[i.item_id, "pages"] < longest for i in shorter.items)
    assert all(items.loc[i.item_id, "illustrated"] == 0 for i in shorter.items)  # kept
    second = shorter.items[1]
    why = book_agent.chat(sid, "why the second one?")
    assert second.title in why.text and "Why" in why.text
    english = book_agent.chat(sid, "not in english")
    assert english.items and all(
        items.loc[i.item_id, "language"] != "English" for i in english.items
    )


@pytest.mark.slow
def test_agent_moves_a_whole_step_on_a_small_scale(book_agent, items):
    sid = book_agent.new_session()
    first = book_agent.chat(sid, "something harder")
    levels = [items.loc[i.item_id, "reading_level"] for i in first.items]
    assert levels and min(levels) >= 4  # "harder": above the scale's middle
    easier = book_agent.chat(sid, "easier")
    bound = int(np.floor(np.median(levels))) - 1
    assert easier.items
    assert all(1 <= items.loc[i.item_id, "reading_level"] <= bound for i in easier.items)


@pytest.mark.slow
def test_agent_what_if_on_a_numeric_attribute(book_agent):
    sid = book_agent.new_session()
    book_agent.chat(sid, "thrillers")
    reply = book_agent.chat(sid, "what if the price were lower?")
    assert "price" in reply.text
    assert "needs a discrete treatment" not in reply.text and "can't estimate" not in reply.text


def test_units_from_column_names_without_a_schema():
    items = pd.DataFrame(
        {
            "item_id": ["a", "b", "c", "d"],
            "title": ["Quiet Fox", "Loud Owl", "Red Hen", "Grey Cat"],
            "page_count": [120.0, 310.0, 480.0, 900.0],
            "prep_minutes": [10.0, 25.0, 40.0, 90.0],
        }
    )
    plain = Vocabulary.from_items(items)
    rng = understand("under 300 pages", plain).ranges["page_count"]  # "count" dropped
    assert (rng.low, rng.high) == (None, 300)
    rng = understand("prep minutes at most 30", plain).ranges["prep_minutes"]
    assert (rng.low, rng.high) == (None, 30)
    assert plain.numeric["page_count"].kind is NumericKind.POPULARITY  # by its name alone
    declared = Vocabulary.from_items(items, wording={"page_count": (["pages"], [], [])})
    assert declared.numeric["page_count"].kind is NumericKind.OTHER  # a unit says what it counts


def test_a_title_of_common_words_named_as_a_taste():
    first = ["Golden", "Little", "Red", "Blue", "Old"]
    second = ["Dragon", "Olive", "Lotus", "Tavern", "Garden", "Spoon", "Fork", "Lantern"]
    titles = [f"{a} {b}" for a in first for b in second]
    items = pd.DataFrame(
        {
            "item_id": [f"r{i}" for i in range(len(titles))],
            "title": titles,
            "city": ["Berlin", "Lisbon"] * (len(titles) // 2),
        }
    )
    vocab = Vocabulary.from_items(items)
    target = items.loc[items["title"] == "Golden Dragon", "item_id"].iloc[0]
    for text in ("a place like the Golden Dragon", "something like Golden Dragon but in Berlin"):
        p = understand(text, vocab)
        assert p.like_items == (target,), text
    assert not understand("a golden dragon statue", vocab).like_items  # words, not a title
