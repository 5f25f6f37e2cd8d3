"""Exercises: a learner's answer judged by the engine (pure numpy), with a diagnosis."""
