"""Forward + backward of Affine -> ReLU -> Affine -> softmax cross-entropy: the engine against
PyTorch CPU autograd and against the six matrix products alone, timed side by side.

Run from the repository root (torch and threadpoolctl are optional)::

    python -m bench.engine_vs_torch [--threads 1] [--repeat 21] [--quick]

Two tables. "run_network": ``run_network(..., gradcheck=False)`` with the arrays of the request,
every check included. "hot loop": the layer-level loop a training step runs, the network built
once, then ``forward`` + the loss + ``backward`` (with its overflow checks). Torch runs
``addmm -> relu -> addmm -> cross_entropy -> backward()`` with gradients for x, W1, b1, W2, b2.
The floor is ``x W1, h W2, dz W2^T, h^T dz, dh W1^T, x^T dh`` into preallocated arrays;
"eng/numpy" compares with the same step written as plain numpy in the fewest passes (no checks,
no protocol), what pure numpy reaches. Each cell is the median of ``--repeat`` interleaved
samples; the ratios are medians of the round-by-round ratios.
"""

from __future__ import annotations

import numpy as np

from app.engine.nn import losses as this_losses
from app.engine.nn import network as this_network
from bench.harness import (
    arguments,
    describe,
    import_baseline,
    interleaved,
    median,
    pinned_threads,
    ratio,
    torch,
)

ROWS = [
    ((2, 16, 4), (64, 1024, 8192)),
    ((784, 256, 10), (64, 1024)),
    ((256, 256, 256), (64, 1024, 8192)),
]
DTYPES = ("float64", "float32")


def problem(widths: tuple[int, int, int], N: int, dtype: str, seed: int = 0) -> dict:
    """Input, class targets and the two affine layers' parameters, in ``dtype``."""
    D, H, C = widths
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    return {
        "x": rng.standard_normal((N, D)).astype(dt),
        "t": rng.integers(0, C, N),
        "W1": (rng.standard_normal((D, H)) * np.sqrt(2 / D)).astype(dt),
        "b1": (rng.standard_normal(H) * 0.1).astype(dt),
        "W2": (rng.standard_normal((H, C)) * np.sqrt(2 / H)).astype(dt),
        "b2": (rng.standard_normal(C) * 0.1).astype(dt),
    }


def layers_of(p: dict) -> list[dict]:
    return [
        {"type": "affine", "W": p["W1"], "b": p["b1"]},
        {"type": "relu"},
        {"type": "affine", "W": p["W2"], "b": p["b2"]},
    ]


def engine_run(p: dict, dtype: str, nw=this_network):
    layers = layers_of(p)
    return lambda: nw.run_network(p["x"], p["t"], layers, "softmax_cross_entropy", dtype=dtype)


def engine_loop(p: dict, dtype: str, nw=this_network, losses=this_losses):
    """The training loop's step: build once, then forward, loss, backward."""
    x = p["x"]
    net, params = nw.build_network(layers_of(p), x.shape[1], "softmax_cross_entropy", x.dtype)
    t = losses.as_targets(p["t"], (x.shape[0], net.n_out), "softmax_cross_entropy", x.dtype)

    def step():
        outputs, backs = nw.forward(net, params, x)
        _, loss_backward = net.loss.forward(outputs[-1], t)
        return nw.backward(net, backs, loss_backward(1.0)[0])

    return step


def torch_leaves(p: dict) -> tuple:
    """x, W1, b1, W2, b2 as tensors sharing the arrays' memory, each requiring its gradient."""
    return tuple(torch.from_numpy(p[k]).requires_grad_() for k in ("x", "W1", "b1", "W2", "b2"))


def torch_loss(leaves: tuple, t):
    x, W1, b1, W2, b2 = leaves
    z = torch.addmm(b2, torch.relu(torch.addmm(b1, x, W1)), W2)
    return torch.nn.functional.cross_entropy(z, t)


def torch_step(p: dict):
    leaves, t = torch_leaves(p), torch.from_numpy(p["t"])

    def step():
        for leaf in leaves:
            leaf.grad = None
        torch_loss(leaves, t).backward()
        return leaves[0].grad

    return step


def matmul_floor(p: dict):
    """The six products of one forward + backward, into preallocated arrays."""
    x, W1, W2 = p["x"], p["W1"], p["W2"]
    h = x @ W1
    z = h @ W2
    dz, dh, dx, dW1, dW2 = np.empty_like(z), np.empty_like(h), np.empty_like(x), W1 * 0, W2 * 0
    dz[...] = 0.001

    def step():
        np.matmul(x, W1, out=h)  # forward
        np.matmul(h, W2, out=z)
        np.matmul(dz, W2.T, out=dh)  # backward
        np.matmul(h.T, dz, out=dW2)
        np.matmul(dh, W1.T, out=dx)
        np.matmul(x.T, dh, out=dW1)

    return step


def numpy_step(p: dict):
    """The same step written as plain numpy, the fewest passes it takes: no checks, no layers,
    no loss record, fresh arrays as the engine makes them (what pure numpy can reach)."""
    x, W1, b1, W2, b2, t = (p[k] for k in ("x", "W1", "b1", "W2", "b2", "t"))
    N, rows = x.shape[0], np.arange(x.shape[0])

    def step():
        h = x.dot(W1)
        h += b1
        a = np.maximum(h, 0.0)
        z = a.dot(W2)
        z += b2
        e = z - np.maximum.reduce(z, axis=-1, keepdims=True)
        at = e[rows, t]  # the log-probability of each row's class, before e is overwritten
        np.exp(e, out=e)
        s = np.add.reduce(e, axis=-1, keepdims=True)
        loss = np.add.reduce(np.log(s[:, 0]) - at) / N
        np.divide(e, s, out=e)  # softmax, then (softmax - onehot) / N in place
        e[rows, t] -= 1.0
        e /= N
        dW2, db2, da = a.T.dot(e), np.add.reduce(e, axis=0), e.dot(W2.T)
        dh = da * (h > 0)
        dW1, db1, dx = x.T.dot(dh), np.add.reduce(dh, axis=0), dh.dot(W1.T)
        return loss, dx, dW1, db1, dW2, db2

    return step


def agree(p: dict, dtype: str) -> float:
    """Largest relative difference between the engine's and torch's loss and gradients."""
    r = engine_run(p, dtype)()
    leaves = torch_leaves(p)
    L = torch_loss(leaves, torch.from_numpy(p["t"]))
    L.backward()
    ours = [
        np.float64(r["loss"]),
        r["backward"][0]["grad_input"],
        r["backward"][0]["grads"]["W"],
        r["backward"][0]["grads"]["b"],
        r["backward"][2]["grads"]["W"],
        r["backward"][2]["grads"]["b"],
    ]
    theirs = [L.detach(), *(leaf.grad for leaf in leaves)]
    return max(
        float(np.max(np.abs(a - b.numpy())) / (np.max(np.abs(b.numpy())) + 1e-30))
        for a, b in zip(ours, theirs, strict=True)
    )


def verdict(engine: list[float], torch_s: list[float], floor: list[float]) -> str:
    """The issue's target: <= 0.8 x torch, or within 1.15 x the floor where 0.8 x torch < floor."""
    if ratio(engine, torch_s) <= 0.8:
        return "yes"
    if 0.8 * ratio(torch_s, floor) < 1 and ratio(engine, floor) <= 1.15:
        return "yes (floor)"
    return "NO"


def main() -> None:
    parser = arguments(__doc__, repeat=31)
    parser.add_argument("--quick", action="store_true", help="batches up to 1024, 9 repeats")
    parser.add_argument("--only", metavar="WIDTHS", help="one network, e.g. 256-256-256")
    parser.add_argument("--dtype", choices=DTYPES, help="one dtype")
    args = parser.parse_args()
    repeat = 9 if args.quick else args.repeat
    base = import_baseline(args.baseline, *MODULES) if args.baseline else None
    with pinned_threads(args.threads):
        print(describe(args.threads))
        print(
            f"{args.clock} clock; medians of {repeat} interleaved samples, microseconds per "
            "step; ratios are medians of the round-by-round ratios"
            + (f"; 'before' is the engine in {args.baseline}" if base else "")
            + "\n"
        )
        print(
            f"{'widths':12s} {'batch':>5s} {'dtype':5s} {'table':11s} {'engine':>9s} "
            f"{'torch':>9s} {'floor':>9s} {'eng/torch':>9s} {'eng/floor':>9s} "
            f"{'torch/floor':>11s}  {'target':11s} {'agree':7s} {'faults':>6s} {'eng/numpy':>9s}"
            + (f" {'before/torch':>12s} {'after/before':>12s}" if base else "")
        )
        for widths, batches in ROWS:
            if args.only and args.only != "-".join(map(str, widths)):
                continue
            for N in batches:
                if args.quick and N > 1024:
                    continue
                for dtype in [args.dtype] if args.dtype else DTYPES:
                    row(widths, N, dtype, repeat, args.clock, base)


MODULES = ("app.engine.nn.network", "app.engine.nn.losses")


def row(widths, N: int, dtype: str, repeat: int, clock: str, base) -> None:
    """Time one row and print its two lines (run_network and the hot loop)."""
    p = problem(widths, N, dtype)
    funcs = {"run_network": engine_run(p, dtype), "hot loop": engine_loop(p, dtype)}
    if base is not None:
        funcs["before run_network"] = engine_run(p, dtype, base[0])
        funcs["before hot loop"] = engine_loop(p, dtype, *base)
    funcs["floor"] = matmul_floor(p)
    funcs["numpy"] = numpy_step(p)
    if torch is not None:
        funcs["torch"] = torch_step(p)
    timed = interleaved(funcs, repeat, clock=clock)
    s = timed.seconds
    floor = s["floor"]
    diff = f"{agree(p, dtype):.1e}" if torch is not None else "-"
    for table in ("run_network", "hot loop"):
        e = s[table]
        if torch is not None:
            t_s = s["torch"]
            cells = f"{median(t_s) * 1e6:9.1f} {median(floor) * 1e6:9.1f} {ratio(e, t_s):9.2f}"
            tail = f"{ratio(t_s, floor):11.2f}  {verdict(e, t_s, floor):11s}"
        else:
            cells = f"{'-':>9s} {median(floor) * 1e6:9.1f} {'-':>9s}"
            tail = f"{'-':>11s}  {'-':11s}"
        line = (
            f"{'-'.join(map(str, widths)):12s} {N:5d} {dtype[-2:]:5s} {table:11s} "
            f"{median(e) * 1e6:9.1f} {cells} {ratio(e, floor):9.2f} {tail} {diff:7s} "
            f"{timed.faults[table]:6.0f} {ratio(e, s['numpy']):9.2f}"
        )
        if base is not None:
            b = s[f"before {table}"]
            before_torch = f"{ratio(b, s['torch']):12.2f}" if torch is not None else f"{'-':>12s}"
            line += f" {before_torch} {ratio(e, b):12.2f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
