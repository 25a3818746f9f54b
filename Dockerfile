# civgraph: multi-stage build, non-root runtime. Point it at PostgreSQL with
# DATABASE_URL (the embedded PostgreSQL is for development and tests).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY bench ./bench
COPY web ./web
RUN npx tsc -p tsconfig.json && npx vite build --config web/vite.config.ts --logLevel warn && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=4000
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node schema ./schema
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# --max-semi-space-size: see bench/server-flags.ts (same flags as npm start and the benchmark).
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js", "start"]
