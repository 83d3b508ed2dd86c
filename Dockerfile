# The polos bot: `docker build -t polos .` then
# `docker run --env-file .env -v polos-data:/data polos` (Socket Mode: no port to publish).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin polos \
    && mkdir -p /data \
    && chown polos:polos /data

WORKDIR /src
COPY pyproject.toml README.md ./
COPY agents ./agents
COPY sandbox ./sandbox
COPY bot ./bot
COPY polos ./polos
RUN pip install . && rm -rf /src

# The embedded SQLite database lives in .polos/ under the working directory.
WORKDIR /data
USER polos
# Only used in HTTP mode (POLOS_MODE=http).
EXPOSE 3000

CMD ["polos", "run"]
