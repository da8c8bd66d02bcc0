# One image for every Cameramonit app; the compose file picks the app with APP.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs ./libs
COPY apps ./apps
COPY plugins ./plugins
COPY tsconfig.base.json tsconfig.build.json ./
RUN npm install --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
COPY fixtures ./fixtures
ENV NODE_ENV=production BIND_HOST=0.0.0.0 DATA_DIR=/data
VOLUME /data
ENTRYPOINT ["/usr/bin/tini", "--", "sh", "-c", "exec node --enable-source-maps apps/$APP/dist/main.js"]
