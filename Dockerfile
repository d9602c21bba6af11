# One image for the API, the worker and the migrate job; docker-compose.yml picks the command.

# Build stage: all dependencies, the generated Prisma client, `npm run build` (tsc to dist/
# and the workflow bundle made once, dist/workflow-bundle.js).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no package's install script is needed to build (esbuild and @swc/core
# ship their binaries as optional packages), and some would download engines or call
# node-gyp. The one that is needed, `prisma generate`, runs below, after the schema is in.
RUN npm install --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run prisma:generate && npm run build

# Runtime stage: production dependencies and compiled code only (no sources, no tests, no tsx).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# glibc's malloc keeps up to 8 arenas per core, one per thread that allocates at once; Temporal
# core's and Node's threads each grow one. Two cut the worker's resident memory by about a fifth
# at the same CPU (docs/PERFORMANCE.md). The bench runs the service with these ENV lines.
ENV MALLOC_ARENA_MAX=2
COPY package.json package-lock.json ./
# --ignore-scripts: postinstall is `prisma generate`, which needs the prisma CLI (a dev
# dependency); the generated client is already compiled into dist/.
# --omit=optional as well: the prisma CLI and typescript are optional peers of @prisma/client,
# which --omit=dev alone keeps (~260 MB). The only other optional packages are @swc/core's
# native binaries (the workflow bundler's compiler; bundling is done at build time) and
# pg-cloudflare: none runs here.
RUN npm install --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# prisma/ (schema and migrations) for the migrate job; config/ for the catalog, read from the cwd.
COPY prisma ./prisma
COPY config ./config
USER node
EXPOSE 3000
# node itself, not `npm run`: it gets docker's SIGTERM and shuts down gracefully.
# The API's young generation capped at 4 MiB a semi-space (V8 grows it to 16 under load): a
# webhook's garbage is short-lived, so the extra scavenges cost little CPU, and the API's RSS
# drops by a fifth (docs/PERFORMANCE.md). docker-compose.yml's api command is this one; the
# bench runs the API with this line's node flags.
CMD ["node", "--max-semi-space-size=4", "dist/src/server.js"]
