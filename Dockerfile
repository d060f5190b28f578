# The loadgate image: one static binary (no cgo) on distroless's static base,
# run as its non-root user. docker build -t loadgate:dev --build-arg VERSION=v1.4.0 .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/loadgate ./cmd/loadgate

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/loadgate /usr/local/bin/loadgate
# distroless's nonroot, the user the Kubernetes manifests ask for.
USER 65532:65532
ENTRYPOINT ["loadgate"]
