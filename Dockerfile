# syntax=docker/dockerfile:1
# SPDX-License-Identifier: Apache-2.0
#
# A minimal image of art35: the static binary on distroless/static (CA
# certificates, time zones, a non-root user; no shell, no package manager).
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t art35 .
#   docker run --rm -v art35-data:/data art35 node init --party IT --public-url https://art35.example.org/v1/inbox
#   docker run -d --name art35 -v art35-data:/data -p 8435:8435 -p 8436:8436 -p 127.0.0.1:8437:8437 art35
#
# See docs/operations.md, section "Container".

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# The same command as "make build": CGO_ENABLED=0, -trimpath, -s -w, the version stamped.
RUN make build VERSION="${VERSION}" && ./art35 version
# The data folder, owned by the image's non-root user (distroless "nonroot", 65532).
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/art35 /art35
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
# The three listeners (docs/operations.md, "Listeners"): peers, portal, and
# the plain-HTTP admin one (/metrics, /healthz, /readyz) for the probes;
# publish the admin port on the host's loopback only.
ENV ART35_DATA=/data \
    ART35_LISTEN=0.0.0.0:8435 \
    ART35_PORTAL_LISTEN=0.0.0.0:8436 \
    ART35_ADMIN_LISTEN=0.0.0.0:8437
VOLUME ["/data"]
EXPOSE 8435 8436 8437
ENTRYPOINT ["/art35"]
CMD ["node", "run"]
