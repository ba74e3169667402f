# magerepo container image: a static binary plus git (to fetch sources) and CA
# certificates (to fetch them over https). See docs/hosting.md for the two
# typical invocations.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/magerepo ./cmd/magerepo

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/cache/magerepo --shell /usr/sbin/nologin magerepo \
 && mkdir -p /srv/magerepo /var/cache/magerepo \
 && chown magerepo:magerepo /srv/magerepo /var/cache/magerepo
COPY --from=build /out/magerepo /usr/local/bin/magerepo
USER magerepo
ENV HOME=/var/cache/magerepo
# /srv/magerepo: the repository directory (output); /var/cache/magerepo: git cache.
VOLUME ["/srv/magerepo", "/var/cache/magerepo"]
EXPOSE 8080
ENTRYPOINT ["magerepo"]
CMD ["serve", "--listen", "0.0.0.0:8080", "/srv/magerepo"]
