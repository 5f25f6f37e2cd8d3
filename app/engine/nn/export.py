"""A trained network as a self-contained Python script (numpy only) that recreates the data set
and the weights and prints the test accuracy the training stream reported.

The data set's generator is copied verbatim from :mod:`app.engine.nn.datasets` (an uploaded CSV
is written out as rows), the weights as exact float literals; the forward pass of each layer
kind is one numpy line (calling, for layer norm, a small function the script defines once),
checked against the layer registry by the tests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from app.engine.errors import EngineError
from app.engine.nn.datasets import CSV, DATASETS, Data, generator_source
from app.engine.nn.layers import LAYER_KINDS
from app.engine.nn.losses import get_loss
from app.engine.nn.train import make_task, place_params

# One numpy line per layer kind, from its record: the forward pass the script runs.
FORWARD_CODE: dict[str, str] = {name: kind.code for name, kind in LAYER_KINDS.items()}


def _literal(a: np.ndarray) -> str:
    """A numpy array as an exact literal (Python's float repr round-trips)."""
    return f"np.array({json.dumps(np.asarray(a, dtype=np.float64).tolist())})"


def _data_code(data: Data) -> str:
    if data.name == CSV:
        return (
            "# The uploaded rows (x1, x2 and label), split as the app split them.\n"
            f"X_TRAIN = {_literal(data.x_train)}\n"
            f"Y_TRAIN = np.array({json.dumps(data.y_train.tolist())})\n"
            f"X_TEST = {_literal(data.x_test)}\n"
            f"Y_TEST = np.array({json.dumps(data.y_test.tolist())})\n"
        )
    kind = DATASETS[data.name]
    n = len(data.x_train) + len(data.x_test)
    return (
        f"# The data set, drawn by the generator Backprop Explorer uses (copied verbatim).\n\n"
        f"{generator_source(data.name)}\n\n"
        f"rng = np.random.default_rng({data.seed})\n"
        f"x, y = {kind.make.__name__}({n}, {data.noise!r}, {data.classes or 1}, rng)\n"
        f"X_TRAIN, Y_TRAIN, X_TEST, Y_TEST = split(x, y, {data.test_fraction!r}, rng)\n"
    )


def python_script(
    data: Data,
    layers: Sequence[Any],
    params: Sequence[Mapping[str, Any]],
    loss: str,
    title: str = "",
) -> str:
    """The script for ``layers`` with the trained ``params`` (``[{"index", "W", "b"}, ...]``).

    It prints ``test accuracy: 0.9750 (195/200)`` for a classifier (the accuracy to four places,
    as the page shows it) or ``test loss (mse): 0.005123`` for a regression set.
    """
    net, built = place_params(layers, params, data.width, loss)
    task = make_task(data, net, loss)
    lines = []
    for layer, p in zip(net.layers, built, strict=True):
        kind = LAYER_KINDS[layer.kind]
        if not kind.code:
            raise EngineError(f"the export cannot write a {layer.kind} layer yet.", ("layers",))
        # parameters (W, b; gamma, beta) as exact literals, then settings (alpha, eps)
        args = [_literal(p[k]) if k in p else repr(getattr(layer, k)) for k in kind.args]
        lines.append(f"    ({', '.join([repr(layer.kind), *args])},),")
    used = {layer.kind: LAYER_KINDS[layer.kind] for layer in net.layers}
    helpers = "".join(f"\n{h}\n\n" for h in dict.fromkeys(k.helper for k in used.values()) if h)
    kinds = "\n".join(
        f'    "{k}": lambda {", ".join(("x", *kind.args))}: {kind.code},'
        for k, kind in used.items()
    )
    if task.kind == "regression":
        record = get_loss(loss)
        verdict = (
            f"y, t = out, Y_TEST.reshape(out.shape)\n"
            f"loss = {record.code}  # the app's {loss}\n"
            f'print(f"test loss ({loss}): {{loss:.6g}}")\n'
        )
    else:
        predict = "(out[:, 0] > 0).astype(int)" if task.kind == "sign" else "out.argmax(axis=1)"
        verdict = (
            f"predicted = {predict}\n"
            "correct = int((predicted == Y_TEST).sum())\n"
            'print(f"test accuracy: {correct / len(Y_TEST):.4f} ({correct}/{len(Y_TEST)})")\n'
        )
    head = title or f"a network trained on {data.name}"
    return (
        f'"""Backprop Explorer: {head}, recreated with numpy alone.\n\n'
        "Recreates the data set and the trained weights, runs the test points forward and prints\n"
        'the test accuracy. Run it with:  python this_file.py\n"""\n\n'
        "import numpy as np\n\n"
        f"{_data_code(data)}\n"
        f"{helpers}"
        "# The trained network: each layer's kind and arguments (W, b; gamma, beta, eps; alpha).\n"
        f"LAYERS = [\n{chr(10).join(lines)}\n]\n"
        f"FORWARD = {{\n{kinds}\n}}\n\n\n"
        "def forward(x):\n"
        "    for kind, *args in LAYERS:\n"
        "        x = FORWARD[kind](x, *args)\n"
        "    return x\n\n\n"
        "out = forward(X_TEST)\n"
        f"{verdict}"
    )
