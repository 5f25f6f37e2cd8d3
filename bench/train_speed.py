"""Training speed: a plain numpy loop beside the product's training loop, on the same settings.

TensorFlow Playground's default (2-8-8-1 tanh, squared error on ±1 labels, 200 training points of
xor, SGD lr 0.03) at batch 10 and 32, and a 2-16-16-2 softmax cross-entropy net with Adam. Both
loops start from the same weights and train on the same points; rounds alternate between them so
that load on the machine hits both alike, and the best round of each is reported (epochs per
second and microseconds per optimizer step, in this process's CPU time, so that other programs
running on the machine count as little as possible). The product's loop is
:func:`app.engine.nn.train.prepare` streaming one report at the start and one at the end. Not a
test: it prints and never fails. Usage, from the repository root::

    .venv/bin/python -m bench.train_speed [--rounds 7]     (make bench runs it too)

For reference (the training issue, measured on the same machine): the Playground's own ``nn.ts``
under node 20 trains its default at about 1,390 epochs/s; a plain numpy loop at about 730
(batch 10) and 1,400 (batch 32).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine.nn.datasets import make_data
from app.engine.nn.network import build_network
from app.engine.nn.train import prepare
from bench.machine import describe

PLAYGROUND_EPOCHS_PER_S = 1390  # nn.ts under node 20, from the issue
DATA = make_data("xor", n=400, noise=0.3, seed=0, test_fraction=0.5)  # 200 training points


def stack(widths: list[int], activation: str) -> list[dict]:
    layers: list[dict] = []
    for k, w in enumerate(widths):
        layers.append({"type": "affine", "out": w, "init": "xavier", "seed": k})
        if k < len(widths) - 1:
            layers.append({"type": activation})
    return layers


def initial(layers: list[dict], loss: str) -> list[np.ndarray]:
    """The product's initial W, b of every affine layer, so both loops start alike."""
    _, params = build_network(layers, 2, loss)
    return [a.copy() for p in params for a in p.values()]


def plain_tanh_mse(params, x, labels, epochs, batch, lr, seed=0):
    """The straightforward loop: shuffle, slice, forward, backward, W -= lr dW."""
    W1, b1, W2, b2, W3, b3 = (p.copy() for p in params)
    t_all = (2.0 * labels - 1.0).reshape(-1, 1)  # targets -1 / +1
    rng = np.random.default_rng(seed)
    n = len(x)
    for _ in range(epochs):
        perm = rng.permutation(n)
        for i in range(0, n, batch):
            idx = perm[i : i + batch]
            xb, t = x[idx], t_all[idx]
            a1 = np.tanh(xb @ W1 + b1)
            a2 = np.tanh(a1 @ W2 + b2)
            y = a2 @ W3 + b3
            dy = (y - t) / len(xb)  # d/dy of (1/2N) Σ (y - t)²
            dW3, db3 = a2.T @ dy, dy.sum(0)
            dz2 = (dy @ W3.T) * (1 - a2**2)
            dW2, db2 = a1.T @ dz2, dz2.sum(0)
            dz1 = (dz2 @ W2.T) * (1 - a1**2)
            dW1, db1 = xb.T @ dz1, dz1.sum(0)
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2 -= lr * db2
            W3 -= lr * dW3
            b3 -= lr * db3
    y = np.tanh(np.tanh(x @ W1 + b1) @ W2 + b2) @ W3 + b3
    return float(0.5 * np.mean(np.sum((y - t_all) ** 2, axis=1)))


def plain_relu_softmax_adam(params, x, labels, epochs, batch, lr, seed=0):
    """The same loop for 2-16-16-2 relu, softmax cross-entropy and Adam, one tensor at a time."""
    ps = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in ps]
    v = [np.zeros_like(p) for p in ps]
    b1, b2, eps = 0.9, 0.999, 1e-8
    onehot = np.eye(2)[labels]
    rng = np.random.default_rng(seed)
    n, step = len(x), 0
    for _ in range(epochs):
        perm = rng.permutation(n)
        for i in range(0, n, batch):
            idx = perm[i : i + batch]
            xb, t = x[idx], onehot[idx]
            W1, c1, W2, c2, W3, c3 = ps
            z1 = xb @ W1 + c1
            a1 = np.maximum(z1, 0)
            z2 = a1 @ W2 + c2
            a2 = np.maximum(z2, 0)
            z = a2 @ W3 + c3
            e = np.exp(z - z.max(axis=1, keepdims=True))
            dz = (e / e.sum(axis=1, keepdims=True) - t) / len(xb)  # softmax(z) - t, over N
            da2 = (dz @ W3.T) * (z2 > 0)
            da1 = (da2 @ W2.T) * (z1 > 0)
            grads = [xb.T @ da1, da1.sum(0), a1.T @ da2, da2.sum(0), a2.T @ dz, dz.sum(0)]
            step += 1
            for k, g in enumerate(grads):
                m[k] = b1 * m[k] + (1 - b1) * g
                v[k] = b2 * v[k] + (1 - b2) * g * g
                m_hat = m[k] / (1 - b1**step)
                v_hat = v[k] / (1 - b2**step)
                ps[k] = ps[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
    W1, c1, W2, c2, W3, c3 = ps
    z = np.maximum(np.maximum(x @ W1 + c1, 0) @ W2 + c2, 0) @ W3 + c3
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(x)), labels]))


def product(layers, loss, optimizer, epochs, batch, lr):
    run = prepare(
        DATA,
        layers,
        loss,
        optimizer,
        lr=lr,
        batch_size=batch,
        epochs=epochs,
        report_every=epochs,
        boundary_every=0,
        time_limit=1e9,
    )
    *_, last, done = run.stream()
    assert done["done"] and done["epoch"] == epochs, done
    return last["train_loss"]


def timed(epochs: int, fn, *args) -> tuple[float, float]:
    """``fn(*args)`` (a final loss) and epochs per second of this process's CPU time."""
    t0 = time.process_time()
    loss = fn(*args)
    return loss, epochs / (time.process_time() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=7, help="alternating rounds per setting")
    ap.add_argument("--epochs", type=int, default=100, help="epochs per round at batch 10")
    args = ap.parse_args()
    x, labels = DATA.x_train, DATA.y_train
    n = len(x)
    playground = stack([8, 8, 1], "tanh")
    adam_net = stack([16, 16, 2], "relu")
    settings = [
        ("2-8-8-1 tanh, mse ±1, SGD 0.03", 10, playground, "mse", "sgd", 0.03, plain_tanh_mse),
        ("2-8-8-1 tanh, mse ±1, SGD 0.03", 32, playground, "mse", "sgd", 0.03, plain_tanh_mse),
        (
            "2-16-16-2 relu, softmax CE, Adam 0.01",
            10,
            adam_net,
            "softmax_cross_entropy",
            "adam",
            0.01,
            plain_relu_softmax_adam,
        ),
        (
            "2-16-16-2 relu, softmax CE, Adam 0.01",
            32,
            adam_net,
            "softmax_cross_entropy",
            "adam",
            0.01,
            plain_relu_softmax_adam,
        ),
    ]
    print(describe())
    print(f"{n} training points; best of {args.rounds} alternating rounds; µs per optimizer step")
    print(
        f"{'setting':40} {'batch':>5}  {'plain ep/s':>10} {'µs/step':>8}  "
        f"{'product ep/s':>12} {'µs/step':>8}  {'ratio':>5}  final train loss plain/product"
    )
    for title, batch, layers, loss, opt, lr, plain in settings:
        epochs = args.epochs * (3 if batch >= 32 else 1)
        steps = epochs * -(-n // batch)
        params = initial(layers, loss)
        rates_plain: list[float] = []
        rates_product: list[float] = []
        for _ in range(args.rounds):
            lp, rate = timed(epochs, plain, params, x, labels, epochs, batch, lr)
            rates_plain.append(rate)
            lq, rate = timed(epochs, product, layers, loss, opt, epochs, batch, lr)
            rates_product.append(rate)
        p, q = max(rates_plain), max(rates_product)
        us_p, us_q = 1e6 * epochs / p / steps, 1e6 * epochs / q / steps
        print(
            f"{title:40} {batch:5d}  {p:10.0f} {us_p:8.1f}  {q:12.0f} {us_q:8.1f}  "
            f"{q / p:5.2f}  {lp:.4g} / {lq:.4g}"
        )
    print(
        f"TensorFlow Playground (nn.ts, node 20), 2-8-8-1 at batch 10: "
        f"{PLAYGROUND_EPOCHS_PER_S} epochs/s (from the issue)"
    )


if __name__ == "__main__":
    main()
