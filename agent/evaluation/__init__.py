"""Evaluation of the agent at its job: a simulated user who wants one hidden item, and baselines.

`catalog_view` reads the items and the log on its own (attributes, popularity strata, taste
references), `phrases` holds the user's two disjoint phrasing banks (dev, held-out),
`simulator` the user (one new true fact a turn, never the target's name), `baselines` the
popularity and filter+popularity systems that hear the same facts as structure, `clients`
the ways to reach an agent (Python API or the OpenAI-compatible endpoint), `dialogue_eval`
the runs and their metrics. Nothing here imports the agent's language code.
"""
