# One image for both processes; docker-compose.yml picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
# tsx runs the TypeScript sources directly; dev dependencies are needed for `prisma generate`.
RUN npm ci --include=dev
COPY . .
USER node
EXPOSE 3000
CMD ["npm", "run", "start:api"]
