"""Evaluation of the agent at its job: a simulated user who wants one hidden item, and baselines.

`simulator` holds the user (target, attributes it may talk about, what it says each turn),
`clients` the ways to reach an agent (Python API or the OpenAI-compatible endpoint),
`dialogue_eval` the dialogue runs and their metrics, `baselines` the no-dialogue baselines.
"""
