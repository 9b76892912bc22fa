# aidtrace server image. It never starts its own Neo4j: NEO4J_URI must be set
# (docker-compose.yml wires it to the neo4j service).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/aidtrace ./cmd/aidtrace

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/aidtrace /usr/local/bin/aidtrace
COPY seeds /seeds
ENV AIDTRACE_ADDR=:8080
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/usr/local/bin/aidtrace"]
CMD ["serve", "--load", "/seeds"]
