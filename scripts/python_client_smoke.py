"""Call every operation of the API through the client openapi-python-client generated.

Run by scripts/check-python-client inside its throwaway venv:
    python scripts/python_client_smoke.py http://127.0.0.1:8000 openapi.json
Fails if an operation of the schema is not called here, or answers anything but its 200 model.
Bodies not written here are the schema's own examples. The generator cannot parse an NDJSON
response (`/train`) or a text one (`/train/script`), so those two are read from the raw response.
"""

import json
import sys
from pathlib import Path

from backprop_explorer_client import Client
from backprop_explorer_client.api.activations import activation_curve
from backprop_explorer_client.api.computational_graph import graph
from backprop_explorer_client.api.meta import health, list_activations, meta
from backprop_explorer_client.api.network import (
    network_presets,
    nudge,
    run_network,
    softmax_jacobian,
)
from backprop_explorer_client.api.numerical_differentiation import (
    derivative,
    descent,
    gradient,
    grid,
    step_sweep,
)
from backprop_explorer_client.api.training import data, datasets, script, train  # noqa: F401
from backprop_explorer_client.models import (
    CurveRequest,
    DatasetIn,
    DerivativeRequest,
    DescentRequest,
    GradientRequest,
    GraphRequest,
    GridRequest,
    JacobianRequest,
    NetworkRequest,
    NudgeRequest,
    StepSweepRequest,
    TrainRequest,
)

base, schema = sys.argv[1], json.loads(Path(sys.argv[2]).read_text())
client = Client(base_url=base, raise_on_unexpected_status=True)
preset = network_presets.sync(client=client).presets[1].to_dict()


def example(name: str) -> dict:
    """The first example the schema gives for the request model ``name``."""
    return schema["components"]["schemas"][name]["examples"][0]


def streamed(response) -> list[dict]:
    """The NDJSON lines of a 200 response, parsed."""
    assert response.status_code == 200, response.content[:300]
    return [json.loads(line) for line in response.content.splitlines() if line.strip()]


def short_training() -> dict:
    return {**example("TrainRequest"), "epochs": 3}


def trained() -> dict:
    """The last line of a short training run."""
    body = TrainRequest.from_dict(short_training()).to_dict()
    return streamed(client.get_httpx_client().post("/api/v1/train", json=body))[-1]


def trained_script() -> str:
    """The PyTorch script of that run's trained weights (sent back as ``resume``)."""
    done = trained()
    resume = {k: done[k] for k in ("params", "optimizer_state", "epoch", "step")}
    body = TrainRequest.from_dict({**short_training(), "resume": resume})
    response = script.sync_detailed(client=client, body=body)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


calls = {
    "health": lambda: health.sync(client=client).status,
    "listActivations": lambda: len(list_activations.sync(client=client)),
    "meta": lambda: meta.sync(client=client).gradcheck.atol,
    "networkPresets": lambda: [p.name for p in network_presets.sync(client=client).presets],
    "activationCurve": lambda: (
        activation_curve.sync(
            client=client, body=CurveRequest.from_dict({"activation": "gelu", "num": 101})
        ).max_abs_error
    ),
    "runNetwork": lambda: (
        run_network.sync(
            client=client,
            body=NetworkRequest.from_dict(
                {k: preset[k] for k in ("x", "targets", "layers", "loss")}
            ),
        ).loss
    ),
    "softmaxJacobian": lambda: (
        softmax_jacobian.sync(client=client, body=JacobianRequest(x=[1.0, 2.0, 3.0])).y
    ),
    "derivative": lambda: (
        derivative.sync(client=client, body=DerivativeRequest(expr="x**2 + 5", x0=1.0)).derivative
    ),
    "gradient": lambda: (
        gradient.sync(
            client=client, body=GradientRequest(expr="x1**2 + x2**3 + 1", point=[2.0, 3.0])
        ).exact
    ),
    "descent": lambda: (
        descent.sync(
            client=client,
            body=DescentRequest.from_dict({"expr": "x1**2 + x2**2", "start": [1, 1], "lr": 0.1}),
        ).stopped
    ),
    "stepSweep": lambda: (
        step_sweep.sync(client=client, body=StepSweepRequest(expr="sin(x)", x0=1.0)).best_h.central
    ),
    "grid": lambda: len(grid.sync(client=client, body=GridRequest(expr="x1*x2", num=11)).z),
    "nudge": lambda: (
        nudge.sync(client=client, body=NudgeRequest.from_dict(example("NudgeRequest"))).order
    ),
    "graph": lambda: len(
        graph.sync(
            client=client,
            body=GraphRequest.from_dict(example("GraphRequest")),
        ).nodes
    ),
    "datasets": lambda: [d.name for d in datasets.sync(client=client).datasets],
    "data": lambda: len(
        data.sync(client=client, body=DatasetIn.from_dict(example("DatasetIn"))).x_train
    ),
    # The generated train() has no 200 model (NDJSON), so the same typed body is posted through
    # the client's own httpx client; train is imported for the check that the operation exists.
    "train": lambda: trained()["reason"],
    "script": lambda: trained_script()[:40],
}
ops = {op["operationId"] for item in schema["paths"].values() for op in item.values()}
assert ops == set(calls), f"operations not called here: {ops - set(calls)}"
for name, call in calls.items():
    value = call()
    assert value is not None, name
    print(f"  ok  {name}: {str(value)[:60]}")
print(f"openapi-python-client's client called all {len(calls)} operations")
