"""The attack list of the numerical-differentiation issue: each must be refused clearly.

``CONSTRUCTS`` pairs attacks with the words the refusal must use: each names the construct, so
each exercises its own rule of the allow-list (a bare ``x.__class__`` reaches the general rule
against attribute access, not the check on calls).
"""

CONSTRUCTS: list[tuple[str, str]] = [
    ("x.__class__", "attribute access is not allowed"),
    ("x.real + 1", "attribute access is not allowed"),
    ("x[0]", "subscripts are not allowed"),
    ("x[1:2]", "subscripts are not allowed"),
    ("lambda: 1", "lambda is not allowed"),
    ("(lambda t: t)(x)", "lambda is not allowed"),
    ("[t for t in x]", "comprehensions are not allowed"),
    ("{t: 1 for t in x}", "comprehensions are not allowed"),
    ("sin(t for t in x)", "comprehensions are not allowed"),
    ("(x + 1)(2)", "'x + 1' cannot be called"),
    ("(t := 1)", "assignment (:=) is not allowed"),
    ("(x := 2) * x", "assignment (:=) is not allowed"),
    ("sin(*x)", "starred arguments are not allowed"),
    ("sin(x=1)", "keyword arguments are not allowed"),
    ("exp(x, base=2)", "keyword arguments are not allowed"),
]

ATTACKS: list[str] = [
    "__import__('os').system('id')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.tofile('/tmp/f')",
    "open('/etc/passwd').read()",
    "9**9**9**9",
    "[1]*10**9",
    "'a'*10**9",
    "lambda: 1",
    "x[0]",
    "x if x else 0",
    "1j",
    "True",
    "(" * 1000 + "x" + ")" * 1000,
    "x" * (1 << 20),
    "\x00",
    "x\x00",
    "",
    "ｘ**2",
    "exp(1000)",
    "log(0)",
    "1/0",
    *(source for source, _ in CONSTRUCTS),
]
