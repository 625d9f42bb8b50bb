# syntax=docker/dockerfile:1
# The Node.js here is the version of the "node" dev dependency in package.json, which the tests run on:
# change both together.

# ---- build: compile TypeScript to dist/ ----
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY db ./db
RUN npm run build

# ---- runtime: production dependencies + compiled JS ----
FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY scripts/build-if-stale.mjs ./scripts/
COPY --from=build /app/dist ./dist
# Embedded PostgreSQL data (used when DATABASE_URL is not set) lives here.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
ENV PORT=3000 DATA_DIR=/app/data
EXPOSE 3000
VOLUME /app/data
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# The same as `npm start` (whose prestart has nothing to build here), without npm in between for signals.
CMD ["node", "dist/src/main.js"]
