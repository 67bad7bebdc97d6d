# The Graph Service image (used by docker-compose.yml; nothing in the tests needs Docker).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nest build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The README's commands inside the container: npm run -s token, npm run migration:run.
COPY --from=build /app/scripts ./scripts
COPY package.json ./
EXPOSE 3000
USER node
# One V8 helper thread: see "Configuration" in the README.
CMD ["node", "--v8-pool-size=1", "dist/apps/graph-service/src/main.js"]
