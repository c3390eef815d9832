# syntax=docker/dockerfile:1.7
# Smart Commune platform image: the `smartcommune` wheel (API, workers, migrations, CLI) and, once web/
# has a Vite project, its built static assets under /opt/smartcommune/web.
#
#   docker build -t smartcommune:0.1.0 .
#   docker build --build-arg BUILD_WEB=1 -t smartcommune:0.1.0 .   # once web/package.json exists
#
# Stages: `wheels` builds the project wheel and every dependency wheel (compilers live only here);
# `web` builds the front ends with Node (guarded: web/ has no package.json yet, so it yields an empty
# folder unless BUILD_WEB=1); `runtime` installs the wheels offline into a venv, with no compiler, no pip
# cache and a non-root user. tests/deploy/test_dockerfile.py checks these properties (and runs hadolint).

ARG PYTHON_IMAGE=python:3.12-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------- wheels
FROM ${PYTHON_IMAGE} AS wheels
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
# Compilers for any dependency without a binary wheel for this platform; they never leave this stage.
# Debian versions are not pinned (DL3008): the base image tag pins the release, and pinning point
# versions breaks the build at each security update; rebuild to take fixes.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY platform ./platform
COPY tenants ./tenants
COPY provisioning ./provisioning
# The project wheel first (hatchling, PEP 517 build), then every dependency as a wheel beside it.
RUN python -m pip wheel --no-deps --wheel-dir /wheels . \
    && python -m pip wheel --wheel-dir /wheels /wheels/smartcommune-*.whl

# ------------------------------------------------------------------------------------------------- web
FROM ${NODE_IMAGE} AS web
ARG BUILD_WEB=0
WORKDIR /web
COPY web/ ./
# web/ is not a Vite project yet (see web/README.md): without BUILD_WEB=1 this stage only makes the empty
# dist/ the runtime stage copies, so the image builds today and picks the assets up unchanged later.
RUN if [ "${BUILD_WEB}" = "1" ]; then npm ci --no-audit --no-fund && npm run build; else mkdir -p dist; fi

# --------------------------------------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime
ARG APP_UID=10001
ENV PYTHONSAFEPATH=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    LOG_JSON=true \
    SMARTCOMMUNE_WEB_DIR=/opt/smartcommune/web
# Runtime libraries only (libpq for psycopg's fallback, tini as PID 1); no compiler reaches this stage.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid ${APP_UID} smartcommune \
    && useradd --system --uid ${APP_UID} --gid smartcommune --home-dir /home/smartcommune \
       --create-home --shell /usr/sbin/nologin smartcommune
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-index --find-links /wheels smartcommune \
    && /opt/venv/bin/pip uninstall -y pip
COPY --from=web --chown=root:root /web/dist /opt/smartcommune/web
WORKDIR /home/smartcommune
USER ${APP_UID}:${APP_UID}
EXPOSE 8000
ENTRYPOINT ["/usr/bin/tini", "--", "smartcommune"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
