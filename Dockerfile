# Backprop Explorer: FastAPI + numpy served by uvicorn, as a non-root user.
#   docker build -t backprop-explorer .
#   docker run --rm -p 8000:8000 backprop-explorer
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app

# Runtime dependencies only (no test tools), the exact versions and hashes of the lock, in their
# own layer so that a code change does not reinstall them.
COPY requirements/runtime.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --require-hashes -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The source tree stays at /app: templates/ and static/ are found next to the app package.
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY lessons ./lessons
RUN python -m compileall -q app \
    && groupadd --gid 10001 bpx \
    && useradd --no-log-init --uid 10001 --gid bpx --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin bpx

# glibc keeps up to 64 MiB of freed memory per arena instead of returning it after every request
# (and serves blocks below 32 MiB from the heap): the engine's megabyte-sized temporaries then
# reuse mapped pages instead of faulting fresh ones. Measured with `python -m bench.engine --mix`
# (docs/PERFORMANCE.md, "The server's malloc setting"): page faults of a heavy /network/run mix
# 359k -> 8k in one thread, 368k -> 31k in four; peak RSS +0.5% and +3% (176 -> 182 MB in four
# threads); resident memory stays at that peak between requests instead of falling back.
ENV MALLOC_TRIM_THRESHOLD_=67108864 \
    MALLOC_MMAP_THRESHOLD_=33554432

ENV PYTHONPATH=/app \
    PORT=8000 \
    WEB_CONCURRENCY=2 \
    FORWARDED_ALLOW_IPS=*

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/v1/health' % os.environ.get('PORT', '8000'), timeout=4)"]

# sh expands $PORT and $WEB_CONCURRENCY; exec makes uvicorn PID 1 so it receives SIGTERM.
CMD ["sh", "-c", "exec uvicorn app.main:app --host 0.0.0.0 --port \"$PORT\" --workers \"$WEB_CONCURRENCY\" --proxy-headers --no-server-header"]
