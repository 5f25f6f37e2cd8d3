"""The engine's share of the small requests of ``bench.api_load --parts small``, in process.

    python -m bench.small_requests [--repeat 15] [--clock cpu] [--baseline TREE]

Times ``run_network`` on the 2×2 body (gradient check off and on) and ``numdiff.derivative``
on the 1001-point curve of the same bodies, plus the derivative of a new expression each call
(no hit in the expression cache) and with the result rendered by ``app.responses.respond``.
With ``--baseline`` (``git archive BASE app | tar -x -C /tmp/base``) the same calls of the
other tree run in the same rounds; ratios are medians of the round-by-round ratios.
"""

from __future__ import annotations

import itertools

from bench.api_load import DERIVATIVE, SMALL_RUN
from bench.harness import arguments, describe, import_baseline, interleaved, median, ratio


def calls(network, numdiff, respond) -> dict:
    """The timed calls of one tree."""
    run = {k: v for k, v in SMALL_RUN.items() if k != "gradcheck"}
    fresh = itertools.count()
    expr = DERIVATIVE["expr"]
    return {
        "run_network 2x2, gradcheck off": lambda: network.run_network(**run),
        "run_network 2x2, gradcheck on": lambda: network.run_network(**run, gradcheck=True),
        "derivative, same expression": lambda: numdiff.derivative(**DERIVATIVE),
        "derivative, a new expression": lambda: numdiff.derivative(
            f"{expr} + {next(fresh)}", DERIVATIVE["x0"]
        ),
        "derivative + respond, same expression": lambda: respond(numdiff.derivative(**DERIVATIVE)),
    }


def main() -> None:
    args = arguments(__doc__, repeat=15).parse_args()
    print(describe(args.threads))
    from app.engine import numdiff
    from app.engine.nn import network
    from app.responses import respond

    funcs = {("after", k): f for k, f in calls(network, numdiff, respond).items()}
    if args.baseline:
        old = import_baseline(args.baseline, "app.engine.nn.network", "app.engine.numdiff")
        funcs |= {("before", k): f for k, f in calls(*old, respond).items()}
    t = interleaved({f"{w}|{k}": f for (w, k), f in funcs.items()}, args.repeat, clock=args.clock)
    s = t.seconds
    print(f"\n{args.clock} clock, µs per call, median of {args.repeat} rounds")
    head = "| call | " + ("before | after | after / before |" if args.baseline else "µs |")
    print(head)
    print("|---" * (head.count("|") - 1) + "|")
    for k in calls(network, numdiff, respond):
        after = median(s[f"after|{k}"]) * 1e6
        if args.baseline:
            before = median(s[f"before|{k}"]) * 1e6
            r = ratio(s[f"after|{k}"], s[f"before|{k}"])
            print(f"| {k} | {before:.0f} | {after:.0f} | {r:.2f} |")
        else:
            print(f"| {k} | {after:.0f} |")


if __name__ == "__main__":
    main()
