"""Write the backward pass yourself: one gradient, typed as an array expression, judged."""

from app.api.compute import backward_exercise_us, run_sized
from app.api.deps import LimitsDep
from app.api.routing import api_router
from app.engine.exercises.backward import judge_backward
from app.engine.nn.hunt import bugs_for_run
from app.responses import respond
from app.schemas import ERROR_RESPONSES
from app.schemas.exercise_backward import BackwardExerciseOut, BackwardExerciseRequest

router = api_router(prefix="/api/v1/exercises", tags=["exercises"])


@router.post(
    "/backward",
    name="exercise_backward",
    response_model=None,
    responses={200: {"model": BackwardExerciseOut}, **ERROR_RESPONSES},
    summary="Check a learner's array expression for one gradient of a network",
    description="Runs `network`, evaluates `answer` over the names of layer `target.index` "
    "(bounded before it runs) and compares it with the engine's gradient `target.tensor`: "
    "a verdict, the largest difference, the wrong cells and a diagnosis (`transposed`, "
    "`batch_scale`, `missing_sum`, `sign`). A wrong answer is a 200; an answer that is not "
    "allowed, uses an unknown name, does not fit the shapes or is too big is a 422 at "
    '`["body", "answer"]`. The gradient itself only with `reveal`.',
)
async def exercise_backward(body: BackwardExerciseRequest, limits: LimitsDep):
    net = body.network.model_copy(update={"gradcheck": False})

    def work():
        where = {"index": body.target.index, "tensor": body.target.tensor}
        types = [layer.type for layer in net.layers]
        planted = bugs_for_run(net.challenge, **net.planted(), layer_types=types, loss=net.loss)
        result = judge_backward(
            net.network(),
            **where,
            answer=body.answer,
            reveal=body.reveal,
            limits=limits,
            planted=planted,
        )
        return respond(result)

    return await run_sized(backward_exercise_us(net, body.answer), work)
