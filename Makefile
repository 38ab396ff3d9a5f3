# make          builds ./tcp-socket-listen (static, stripped, reproducible)
# make test     gofmt, go vet on every system, cross builds, go test
# make cross    go vet and build for every system and port
# make bench    start-up, size and memory against a minimal program
# make install  DESTDIR, PREFIX, BINDIR and MANDIR are honoured

GO      ?= go
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

export CGO_ENABLED := 0
BUILDFLAGS := -trimpath -buildvcs=false -ldflags='-s -w -buildid='

LINUX_ARCHES := amd64 386 arm arm64 mips mipsle mips64 mips64le ppc64 ppc64le riscv64 s390x loong64
PLATFORMS := $(addprefix linux/,$(LINUX_ARCHES)) \
	freebsd/amd64 freebsd/arm64 freebsd/386 \
	openbsd/amd64 openbsd/arm64 \
	netbsd/amd64 netbsd/arm64 \
	dragonfly/amd64 \
	darwin/amd64 darwin/arm64

SOURCES := $(filter-out %_test.go,$(wildcard *.go)) go.mod

all: tcp-socket-listen

tcp-socket-listen: $(SOURCES)
	$(GO) build $(BUILDFLAGS) -o $@ .

test: fmt-check vet cross man-check install-check repro-check
	$(GO) test -count=1 ./...

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt -l reports:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./... ./testdata/bench ./testdata/minimal

cross:
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; \
		echo "vet and build $$os/$$arch"; \
		GOOS=$$os GOARCH=$$arch $(GO) vet . ; \
		GOOS=$$os GOARCH=$$arch $(GO) build $(BUILDFLAGS) -o cross/$$os-$$arch/tcp-socket-listen . ; \
	done

# The man page renders without a warning from groff or, where installed,
# mandoc's lint.
man-check:
	groff -ww -z -man tcp-socket-listen.1 2>&1 | { ! grep .; }
	if command -v mandoc >/dev/null; then mandoc -Tlint -Wstyle tcp-socket-listen.1; fi

# install and uninstall into a staging directory, as a package build would.
install-check: tcp-socket-listen
	@set -e; d=$$(mktemp -d); trap 'rm -rf $$d' EXIT; \
	$(MAKE) -s install DESTDIR=$$d PREFIX=/usr MANDIR=/usr/share/man; \
	test -x $$d/usr/bin/tcp-socket-listen; \
	test -f $$d/usr/share/man/man1/tcp-socket-listen.1; \
	$(MAKE) -s uninstall DESTDIR=$$d PREFIX=/usr MANDIR=/usr/share/man; \
	test -z "$$(find $$d -type f)"; \
	$(MAKE) -s install DESTDIR=$$d BINDIR=/opt/bin; \
	test -x $$d/opt/bin/tcp-socket-listen; \
	test -f $$d/usr/local/share/man/man1/tcp-socket-listen.1; \
	GOBIN=$$d/gobin $(GO) install . && test -x $$d/gobin/tcp-socket-listen; \
	echo "install-check: DESTDIR, PREFIX, BINDIR and MANDIR honoured; go install works"

# Two builds of this tree, from different directories and with separate
# build caches, must be byte for byte the same.
repro-check: tcp-socket-listen
	@set -e; d=$$(mktemp -d); trap 'rm -rf $$d' EXIT; \
	mkdir $$d/src; cp $(SOURCES) $$d/src/; \
	(cd $$d/src && GOCACHE=$$d/cache $(GO) build $(BUILDFLAGS) -o $$d/again .); \
	cmp tcp-socket-listen $$d/again; \
	echo "repro-check: identical builds ($$(sha256sum < tcp-socket-listen | cut -c1-16))"

bench: tcp-socket-listen
	$(GO) run ./testdata/bench

install: tcp-socket-listen
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 tcp-socket-listen $(DESTDIR)$(BINDIR)/tcp-socket-listen
	install -m 644 tcp-socket-listen.1 $(DESTDIR)$(MANDIR)/man1/tcp-socket-listen.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tcp-socket-listen $(DESTDIR)$(MANDIR)/man1/tcp-socket-listen.1

clean:
	rm -rf tcp-socket-listen cross

.PHONY: all test fmt-check vet cross man-check install-check repro-check bench install uninstall clean

# tcp-socket-accept (issue 12), kept apart until the layout issue folds it
# into all, test, install and clean:
#   make accept        builds ./tcp-socket-accept
#   make accept-check  go vet, its tests, and its man page's lint
#   make bench-accept  it, behind tcp-socket-listen, against tcpserver
ACCEPT_SOURCES := $(filter-out %_test.go,$(wildcard cmd/tcp-socket-accept/*.go)) go.mod

accept: tcp-socket-accept

tcp-socket-accept: $(ACCEPT_SOURCES)
	$(GO) build $(BUILDFLAGS) -o $@ ./cmd/tcp-socket-accept

accept-check:
	$(GO) vet ./cmd/tcp-socket-accept ./testdata/bench-accept
	$(GO) test -count=1 ./cmd/tcp-socket-accept
	groff -ww -z -man cmd/tcp-socket-accept/tcp-socket-accept.1 2>&1 | { ! grep .; }
	if command -v mandoc >/dev/null; then mandoc -Tlint -Wstyle cmd/tcp-socket-accept/tcp-socket-accept.1; fi

bench-accept: tcp-socket-listen tcp-socket-accept
	$(GO) run ./testdata/bench-accept

.PHONY: accept accept-check bench-accept
