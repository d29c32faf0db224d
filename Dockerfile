# The restorepoint worker (and CLI) for a production-like deployment.
FROM node:20-bookworm-slim
# pg_dump/psql (schema DDL, same major as the servers it reads) and zstd (compression).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client-15 zstd ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
USER node
CMD ["node", "--import", "tsx", "worker/main.ts"]
