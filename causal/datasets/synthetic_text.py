"""The synthetic world's words: genres and the titles and descriptions written from them.

Why a module of its own: text search and the catalog need item texts that mean something,
but the wording is vocabulary, not part of the world's causal model (`causal.datasets.synthetic`).
"""

from __future__ import annotations

import numpy as np

GENRES = ("action", "comedy", "drama", "horror", "scifi", "romance", "documentary", "animation")

# Genre words: titles and descriptions are written from these so that text search is meaningful.
GENRE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "action": {
        "adj": (
            "Burning",
            "Iron",
            "Rogue",
            "Steel",
            "Fast",
            "Final",
            "Lethal",
            "Broken",
            "Savage",
            "Rapid",
            "Hard",
            "Blind",
        ),
        "noun": (
            "Pursuit",
            "Strike",
            "Run",
            "Protocol",
            "Target",
            "Vendetta",
            "Convoy",
            "Siege",
            "Getaway",
            "Assault",
            "Escape",
            "Showdown",
        ),
        "about": (
            "a former soldier hunting the gang that betrayed him",
            "a car chase across a collapsing city",
            "an undercover agent racing to stop a heist",
            "a bodyguard protecting a witness from assassins",
            "a mercenary crew on one last explosive mission",
        ),
        "mood": ("explosive", "high-octane", "relentless", "adrenaline-fuelled"),
    },
    "comedy": {
        "adj": (
            "Awkward",
            "Lucky",
            "Crazy",
            "Happy",
            "Silly",
            "Wild",
            "Accidental",
            "Clumsy",
            "Merry",
            "Cheeky",
            "Goofy",
            "Jolly",
        ),
        "noun": (
            "Wedding",
            "Weekend",
            "Roommates",
            "Holiday",
            "Neighbours",
            "Road Trip",
            "Reunion",
            "Office",
            "Family",
            "Vacation",
            "Party",
            "Uncle",
        ),
        "about": (
            "two mismatched friends on a disastrous road trip",
            "a family reunion where everything goes wrong",
            "an office prank that spirals out of control",
            "a best man who loses the wedding rings",
            "roommates who accidentally adopt a goat",
        ),
        "mood": ("hilarious", "light-hearted", "feel-good", "laugh-out-loud"),
    },
    "drama": {
        "adj": (
            "Quiet",
            "Distant",
            "Fragile",
            "Long",
            "Bitter",
            "Hidden",
            "Last",
            "Winter",
            "Empty",
            "Open",
            "Silent",
            "Lost",
        ),
        "noun": (
            "Letters",
            "Harbor",
            "Inheritance",
            "Season",
            "River",
            "Promise",
            "House",
            "Years",
            "Confession",
            "Window",
            "Field",
            "Road",
        ),
        "about": (
            "a widow rebuilding her life in a small town",
            "estranged brothers reunited by their father's illness",
            "a teacher who changes a troubled student's life",
            "a family farm facing its final harvest",
            "a young lawyer defending an impossible case",
        ),
        "mood": ("moving", "poignant", "character-driven", "heartfelt"),
    },
    "horror": {
        "adj": (
            "Haunted",
            "Crimson",
            "Hollow",
            "Cursed",
            "Dark",
            "Bleeding",
            "Whispering",
            "Rotten",
            "Wicked",
            "Pale",
            "Grim",
            "Shrieking",
        ),
        "noun": (
            "House",
            "Woods",
            "Asylum",
            "Ritual",
            "Cellar",
            "Doll",
            "Chapel",
            "Mirror",
            "Orphanage",
            "Cabin",
            "Night",
            "Well",
        ),
        "about": (
            "a family trapped in a haunted house",
            "campers stalked by something in the woods",
            "a demonic ritual gone wrong",
            "a cursed mirror that shows your death",
            "a gory slasher loose in an abandoned asylum",
        ),
        "mood": ("terrifying", "gory", "chilling", "blood-soaked"),
    },
    "scifi": {
        "adj": (
            "Quantum",
            "Stellar",
            "Orbital",
            "Synthetic",
            "Neon",
            "Cosmic",
            "Binary",
            "Lunar",
            "Galactic",
            "Silicon",
            "Void",
            "Nova",
        ),
        "noun": (
            "Frontier",
            "Colony",
            "Signal",
            "Horizon",
            "Protocol",
            "Station",
            "Odyssey",
            "Machine",
            "Nebula",
            "Drift",
            "Paradox",
            "Exodus",
        ),
        "about": (
            "astronauts stranded on a distant planet",
            "an artificial intelligence that becomes self-aware",
            "time travellers trying to prevent a catastrophe",
            "a spaceship crew facing an alien organism",
            "a dystopian future ruled by machines",
        ),
        "mood": ("mind-bending", "futuristic", "visionary", "thought-provoking"),
    },
    "romance": {
        "adj": (
            "Sweet",
            "Endless",
            "Summer",
            "Secret",
            "Tender",
            "Golden",
            "Paris",
            "First",
            "Second",
            "Starlit",
            "Gentle",
            "Forever",
        ),
        "noun": (
            "Kiss",
            "Affair",
            "Letters",
            "Love",
            "Serenade",
            "Dance",
            "Promise",
            "Valentine",
            "Heart",
            "Encounter",
            "Romance",
            "Vows",
        ),
        "about": (
            "two strangers who fall in love in Paris",
            "childhood sweethearts meeting again after years apart",
            "a chef and a food critic falling for each other",
            "a summer love affair on a Greek island",
            "a wedding planner who falls for the groom's brother",
        ),
        "mood": ("romantic", "tender", "swoon-worthy", "heart-warming"),
    },
    "documentary": {
        "adj": (
            "Inside",
            "Untold",
            "Real",
            "Wild",
            "Deep",
            "True",
            "Frozen",
            "Ancient",
            "Modern",
            "Hidden",
            "Living",
            "Rising",
        ),
        "noun": (
            "Oceans",
            "Planet",
            "Story",
            "Earth",
            "Kingdom",
            "Empire",
            "Climate",
            "Frontiers",
            "Voices",
            "Economy",
            "Rainforest",
            "Desert",
        ),
        "about": (
            "the wildlife of the deep ocean",
            "the history of the space race",
            "climate change and melting glaciers",
            "the rise and fall of a tech empire",
            "life in the Amazon rainforest",
        ),
        "mood": ("eye-opening", "informative", "fascinating", "award-winning"),
    },
    "animation": {
        "adj": (
            "Little",
            "Magic",
            "Brave",
            "Tiny",
            "Fluffy",
            "Flying",
            "Rainbow",
            "Dancing",
            "Clever",
            "Sleepy",
            "Bouncy",
            "Curious",
        ),
        "noun": (
            "Dragon",
            "Penguin",
            "Robot",
            "Kingdom",
            "Toys",
            "Forest Friends",
            "Bunny",
            "Adventure",
            "Unicorn",
            "Pirates",
            "Puppy",
            "Monsters",
        ),
        "about": (
            "a little dragon who is afraid of fire",
            "toys that come alive when nobody is watching",
            "a brave penguin's journey home",
            "forest animals saving their home",
            "a curious robot exploring the world",
        ),
        "mood": ("family-friendly", "colourful", "charming", "whimsical"),
    },
}


def item_texts(
    rng: np.random.Generator, genre: np.ndarray, quality: np.ndarray, price: np.ndarray
) -> tuple[list[str], list[str]]:
    """A title and a description for each item, written from its genre's words (draws from `rng`)."""
    titles: list[str] = []
    descriptions: list[str] = []
    used: dict[str, int] = {}
    quality_words = {
        1: "poorly reviewed",
        2: "mixed-review",
        3: "solid",
        4: "acclaimed",
        5: "masterful",
    }
    for g, q, p in zip(genre, quality, price, strict=True):
        name = GENRES[g]
        words = GENRE_WORDS[name]
        title = f"{rng.choice(words['adj'])} {rng.choice(words['noun'])}"
        used[title] = used.get(title, 0) + 1
        if used[title] > 1:
            title = f"{title} {_roman(used[title])}"
        titles.append(title)
        cost = "budget" if p < 10 else "premium" if p > 25 else "mid-priced"
        descriptions.append(
            f"A {rng.choice(words['mood'])} {quality_words[int(q)]} {name} title about "
            f"{rng.choice(words['about'])}. A {cost} pick."
        )
    return titles, descriptions


def _roman(n: int) -> str:
    """Roman numerals, to tell apart items that drew the same title."""
    numerals = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ]
    out = []
    for value, numeral in numerals:
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


__all__ = ["GENRES", "GENRE_WORDS", "item_texts"]
