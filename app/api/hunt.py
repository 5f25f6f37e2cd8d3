"""Bug hunt: a network with a hidden planted bug, and the judge of a guess of where it is."""

from app.api.routing import api_router
from app.engine.nn.hunt import judge, make_hunt
from app.responses import respond
from app.schemas import ERROR_RESPONSES
from app.schemas.hunt import GuessOut, GuessRequest, HuntOut, HuntRequest

router = api_router(prefix="/api/v1/exercises/hunt", tags=["exercises"])


@router.post(
    "",
    name="hunt",
    response_model=None,
    responses={200: {"model": HuntOut}, **ERROR_RESPONSES},
    summary="A bug hunt: a network with one planted bug",
    description="Gives a challenge token (standing for `seed` and `level`) and a `/network/run` "
    "body with no bug in it. Sent to `/network/run` with `challenge`, the body runs with the "
    "bug planted where the body does not say; find it with the gradient check, step mode and "
    "the nudge, then name the layer and the gradient at `/exercises/hunt/guess`.",
)
def hunt(body: HuntRequest):
    found = make_hunt(body.seed, body.level)
    return respond({"challenge": found.token, "network": found.network, "places": found.places()})


@router.post(
    "/guess",
    name="hunt_guess",
    response_model=None,
    responses={200: {"model": GuessOut}, **ERROR_RESPONSES},
    summary="Judge a guess of where a challenge's bug is",
    description="`correct` when `index` names the bugged layer (the loss: the last layer's "
    "index + 1) and `tensor` the first gradient it spoils; the bug's record (wrong and right "
    "code, explanation) comes back once found, or with `give_up`.",
)
def guess(body: GuessRequest):
    return respond(judge(body.challenge, body.index, body.tensor, body.give_up))
