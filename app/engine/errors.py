"""The one error type the engine raises for bad input; the web layer maps it to HTTP 422."""


class EngineError(ValueError):
    """Bad input or a computation that cannot give a finite answer, in words a student understands.

    ``loc`` names where in the request the problem is, e.g. ``("layers", 2, "W")``; the web layer
    prefixes it with ``"body"``. ``also`` names other places the same problem involves (a target
    that does not fit the width a layer chose is reported at both), each a detail of its own.
    """

    def __init__(
        self,
        msg: str,
        loc: tuple[str | int, ...] = (),
        also: tuple[tuple[str | int, ...], ...] = (),
    ) -> None:
        super().__init__(msg)
        self.msg = msg
        self.loc = loc
        self.also = also


def warning(code: str, msg: str, loc: tuple[str | int, ...] = ()) -> dict:
    """A result that is computed correctly but numerically fragile, told to the user.

    ``{"code", "msg", "loc"}`` as in the REST contract's ``warnings`` list; ``loc`` is relative
    to the request body, like an error's.
    """
    return {"code": code, "msg": msg, "loc": list(loc)}
