# syntax=docker/dockerfile:1
#
# Mailplane image: one image for every process.
#   gateway (default):  docker run mailplane
#   domain-service:     docker run mailplane node dist/apps/domain-service/src/main.js
#   mailbox-service:    docker run mailplane node dist/apps/mailbox-service/src/main.js
#   migrations + seed:  docker run mailplane sh -c 'node dist/libs/database/src/cli/migrate.js && node dist/libs/database/seeds/first-admin.seed.js'
#
# Debian (glibc) rather than Alpine (musl): argon2 ships glibc prebuilds, and the slim image has no
# compiler toolchain to build it from source.
#
# Only configuration keys from libs/common/src/config/config.schema.ts may be set with ENV here
# (test/deploy/deploy-files.spec.ts enforces it); build-time knobs use ARG or inline variables.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- deps: full dependency tree (incl. devDependencies, needed to compile) ---------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

# ---- build: compile TypeScript, then drop devDependencies --------------------------------------
FROM deps AS build
# Explicit copies (not `COPY . .`): only what tsc needs, so local dist/, .env, tests etc. never
# leak into the image even if .dockerignore is incomplete.
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npx tsc -p tsconfig.build.json \
 && rm -f dist/.tsbuildinfo \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime ------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 forwards SIGTERM to node and reaps zombies; without it a node PID 1 that has no
# SIGTERM handler would ignore `docker stop` / pod termination until SIGKILL.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production
WORKDIR /app

# Files stay owned by root and are only readable by the `node` user: the app cannot modify its own
# code, and the container works with a read-only root filesystem.
# package.json is needed at runtime: "type": "module" and the "#common"/"#database" subpath imports.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# Unprivileged user from the base image (uid/gid 1000; k8s manifests set runAsUser: 1000 because
# runAsNonRoot cannot verify a non-numeric user name).
USER node

EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/gateway/src/main.js"]
