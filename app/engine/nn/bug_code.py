"""The code of the bug registry (:mod:`app.engine.nn.bugs`): each layer and loss written once
right and, per planted bug, once wrong, in the plain style of the book the seed notebook follows.

Each function is shown to the learner as it is written here (``inspect.getsource``) and is the
code a run with that bug executes, so the page never shows one thing while the server runs
another. A layer's function takes a batch ``x: (N, D)`` (and its parameters) and returns
``(y, backward)`` with ``backward(dy) -> (dx, grads)``; a loss's takes ``y: (N, C)`` and the
targets ``t`` (class indices ``(N,)`` or rows ``(N, C)``) and returns ``(L, backward)`` with
``backward(dL=1.0) -> (dy, {})``. Only numpy; nothing here is ever built from a request.
"""

import numpy as np

# ---------------------------------------------------------------------------------- right


def affine(x, W, b):
    y = x @ W + b

    def backward(dy):
        dx = dy @ W.T  # (N, out) @ (out, in)
        dW = x.T @ dy  # W's shape: (in, N) @ (N, out)
        db = dy.sum(axis=0)  # b's shape: one sum per output over the batch
        return dx, {"W": dW, "b": db}

    return y, backward


def sigmoid(x):
    y = 0.5 * (1 + np.tanh(0.5 * x))  # 1 / (1 + e^-x), without overflow

    def backward(dy):
        dx = dy * y * (1 - y)  # σ'(x) = y (1 - y), from the output y
        return dx, {}

    return y, backward


def tanh(x):
    y = np.tanh(x)

    def backward(dy):
        dx = dy * (1 - y**2)  # tanh'(x) = 1 - y², from the output y
        return dx, {}

    return y, backward


def relu(x):
    y = np.maximum(x, 0)

    def backward(dy):
        dx = dy * (x > 0)  # a new array: dy itself is left alone
        return dx, {}

    return y, backward


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))  # each row's own max
    y = e / e.sum(axis=1, keepdims=True)  # each row sums to 1

    def backward(dy):
        dx = y * (dy - (dy * y).sum(axis=1, keepdims=True))  # (diag(y) - y yᵀ) dy per row
        return dx, {}

    return y, backward


def layernorm(x, gamma, beta, eps):
    mu = x.mean(axis=1, keepdims=True)
    inv = 1 / np.sqrt(((x - mu) ** 2).mean(axis=1, keepdims=True) + eps)
    xhat = (x - mu) * inv
    y = gamma * xhat + beta

    def backward(dy):
        g = dy * gamma
        dx = g - g.mean(axis=1, keepdims=True) - xhat * (g * xhat).mean(axis=1, keepdims=True)
        dx = dx * inv
        return dx, {"gamma": (dy * xhat).sum(axis=0), "beta": dy.sum(axis=0)}

    return y, backward


def cross_entropy(y, t):
    N = y.shape[0]
    if t.ndim == 1:  # class indices -> one-hot rows
        t = np.eye(y.shape[1])[t]
    L = -np.sum(t * np.log(y)) / N

    def backward(dL=1.0):
        return dL * -t / (N * y), {}

    return L, backward


def softmax_cross_entropy(z, t):
    N = z.shape[0]
    if t.ndim == 1:  # class indices -> one-hot rows
        t = np.eye(z.shape[1])[t]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    L = -np.sum(t * np.log(y)) / N

    def backward(dL=1.0):
        return dL * (y - t) / N, {}

    return L, backward


# ---------------------------------------------------------------------------------- wrong


def softmax_axis0(x):
    e = np.exp(x - x.max(axis=0))  # the column max
    y = e / e.sum(axis=0)  # BUG: columns sum to 1, across the samples

    def backward(dy):
        dx = y * (dy - (dy * y).sum(axis=1, keepdims=True))
        return dx, {}

    return y, backward


def cross_entropy_block(y, t):
    N = y.shape[0]
    if t.ndim == 2:  # one-hot rows -> class indices
        t = t.argmax(axis=1)
    L = -np.sum(np.log(y[:, t])) / N  # BUG: y[:, t] is N×N, every row with every label

    def backward(dL=1.0):
        dy = np.zeros_like(y)
        dy[np.arange(N), t] = -1 / (N * y[np.arange(N), t])
        return dL * dy, {}

    return L, backward


def softmax_cross_entropy_block(z, t):
    N = z.shape[0]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    rows = np.eye(z.shape[1])[t] if t.ndim == 1 else t
    L = -np.sum(rows * np.log(y)) / N

    def backward(dL=1.0):
        if t.ndim == 2:
            dz = y - t
        else:
            dz = y.copy()
            dz[:, t] -= 1  # BUG: every row loses 1 at every label of the batch
        return dL * dz / N, {}

    return L, backward


def softmax_no_upstream(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)

    def backward(dy):
        dx = y * (1 - y)  # BUG: the Jacobian's diagonal, and dy is never used
        return dx, {}

    return y, backward


def softmax_diagonal(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)

    def backward(dy):
        dx = dy * y * (1 - y)  # BUG: only the diagonal of diag(y) - y yᵀ
        return dx, {}

    return y, backward


def relu_in_place(x):
    y = np.maximum(x, 0)

    def backward(dy):
        dy[x <= 0] = 0  # BUG: writes into the caller's dy
        return dy, {}

    return y, backward


def affine_dW_transposed(x, W, b):
    y = x @ W + b

    def backward(dy):
        dx = dy @ W.T
        dW = dy.T @ x  # BUG: (out, in), the transpose of W's shape
        db = dy.sum(axis=0)
        return dx, {"W": dW, "b": db}

    return y, backward


def affine_db_no_sum(x, W, b):
    y = x @ W + b

    def backward(dy):
        dx = dy @ W.T
        dW = x.T @ dy
        db = dy  # BUG: one row per sample, not summed over the batch
        return dx, {"W": dW, "b": db}

    return y, backward


def softmax_cross_entropy_no_mean(z, t):
    N = z.shape[0]
    if t.ndim == 1:
        t = np.eye(z.shape[1])[t]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    L = -np.sum(t * np.log(y)) / N

    def backward(dL=1.0):
        return dL * (y - t), {}  # BUG: the loss is a mean, its gradient needs / N

    return L, backward


def sigmoid_from_x(x):
    y = 0.5 * (1 + np.tanh(0.5 * x))

    def backward(dy):
        dx = dy * x * (1 - x)  # BUG: y (1 - y) written with the input x
        return dx, {}

    return y, backward


def tanh_from_x(x):
    y = np.tanh(x)

    def backward(dy):
        dx = dy * (1 - x**2)  # BUG: 1 - y² written with the input x
        return dx, {}

    return y, backward


def sigmoid_in_place(x):
    y = 0.5 * (1 + np.tanh(0.5 * x))

    def backward(dy):
        dy *= y * (1 - y)  # BUG: multiplies the caller's dy in place
        return dy, {}

    return y, backward


def layernorm_no_mean_terms(x, gamma, beta, eps):
    mu = x.mean(axis=1, keepdims=True)
    inv = 1 / np.sqrt(((x - mu) ** 2).mean(axis=1, keepdims=True) + eps)
    xhat = (x - mu) * inv
    y = gamma * xhat + beta

    def backward(dy):
        g = dy * gamma
        dx = g * inv  # BUG: μ and σ depend on x too; their two mean terms are dropped
        return dx, {"gamma": (dy * xhat).sum(axis=0), "beta": dy.sum(axis=0)}

    return y, backward
