# syntax=docker/dockerfile:1
# paysign server image: the production install of @paysign/server (compiled JavaScript, production dependencies only,
# migrations in dist/migrations), run by plain node as a non-root user. Build from the repository root:
#   docker build -t paysign-server .
# The same image runs the API (default), the worker (`node dist/worker.js`) and the migrations (`node dist/migrate.js`);
# compose.yaml shows the three together. CI proves these steps without a container runtime (e2e/test/production.test.ts).

FROM node:24-slim AS build
WORKDIR /repo
RUN npm install --global pnpm@10 --no-fund --no-audit
# The whole workspace (see .dockerignore): pnpm's install runs the Prisma client generation of the root postinstall.
COPY . .
RUN pnpm install --frozen-lockfile
# The merchant console first: the server's build copies its files into dist/console (served at /console).
RUN pnpm --filter @paysign/console build
RUN pnpm --filter @paysign/contracts --filter @paysign/server build
RUN pnpm --filter @paysign/server deploy --prod --legacy /out

FROM node:24-slim AS runtime
# V8's young generation capped at 8 MB per semi-space (its default grows to 32 MB and more): under load the API's peak
# stays around 256 MB resident (235-258 MB in BENCHMARKS.md's latest runs) at the same throughput (bench/stack.ts runs
# the API with these options).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 NODE_OPTIONS=--max-semi-space-size=8
WORKDIR /app
COPY --from=build /out /app
# The official image's unprivileged user; nothing in /app is writable by it.
USER node
EXPOSE 3000
# Readiness: the database answers (GET /readyz answers 503 while it does not).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains requests and jobs within SHUTDOWN_GRACE_SECONDS (default 25 s): keep the orchestrator's stop timeout
# above it (docker stop -t 30, Kubernetes terminationGracePeriodSeconds: 30).
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/main.js"]
