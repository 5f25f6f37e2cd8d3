"""Numerical differentiation of typed expressions: derivative, gradient, descent, step sweep."""

from app.api.compute import derivative_us, run_sized
from app.api.deps import LimitsDep
from app.api.routing import api_router
from app.engine import numdiff
from app.engine.expr.table import FUNCTION_HELP, USER_FUNCTIONS
from app.responses import respond
from app.schemas import (
    ERROR_RESPONSES,
    DerivativeOut,
    DerivativeRequest,
    DescentOut,
    DescentRequest,
    GradientOut,
    GradientRequest,
    GridOut,
    GridRequest,
    StepSweepOut,
    StepSweepRequest,
)

router = api_router(prefix="/api/v1/numdiff", tags=["numerical differentiation"])


WARNINGS_HELP = (
    " `verdict` is the gradient check's rule on the numbers against the exact ones; `warnings` "
    "tell a kink or pole of the expression at the point or within the step "
    "(`not_differentiable`, `kink_in_step`, `singularity_in_step`), naming the function, the "
    "point and the convention the exact value follows, and digits lost to cancellation."
)

EXPR_HELP = (
    " Expressions use the variables the endpoint names, numbers, `+ - * / **`, parentheses, "
    f"`pi`, `e` and `{' '.join(USER_FUNCTIONS)}`; nothing else is evaluated. "
    f"Functions: {'; '.join(FUNCTION_HELP)}."
)


@router.post(
    "/derivative",
    response_model=None,
    responses={200: {"model": DerivativeOut}, **ERROR_RESPONSES},
    summary="Derivative and tangent line of f(x)",
    description="Differentiates f(x) at `x0` by a central, forward or backward difference with "
    "step `h`, beside the exact derivative from symbolic differentiation; returns the tangent "
    "line and f, its tangent and f' over `linspace(x_min, x_max, num)`."
    + WARNINGS_HELP
    + EXPR_HELP,
)
async def derivative(body: DerivativeRequest, limits: LimitsDep):
    def work():
        return respond(numdiff.derivative(**body.model_dump(), limits=limits))

    return await run_sized(derivative_us(body), work)


@router.post(
    "/gradient",
    response_model=None,
    responses={200: {"model": GradientOut}, **ERROR_RESPONSES},
    summary="Gradient of f(x1, ..., xn)",
    description="The vector of partial derivatives (∂f/∂x1, ..., ∂f/∂xn) at `point` by central "
    "differences, beside the exact gradient. The variables are x1..xn with n = len(point)."
    + WARNINGS_HELP
    + EXPR_HELP,
)
def gradient(body: GradientRequest, limits: LimitsDep):
    return respond(numdiff.gradient(**body.model_dump(), limits=limits))


@router.post(
    "/descent",
    response_model=None,
    responses={200: {"model": DescentOut}, **ERROR_RESPONSES},
    summary="Gradient descent with a choice of optimizer",
    description="Minimises f(x1..xn) from `start` with sgd, momentum, nesterov, adagrad, rmsprop "
    "or adam, using numerical gradients. `path` has one point per step taken, start included; "
    "`stopped` says why it stopped: `max_steps`, `converged` (gradient norm below `tol`) or "
    "`diverged` (a value non-finite or beyond 1e12). `warning` flags an lr above 2/λmax."
    + EXPR_HELP,
)
def descent(body: DescentRequest, limits: LimitsDep):
    return respond(numdiff.descent(**body.engine_args(), limits=limits))


@router.post(
    "/step-sweep",
    response_model=None,
    responses={200: {"model": StepSweepOut}, **ERROR_RESPONSES},
    summary="Error of finite differences versus the step size h",
    description="For h on a log grid from `h_min` to `h_max`, the error of the forward and "
    "central differences against the exact derivative at `x0`: truncation error falls with h, "
    "round-off error grows as h shrinks, and `best_h` is where their sum is smallest." + EXPR_HELP,
)
def step_sweep(body: StepSweepRequest, limits: LimitsDep):
    return respond(numdiff.step_sweep(**body.model_dump(), limits=limits))


@router.post(
    "/grid",
    response_model=None,
    responses={200: {"model": GridOut}, **ERROR_RESPONSES},
    summary="f(x1, x2) on a grid, for contour plots",
    description="Evaluates f(x1, x2) on a `num` × `num` grid; `z[i][j] = f(x1[j], x2[i])`."
    + EXPR_HELP,
)
def grid(body: GridRequest, limits: LimitsDep):
    return respond(numdiff.grid2d(**body.model_dump(), limits=limits))
