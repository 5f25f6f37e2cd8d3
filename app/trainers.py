"""Training streams in processes of their own, at a lower CPU priority than the web workers.

Why (measured: docs/PERFORMANCE.md, "The room"): a stream's line takes milliseconds of a
worker's GIL, so with streams computed in the workers' threads every request a student waits
for queued behind training lines, and a worker that happened to accept more streams gave each
less. Here each stream is a child process at ``BPX_TRAIN_NICE``: the kernel runs the students'
requests first, whichever worker took them, and shares what is left among all of the replica's
streams alike. The worker only relays lines.

- **Start.** Children fork from a forkserver that has this module (the engine, the renderer)
  imported, so a start costs milliseconds and no thread of the web worker is ever forked. The
  route has already validated the request (:func:`app.engine.nn.train.prepare`, so every 422 comes
  before the stream); the child prepares the same run again from the same arguments, since a run
  holds functions that do not pickle.
- **Pull.** The worker asks for a line by sending one byte and keeps ``AHEAD`` asked for; the
  child computes a line only when asked, so it runs at most ``AHEAD`` lines ahead of the client.
- **Stop.** The client going away makes the worker shut its end: the child sees it at the
  engine's next look at ``stop()`` (every ``check_every`` optimizer steps), ends the run as a
  cancelled one and reports how it ended, which the worker logs.
- **Bounded.** At most ``BPX_MAX_TRAINING`` streams per worker process; another gets a 503 with
  ``Retry-After`` before any work, like a request that finds every compute slot taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import socket
import threading
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import Request
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from app.engine.limits import Limits
from app.engine.nn.datasets import make_data
from app.engine.nn.train import prepare
from app.responses import NDJSONResponse, ndjson_line
from app.slots import SLOT

log = logging.getLogger("bpx.train")

AHEAD = 2  # lines the worker keeps asked for: the child computes the next while one is sent
RETRY_AFTER = 5  # seconds, in the 503's Retry-After when every training place is taken
_LINGER = 30.0  # seconds a finished child waits for the worker to close its end
_LINE, _END = b"L", b"E"  # what a message from the child is: a line for the client, or its end
_CTX = multiprocessing.get_context("forkserver")
_CTX.set_forkserver_preload([__name__])
_CLEANUP: set[asyncio.Task] = set()  # children being waited for after their client left


@dataclass(frozen=True)
class Job:
    """What a child needs to run one stream: the validated request's arguments, all picklable."""

    dataset: Mapping[str, Any]  # make_data's arguments
    max_rows: int
    run: Mapping[str, Any]  # prepare's arguments but the data and the limits
    limits: Limits

    def prepare(self):
        data = make_data(**self.dataset, max_rows=self.max_rows)
        return prepare(data, **self.run, limits=self.limits)


class Place:
    """One stream's hold on a training place; given back once, by whichever path ends first."""

    __slots__ = ("_trainers", "held")

    def __init__(self, trainers: Trainers) -> None:
        self._trainers, self.held = trainers, True

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self._trainers.release()


class Trainers:
    """This worker's training processes: at most ``most`` at once, each at CPU priority ``nice``."""

    def __init__(self, most: int, nice: int) -> None:
        self.most, self.nice = most, nice
        self.open = 0
        self._lock = threading.Lock()

    def take(self) -> Place:
        """A place for one stream, or the 503 that says every place is taken."""
        with self._lock:
            if self.open < self.most:
                self.open += 1
                return Place(self)
        raise HTTPException(
            503,
            f"the server is busy: all {self.most} training places of this worker are taken; "
            f"try again in {RETRY_AFTER} s",
            {"Retry-After": str(RETRY_AFTER)},
        )

    def release(self) -> None:
        with self._lock:
            self.open -= 1


class TrainingResponse(NDJSONResponse):
    """The stream's response, which gives its place back however it ends, even when the body
    was never started (the client left before the first byte)."""

    def __init__(self, place: Place, content: AsyncIterator[bytes]) -> None:
        super().__init__(content)
        self.place = place

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.place.give_back()


def start_forkserver() -> None:
    """Start this process's forkserver now (it imports the engine once), not at the first stream."""
    from multiprocessing import forkserver

    forkserver.ensure_running()


async def stream(
    job: Job, place: Place, nice: int, request: Request, max_line: int
) -> AsyncIterator[bytes]:
    """The lines of ``job``'s run, computed in a child process at CPU priority ``nice``; it
    holds ``place`` until it ends.

    The request's compute slot is let go at once: the work is the child's, and the kernel puts
    the worker's other requests first.
    """
    slot = request.scope.get(SLOT)
    if slot is not None:
        slot.release()
    ours, theirs = socket.socketpair()
    child = _CTX.Process(target=_child, args=(theirs, job, nice), name="bpx-train", daemon=True)
    try:
        try:
            await asyncio.to_thread(child.start)
        finally:
            theirs.close()
        # room for the longest line the cost model allows, plus the warnings' sentences
        link = _Link(*await asyncio.open_connection(sock=ours, limit=max_line + 65_536))
    except BaseException:
        ours.close()
        place.give_back()
        raise
    watcher = asyncio.ensure_future(_until_disconnect(request, link))
    ended = False
    try:
        for _ in range(AHEAD):
            link.ask()
        while message := await _next(link):
            if message[:1] == _END:
                ended = True
                _log_end(message[1:], child)
                return
            yield message[1:]
            link.ask()
        ended = True  # the child went away without saying how: the stream ends short, logged
        log.error("training process ended without its last line", extra={"exit": child.exitcode})
    finally:
        watcher.cancel()
        task = asyncio.get_running_loop().create_task(_reap(child, link, ended))
        _CLEANUP.add(task)
        task.add_done_callback(_CLEANUP.discard)
        place.give_back()  # the stream is over; its child is on its way out


async def _next(link: _Link) -> bytes:
    """The child's next message, or ``b""`` when the link is closed or broken."""
    try:
        return await link.reader.readline()
    except (OSError, ValueError) as e:  # ValueError: a line over the limit (never expected)
        log.error("training process link broke", extra={"error": repr(e)[:200]})
        return b""


async def _until_disconnect(request: Request, link: _Link) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass
    link.stop()


class _Link:
    """The worker's end of a child's socket."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer, self.shut = reader, writer, False

    def ask(self) -> None:
        """Ask the child for one more line, unless it has been told to stop."""
        if not self.shut and not self.writer.is_closing():
            self.writer.write(b"+")

    def stop(self) -> None:
        """Tell the child to stop: it reads the end of its input at its next look at stop()."""
        if not self.shut and not self.writer.is_closing():
            self.shut = True
            with contextlib.suppress(OSError):
                self.writer.write_eof()


async def _reap(child: multiprocessing.process.BaseProcess, link: _Link, ended: bool) -> None:
    """After the stream: stop the child if it still runs, log how it ended, wait for it."""
    try:
        if not ended:
            link.stop()
            try:
                async with asyncio.timeout(10):
                    while message := await link.reader.readline():
                        if message[:1] == _END:
                            _log_end(message[1:], child)
                            break
            except TimeoutError:
                log.warning("training process did not stop within 10 s of being asked; killed")
            except (OSError, ValueError):
                pass  # the child has gone already
        link.writer.close()
        await asyncio.to_thread(child.join, 5)
        if child.is_alive():
            child.kill()
            await asyncio.to_thread(child.join)
    finally:
        if not child.is_alive():
            child.close()


def _log_end(message: bytes, child: multiprocessing.process.BaseProcess) -> None:
    extra = orjson.loads(message)
    if "error" in extra:
        log.error("training process failed", extra=extra)
    else:
        log.info("training stream ended", extra=extra)


# The child's side. ------------------------------------------------------------------------------


class _Asks:
    """The worker's requests for lines, read from the child's end of the socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.count, self.gone = sock, 0, False

    def _got(self, data: bytes) -> None:
        if data:
            self.count += len(data)
        else:
            self.gone = True

    def stopped(self) -> bool:
        """Whether the worker has shut its end (a look that never waits): the engine's stop()."""
        if not self.gone:
            try:
                self._got(self.sock.recv(4096, socket.MSG_DONTWAIT))
            except BlockingIOError:
                pass
            except OSError:
                self.gone = True
        return self.gone

    def wait(self) -> bool:
        """Wait until the worker asks for a line; False when it has gone instead."""
        while self.count == 0 and not self.gone:
            try:
                self._got(self.sock.recv(4096))
            except OSError:
                self.gone = True
        if self.gone:
            return False
        self.count -= 1
        return True


def _child(sock: socket.socket, job: Job, nice: int) -> None:
    """Run ``job``'s stream, sending each line when asked; last, how it ended."""
    with contextlib.suppress(OSError):  # a lower priority is always allowed; if not, as is
        os.nice(nice)
    asks = _Asks(sock)
    training = None
    end: dict[str, Any]
    try:
        training = job.prepare()
        lines = training.stream(stop=asks.stopped)
        try:
            while asks.wait():
                line = next(lines, None)
                if line is None:
                    break
                sock.sendall(_LINE + ndjson_line(line))
        finally:
            lines.close()
        o = training.outcome
        reason = "cancelled" if o.reason == "running" else o.reason
        end = {"reason": reason, "epoch": o.epoch, "epochs_run": o.epochs_run, "steps": o.steps}
    except Exception as e:  # reported to the worker, which logs it
        end = {"error": f"{type(e).__name__}: {e}"[:500]}
    try:
        sock.sendall(_END + orjson.dumps(end) + b"\n")
        # Keep this end open until the worker closes its own (it has read the end then): a
        # socket closed first would break the worker's next request for a line, and the broken
        # pipe would lose the end still unread.
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(_LINGER)
        while sock.recv(4096):
            pass
    except OSError:
        pass
    finally:
        sock.close()
