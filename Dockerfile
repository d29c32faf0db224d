# The restorepoint worker (and CLI) for a production-like deployment: built JavaScript on Node 24
# LTS, no TypeScript runtime, PostgreSQL 17 client tools.

# Build: every dependency (the TypeScript compiler is a development one), then dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Sources only: .dockerignore keeps out node_modules, .restorepoint/, dist/ and key material.
COPY . .
RUN npm run build

# Run: production dependencies only, the build output, and pg_dump/psql from PGDG.
FROM node:24-bookworm-slim
# pg_dump 17 reads PostgreSQL 13–17 sources (a pg_dump refuses servers newer than itself, so it
# tracks the newest major we support); Debian's own client is 15. zstd: compression.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl gnupg zstd \
    && curl -fsSL https://www.postgresql.org/media/keys/ACCC4CF8.asc | gpg --dearmor -o /usr/share/keyrings/pgdg.gpg \
    && echo "deb [signed-by=/usr/share/keyrings/pgdg.gpg] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-17 \
    && apt-get purge -y curl gnupg && apt-get autoremove -y \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production PG_BIN=/usr/lib/postgresql/17/bin RESTOREPOINT_HOME=/var/lib/restorepoint
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist dist
COPY bin bin
# `docker compose exec worker restorepoint …` runs the CLI from the same build.
RUN ln -s /app/bin/restorepoint.js /usr/local/bin/restorepoint \
    && mkdir -p /var/lib/restorepoint && chown node:node /var/lib/restorepoint
USER node
# --max-semi-space-size=4: see worker/node-flags.ts (an export's buffers are freed by scavenges, not full GCs).
CMD ["node", "--max-semi-space-size=4", "dist/worker/main.js"]
