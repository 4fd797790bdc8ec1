# Rapport's build. `make test` is what CI runs: vet, then every test on
# SQLite, then every test again on a throwaway PostgreSQL cluster.
GO ?= go
STATICCHECK_VERSION ?= v0.8.2

.PHONY: all build test vet axe test-sqlite test-postgres lint fuzz bench screenshots clean

all: build

build:
	$(GO) build -o rapport ./cmd/rapport

AXE_VERSION ?= 4.10.3

test: vet axe test-sqlite test-postgres

# axe-core for the accessibility test, from the npm registry (not committed).
axe:
	@if [ ! -f .cache/axe/node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null; then \
	  npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@$(AXE_VERSION); fi

vet:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...

test-sqlite:
	RAPPORT_TEST_DB=sqlite $(GO) test -count=1 ./...

test-postgres:
	./scripts/with-postgres env RAPPORT_TEST_DB=postgres $(GO) test -count=1 ./...

lint: vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# Each fuzz target for a while (FUZZTIME=1m make fuzz).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run XXX -fuzz FuzzListFilter -fuzztime $(FUZZTIME) ./internal/records/
	$(GO) test -run XXX -fuzz FuzzStringList -fuzztime $(FUZZTIME) ./internal/records/
	$(GO) test -run XXX -fuzz FuzzCustomObject -fuzztime $(FUZZTIME) ./internal/records/
	$(GO) test -run XXX -fuzz FuzzAPI -fuzztime $(FUZZTIME) ./internal/apitest/
	$(GO) test -run XXX -fuzz FuzzCSVReader -fuzztime $(FUZZTIME) ./internal/exchange/
	$(GO) test -run XXX -fuzz FuzzVCardReader -fuzztime $(FUZZTIME) ./internal/exchange/
	$(GO) test -run XXX -fuzz FuzzJSONLine -fuzztime $(FUZZTIME) ./internal/exchange/
	$(GO) test -run XXX -fuzz FuzzMessage -fuzztime $(FUZZTIME) ./internal/i18n/
	$(GO) test -run XXX -fuzz FuzzLineItems -fuzztime $(FUZZTIME) ./internal/schema/
	$(GO) test -run XXX -fuzz FuzzParse -fuzztime $(FUZZTIME) ./internal/email/
	$(GO) test -run XXX -fuzz FuzzAggregate -fuzztime $(FUZZTIME) ./internal/records/
	$(GO) test -run XXX -fuzz FuzzParseMeasure -fuzztime $(FUZZTIME) ./internal/reports/
	$(GO) test -run XXX -fuzz FuzzPeriod -fuzztime $(FUZZTIME) ./internal/reports/

# The benchmark of BENCHMARKS.md: 1,000,000 contacts on each engine.
CONTACTS ?= 1000000
MAIL ?= 20000
bench: build
	./rapport bench --contacts $(CONTACTS) --import $(CONTACTS) --deals $(CONTACTS) --tickets $(CONTACTS) --mail $(MAIL)
	./scripts/with-postgres sh -c './rapport bench --contacts $(CONTACTS) --import $(CONTACTS) --deals $(CONTACTS) --tickets $(CONTACTS) --mail $(MAIL) --db "$$RAPPORT_TEST_PG_URL"'

# PNG screenshots of the main pages, taken by the browser tests (not committed).
screenshots:
	RAPPORT_SCREENSHOTS=$(CURDIR)/screenshots $(GO) test -count=1 -run TestBrowser ./internal/apitest/
	@echo "screenshots in ./screenshots"

clean:
	rm -f rapport
	rm -rf screenshots
