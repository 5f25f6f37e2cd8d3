"""The softmax Jacobian of one vector."""

import numpy as np

from app.api.routing import api_router
from app.engine.nn.layers import softmax_jacobian
from app.responses import respond
from app.schemas import ERROR_RESPONSES, JacobianOut, JacobianRequest

router = api_router(prefix="/api/v1/softmax", tags=["network"])


@router.post(
    "/jacobian",
    name="softmax_jacobian",
    response_model=None,
    responses={200: {"model": JacobianOut}, **ERROR_RESPONSES},
    summary="Softmax and its Jacobian",
    description="For logits x, returns y = softmax(x) and the Jacobian dy/dx = diag(y) - y yᵀ "
    "(entry i, j is dy_i/dx_j).",
)
def jacobian(body: JacobianRequest):
    y, J = softmax_jacobian(np.asarray(body.x, dtype=np.float64))
    return respond({"y": y, "jacobian": J})
