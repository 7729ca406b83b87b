# Hearth's two everyday commands are `make demo` and `make test`; see README.md.
.PHONY: demo test setup build schema

# Start Hearth on an embedded SQLite database in ./pb_data with a demo study;
# sign-in codes are printed to the log.
demo: setup build
	./hearth demo --http 127.0.0.1:8090

# Run every test: go vet, then all Go tests (browser tests included when
# Chromium is installed; set HEARTH_REQUIRE_BROWSER=1 to fail without it).
test: setup
	go vet ./...
	go test -count=1 ./...

# Install the pinned PocketBase JS SDK and copy it where the web client
# imports it from.
setup: pb_public/lib/pocketbase.es.mjs

pb_public/lib/pocketbase.es.mjs: package.json package-lock.json
	npm ci --no-audit --no-fund
	mkdir -p pb_public/lib
	cp node_modules/pocketbase/dist/pocketbase.es.mjs pb_public/lib/pocketbase.es.mjs

build:
	go build -o hearth .

# Regenerate collections.json from the migrations.
schema:
	go run . schema --dev=false
