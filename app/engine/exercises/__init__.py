"""Exercises: a learner's own answers, judged and diagnosed by the engine (pure numpy).

``answers`` reads a typed answer; ``graph_check`` judges one number of a computational graph and
names the mistake; ``random_graph`` draws seeded practice programs; ``predict`` judges a
prediction (a slope, a best step size, a sketched derivative) made before the truth is shown.
"""
