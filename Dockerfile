# syntax=docker/dockerfile:1

# ---- build: compile TypeScript to dist/ ----------------------------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
RUN npm run build

# ---- production dependencies only ----------------------------------------------------------------
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime -------------------------------------------------------------------------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
# The image ships no .env: settings come from the environment (docker-compose.yml passes them).
USER node
EXPOSE 3000
# Started as node itself (not through npm) so SIGTERM reaches the service; run with an init process
# (compose: `init: true`) so signals are forwarded and zombies reaped.
CMD ["node", "dist/src/main.js"]
