"""The computational graph of a typed expression: forward values, backward gradients."""

from app.api.deps import LimitsDep
from app.api.numdiff import EXPR_HELP
from app.api.routing import api_router
from app.engine.expr.graph import compute_graph
from app.engine.expr.table import FUNCTIONS
from app.responses import respond
from app.schemas import ERROR_RESPONSES, GraphOut, GraphRequest

router = api_router(prefix="/api/v1", tags=["computational graph"])


@router.post(
    "/graph",
    response_model=None,
    responses={200: {"model": GraphOut}, **ERROR_RESPONSES},
    summary="Computational graph of an expression, forward and backward",
    description="Parses `expr` (an expression or a program of `name = expression` lines) over "
    "the variables named in `values` into a graph that follows the text as typed: a variable "
    "used twice is one node with two edges, constants are nodes. Runs it forward, then backward "
    "from the output seeded with 1: each node's `grad` is the sum over its uses of the use's "
    "grad times the local partial. Returns the variables' gradients beside the exact symbolic "
    "ones and central differences with step `h`. `expand` stages the composite functions ("
    + ", ".join(f"`{f.name}(u)` as `{f.expand}`" for f in FUNCTIONS.values() if f.expand)
    + ") in primitives. A non-finite value is null, counted in `nonfinite`; an output that is "
    "not finite is a 422 naming the node." + EXPR_HELP,
)
def graph(body: GraphRequest, limits: LimitsDep):
    return respond(compute_graph(**body.model_dump(), limits=limits))
