# Kiseki as a static binary on a minimal base, for cluster jobs
# (docs/scale-out.md). Build:  docker build -t kiseki .
# The binary is pure Go (CGO_ENABLED=0) and carries its own zone data
# (main.go imports time/tzdata), so the image needs no libc and no zoneinfo.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/kiseki . \
 && /out/kiseki --help >/dev/null

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kiseki /usr/local/bin/kiseki
# Evidence is read-only: mount bundles read-only and cases/Parquet read-write.
ENTRYPOINT ["/usr/local/bin/kiseki"]
CMD ["--help"]
