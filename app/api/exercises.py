"""Exercises: judge a learner's number on a graph, draw a practice circuit, judge a prediction."""

from app.api.deps import LimitsDep
from app.api.routing import api_router
from app.engine.exercises.graph_check import check_graph_answer
from app.engine.exercises.predict import predict as judge_prediction
from app.engine.exercises.random_graph import random_graph
from app.responses import respond
from app.schemas import (
    ERROR_RESPONSES,
    GraphCheckOut,
    GraphCheckRequest,
    GraphRandomOut,
    GraphRandomRequest,
    PredictOut,
    PredictRequest,
)

router = api_router(prefix="/api/v1", tags=["exercises"])


@router.post(
    "/graph/check",
    response_model=None,
    responses={200: {"model": GraphCheckOut}, **ERROR_RESPONSES},
    summary="Check a learner's value, gradient or local derivative on a graph",
    description="Builds the graph of `expr` at `values` as `/api/v1/graph` does (same limits "
    "and allow-list) and judges `answer` for node `node`'s `quantity`. A wrong answer gets a "
    "diagnosis computed from the true numbers (forward_value, one_path, forgot_upstream, "
    "local_swapped, sign, else other: the first that fits, in that order) and a hint in words "
    "with the numbers, climbing with `attempt`: where to look, the chain-rule template, the "
    "answer. The expected number is sent only with `reveal`.",
)
def graph_check(body: GraphCheckRequest, limits: LimitsDep):
    return respond(check_graph_answer(**body.model_dump(), limits=limits))


@router.post(
    "/graph/random",
    response_model=None,
    responses={200: {"model": GraphRandomOut}, **ERROR_RESPONSES},
    summary="A seeded practice circuit (or new values for a given one)",
    description="A program of `nodes` one-operation steps drawn from `ops`, over 1 to 4 "
    "variables x, y, z, w, with small whole or one-decimal values at which every step is "
    "defined and at least 0.1 from a kink, a pole or a domain's edge. The same body gives the "
    "same program and values in every release (teachers' links depend on it). With `expr`, only "
    "new values are drawn for that program. Always accepted by `/api/v1/graph`.",
)
def graph_random(body: GraphRandomRequest, limits: LimitsDep):
    return respond(random_graph(**body.model_dump(), limits=limits))


@router.post(
    "/exercises/predict",
    response_model=None,
    responses={200: {"model": PredictOut}, **ERROR_RESPONSES},
    summary="Judge a prediction: a slope, the best step size, a sketched derivative",
    description="`slope`: the error |answer - f'(x0)| / max(1, |f'(x0)|), close at most 0.1, "
    "near at most 0.3 (on a kink, any slope between the one-sided derivatives is right). "
    "`best_h`: decades between the answer and the step size of smallest error in the "
    "step-size sweep, close within a factor of 10, near within 100. `sketch`: the drawn f' "
    "(points joined by lines) against the activation's f', mean absolute error over the range "
    "divided by max(1, range of f'), close at most 0.1, near at most 0.25; `worst_x` marks "
    "where it is furthest off (at a kink, anything between the one-sided limits is right). "
    "The truth comes back as `expected`.",
)
def exercises_predict(body: PredictRequest, limits: LimitsDep):
    return respond(judge_prediction(**body.model_dump(), limits=limits))
