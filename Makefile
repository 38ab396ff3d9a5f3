# make          builds each command of COMMANDS into the top directory,
#               ./tcp-socket-listen and ./tcp-socket-accept (static,
#               stripped, reproducible)
# make test     quick and complete for this machine: gofmt, go vet, every
#               test but the emulated ports (go test -short)
# make check    everything: make test's checks, the tests of the emulated
#               ports, vet and build for every system, man page lint,
#               install and reproducible-build checks (what CI runs)
# make cross    go vet and build for every system and port
# make bench    listen's start-up, size and memory against a minimal
#               program; accept's speed against ucspi-tcp's tcpserver
# make install  the commands and man/*.1; DESTDIR, PREFIX, BINDIR and
#               MANDIR are honoured

GO      ?= go
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

export CGO_ENABLED := 0
BUILDFLAGS := -trimpath -buildvcs=false -ldflags='-s -w -buildid='

# The README's command for a static go install from a checkout, which
# install-check runs as it is, without the CGO_ENABLED exported above.
GO_INSTALL := CGO_ENABLED=0 go install -trimpath ./cmd/...

# The commands, each built from cmd/NAME, with its manual in man/NAME.1.
COMMANDS := tcp-socket-listen tcp-socket-accept
MANPAGES := $(wildcard man/*.1)

LINUX_ARCHES := amd64 386 arm arm64 mips mipsle mips64 mips64le ppc64 ppc64le riscv64 s390x loong64
PLATFORMS := $(addprefix linux/,$(LINUX_ARCHES)) \
	freebsd/amd64 freebsd/arm64 freebsd/386 \
	openbsd/amd64 openbsd/arm64 \
	netbsd/amd64 netbsd/arm64 \
	dragonfly/amd64 \
	darwin/amd64 darwin/arm64

SOURCES := $(shell find cmd internal -name '*.go' ! -name '*_test.go') go.mod

all: $(COMMANDS)

$(COMMANDS): %: $(SOURCES)
	$(GO) build $(BUILDFLAGS) -o $@ ./cmd/$@

# -short skips only TestEmulatedPorts, whose builds for 12 ports take
# minutes with a cold build cache.
test: fmt-check vet
	$(GO) test -short -count=1 ./...

check: fmt-check vet cross man-check install-check repro-check
	$(GO) test -count=1 ./...

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt -l reports:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./... ./testdata/bench ./testdata/minimal ./testdata/bench-accept

cross:
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; \
		echo "vet and build $$os/$$arch"; \
		GOOS=$$os GOARCH=$$arch $(GO) vet ./... ; \
		for c in $(COMMANDS); do \
			GOOS=$$os GOARCH=$$arch $(GO) build $(BUILDFLAGS) -o cross/$$os-$$arch/$$c ./cmd/$$c ; \
		done; \
	done

# Each man page renders without a warning from groff or, where installed,
# mandoc's lint.
man-check:
	@set -e; for m in $(MANPAGES); do \
		echo "man-check $$m"; \
		groff -ww -z -man $$m 2>&1 | { ! grep .; }; \
		if command -v mandoc >/dev/null; then mandoc -Tlint -Wstyle $$m; fi; \
	done

# install and uninstall into a staging directory, as a package build would.
install-check: $(COMMANDS)
	@set -e; d=$$(mktemp -d); trap 'rm -rf $$d' EXIT; \
	$(MAKE) -s install DESTDIR=$$d PREFIX=/usr MANDIR=/usr/share/man; \
	for c in $(COMMANDS); do \
		test -x $$d/usr/bin/$$c; \
		test -f $$d/usr/share/man/man1/$$c.1; \
	done; \
	$(MAKE) -s uninstall DESTDIR=$$d PREFIX=/usr MANDIR=/usr/share/man; \
	test -z "$$(find $$d -type f)"; \
	$(MAKE) -s install DESTDIR=$$d BINDIR=/opt/bin; \
	for c in $(COMMANDS); do \
		test -x $$d/opt/bin/$$c; \
		test -f $$d/usr/local/share/man/man1/$$c.1; \
	done; \
	grep -qxF '    $(GO_INSTALL)' README.md || { echo "README does not give: $(GO_INSTALL)"; exit 1; }; \
	env -u CGO_ENABLED GOBIN=$$d/gobin sh -c '$(GO_INSTALL)'; \
	for c in $(COMMANDS); do \
		bin=$$d/gobin/$$c; test -x $$bin; \
		$(GO) version -m $$bin | grep -q 'CGO_ENABLED=0$$' || { echo "go install: $$c not built with CGO_ENABLED=0"; exit 1; }; \
		if command -v readelf >/dev/null; then \
			if readelf -lW $$bin | grep -q INTERP; then echo "go install: $$c is a dynamic binary"; exit 1; fi; \
		elif command -v ldd >/dev/null; then \
			LC_ALL=C ldd $$bin 2>&1 | grep -q 'not a dynamic executable' || { echo "go install: $$c is a dynamic binary"; exit 1; }; \
		fi; \
	done; \
	echo "install-check: DESTDIR, PREFIX, BINDIR and MANDIR honoured; the README's go install gives static binaries"

# Two builds of this tree, from different directories and with separate
# build caches, must be byte for byte the same.
repro-check: $(COMMANDS)
	@set -e; d=$$(mktemp -d); trap 'rm -rf $$d' EXIT; \
	mkdir $$d/src; tar cf - $(SOURCES) | (cd $$d/src && tar xf -); \
	for c in $(COMMANDS); do \
		(cd $$d/src && GOCACHE=$$d/cache $(GO) build $(BUILDFLAGS) -o $$d/$$c ./cmd/$$c); \
		cmp $$c $$d/$$c; \
		echo "repro-check: identical builds of $$c ($$(sha256sum < $$c | cut -c1-16))"; \
	done

bench: $(COMMANDS)
	$(GO) run ./testdata/bench
	$(GO) run ./testdata/bench-accept

install: $(COMMANDS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(COMMANDS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(COMMANDS)) $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES)))

clean:
	rm -rf $(COMMANDS) cross

.PHONY: all test check fmt-check vet cross man-check install-check repro-check bench install uninstall clean
