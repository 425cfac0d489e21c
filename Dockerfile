# syntax=docker/dockerfile:1
# Any Gateway: `docker build -t any-gateway .` (README, "Docker"). Two stages: the first installs the dependencies
# and builds the dashboard and the compiled server (dist/) exactly as the README's steps do; the second holds only
# what runs, as a non-root user.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary fits the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
RUN npm prune --omit=dev
# The data folder, made here so that the runtime stage can give it to the service user without a RUN step.
RUN mkdir -m 0700 /app-data

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
  MALLOC_ARENA_MAX=2 \
  GATEWAY_HOST=0.0.0.0 \
  GATEWAY_PORT=8003 \
  DATA_DIR=/data
WORKDIR /app
# The code stays owned by root (read-only for the service); only /data is the service's.
COPY --from=build /app /app
COPY --from=build --chown=node:node /app-data /data
USER node
VOLUME ["/data"]
EXPOSE 8003
# /ready: the database answers (and Redis, unless rate limits fail open). Node 20 has fetch; no curl in the image.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.GATEWAY_PORT || 8003) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# npm start without npm (its prestart only builds the dashboard and dist/, done above): node receives SIGTERM
# itself and shuts down gracefully (SHUTDOWN_GRACE_MS). The V8 flags bound the heap under load and MALLOC_ARENA_MAX
# (above) the C heap of the audit writer threads: docs/memory.md.
CMD ["node", "--heap-growing-percent=50", "--initial-old-space-size=64", "dist/main.js"]
