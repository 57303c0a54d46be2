# syntax=docker/dockerfile:1
# o365-intake container image: build stage compiles (tsc) and builds the native modules; the runtime stage has only
# the compiled JavaScript and production dependencies, runs as a non-root user and keeps everything it writes in /data.

FROM node:20-bookworm-slim AS build
WORKDIR /build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
# npm ci also runs `prepare`, which compiles src/ to dist/. The ASN data's dotted-address copies (32 MB) are never read.
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm node_modules/@ip-location-db/asn/asn-ipv4.csv node_modules/@ip-location-db/asn/asn-ipv6.csv

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    O365_DATA_DIR=/data \
    O365_WEB_HOST=0.0.0.0 \
    O365_WEB_PORT=8765
RUN groupadd --system --gid 10001 o365 \
 && useradd --system --uid 10001 --gid o365 --home-dir /data --no-create-home --shell /usr/sbin/nologin o365 \
 && install -d -o o365 -g o365 -m 0700 /data
WORKDIR /app
COPY --from=build /build/package.json ./
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
COPY --from=build /build/bin ./bin
COPY LICENSE README.md ./
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8765
# /healthz needs no token; it answers 503 only when collection itself is down.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.O365_WEB_PORT||8765)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Configure with the O365_* / SEKOIA_* environment variables (secrets as *_FILE or Docker secrets),
# or mount a config file and pass `run -c /etc/o365-intake/config.yaml`.
ENTRYPOINT ["node", "/app/bin/o365-intake.mjs"]
CMD ["run"]
