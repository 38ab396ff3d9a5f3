# make          builds the two commands where go build in each one's
#               directory puts it: ./tcp-socket-listen, from the top
#               directory, and tcp-socket-accept/tcp-socket-accept (static,
#               stripped, reproducible)
# make copies   writes tcp-socket-accept's generated copies of the top
#               directory's shared files (SHARED); make only checks them,
#               and stops on one that differs
# make test     quick and complete for this machine: gofmt, go vet, every
#               test but the emulated ports (go test -short)
# make check    everything: make test's checks, the tests of the emulated
#               ports, tcp-socket-accept's tests again with every server
#               a child subreaper (ACCEPT_TEST_FALLBACK=1: it serves as
#               where pidfds are missing), vet and build for every system, man page lint,
#               install, reproducible-build and vendoring (alone-check)
#               checks, then make toolchains for the other toolchains
#               (what CI runs)
# make toolchains
#               builds with every toolchain found here (TOOLCHAINS) into
#               toolchains/NAME/ and runs make test against each build
# make cross    go vet and build for every system and port
# make bench    listen's start-up, size and memory against a minimal
#               program; accept's speed against ucspi-tcp's tcpserver
# make install  the commands and man/*.1; DESTDIR, PREFIX, BINDIR and
#               MANDIR are honoured

GO      ?= go
GCCGOFLAGS ?= -static -s
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

export CGO_ENABLED := 0
# The tests build with the same go command (internal/testkit).
export GO

# GO may be gc's go command or GCC's (go-12, gccgo's), which takes its
# linker's flags in -gccgoflags: static and stripped by default, as gc's
# builds are; GCCGOFLAGS=-s links to the shared libgo instead.
COMPILER := $(shell $(GO) list -f '{{context.Compiler}}' runtime 2>/dev/null)
ifeq ($(COMPILER),gccgo)
BUILDFLAGS := -trimpath -buildvcs=false -gccgoflags='$(GCCGOFLAGS)'
else
BUILDFLAGS := -trimpath -buildvcs=false -ldflags='-s -w -buildid='
endif

# The README's command for a static go install from a checkout, which
# install-check runs as it is, without the CGO_ENABLED exported above.
GO_INSTALL := CGO_ENABLED=0 go install -trimpath . ./tcp-socket-accept

# The commands: tcp-socket-listen built from the top directory, its
# companion from tcp-socket-accept/, into that directory, since a file
# cannot share the directory's name; each has its manual in man/NAME.1.
# PACKAGES pairs each binary with its package.
COMMANDS := tcp-socket-listen tcp-socket-accept
BINARIES := tcp-socket-listen tcp-socket-accept/tcp-socket-accept
PACKAGES := tcp-socket-listen:. tcp-socket-accept/tcp-socket-accept:./tcp-socket-accept
MANPAGES := $(wildcard man/*.1)

# The top directory's files that tcp-socket-accept carries as generated
# copies, so that each directory builds alone; copies_test.go in
# tcp-socket-accept/ fails when a copy differs from its source.
SHARED := cmdline.go help.go cparse.go environ.go environ_linux.go environ_bsd.go \
	execvp.go fatal.go fds.go fds_linux.go fds_bsd.go sockopt.go
COPIES := $(addprefix tcp-socket-accept/,$(SHARED))

LINUX_ARCHES := amd64 386 arm arm64 mips mipsle mips64 mips64le ppc64 ppc64le riscv64 s390x loong64
PLATFORMS := $(addprefix linux/,$(LINUX_ARCHES)) \
	freebsd/amd64 freebsd/arm64 freebsd/386 \
	openbsd/amd64 openbsd/arm64 \
	netbsd/amd64 netbsd/arm64 \
	dragonfly/amd64 \
	darwin/amd64 darwin/arm64

LISTEN_SOURCES := $(filter-out %_test.go,$(wildcard *.go)) go.mod
ACCEPT_SOURCES := $(filter-out %_test.go $(COPIES),$(wildcard tcp-socket-accept/*.go)) $(COPIES) go.mod
SOURCES := $(sort $(LISTEN_SOURCES) $(ACCEPT_SOURCES))

all: $(BINARIES)

tcp-socket-listen: $(LISTEN_SOURCES)
	$(GO) build $(BUILDFLAGS) -o $@ .

tcp-socket-accept/tcp-socket-accept: $(ACCEPT_SOURCES) | copies-check
	$(GO) build $(BUILDFLAGS) -o $@ ./tcp-socket-accept

# Each copy is its source under a header that says where it came from.
# Only make copies writes them, and never over a file of tcp-socket-accept's
# own (one without the header). Every make that builds tcp-socket-accept
# (all, cross, toolchain-build and what uses them) first checks that
# each copy is its source's, whichever is newer, and
# stops if not, rather than mend a copy silently: a copy edited by hand
# is a mistake to report (copies_test.go reports it too).
# The copy of the shared file $$f, on standard output.
COPY_OF_F = { echo "// Code generated from ../$$f by make copies; DO NOT EDIT."; echo; cat $$f; }

copies:
	@set -e; for f in $(SHARED); do \
		out=tcp-socket-accept/$$f; \
		[ -f $$f ] || { echo "SHARED names $$f, which is not a file here"; exit 1; }; \
		if [ -e $$out ] && [ "$$(head -n 1 $$out)" != "$$($(COPY_OF_F) | head -n 1)" ]; then \
			echo "$$out is tcp-socket-accept's own file, not a copy of $$f: not overwritten"; exit 1; \
		fi; \
		$(COPY_OF_F) > $$out.tmp; \
		if cmp -s $$out.tmp $$out; then rm $$out.tmp; else mv $$out.tmp $$out; echo "wrote $$out"; fi; \
	done

copies-check:
	@for f in $(SHARED); do \
		$(COPY_OF_F) | cmp -s - tcp-socket-accept/$$f || { echo "tcp-socket-accept/$$f is not a copy of $$f: run make copies, and edit $$f, never the copy"; exit 1; }; \
	done

# -short skips only TestEmulatedPorts, whose builds for 12 ports take
# minutes with a cold build cache. With gccgo, the commands are built as
# make builds them and a gc go in PATH runs the tests against them: their
# probe reports IPv6 scope ids, which gccgo 12's syscall.Getsockname
# leaves out, and gccgo takes minutes more to build them.
GCCGO_NOTE := 'getaddrinfo\|cgoLookupServicePort\|^\# '

test: fmt-check vet
ifeq ($(COMPILER),gccgo)
	@$(MAKE) -s --no-print-directory toolchain-build OUT=toolchains/gccgo-test 2>&1 | grep -v $(GCCGO_NOTE) || true
	@test -x toolchains/gccgo-test/tcp-socket-listen && test -x toolchains/gccgo-test/tcp-socket-accept
	@if command -v go >/dev/null && [ "$$(go list -f '{{context.Compiler}}' runtime)" = gc ]; then \
		echo "make test: the tests need gc Go (gccgo's syscall.Getsockname drops the IPv6 scope ids their probe reports); $$(go env GOVERSION) runs them against gccgo's build"; \
		GO=go TEST_BIN_DIR=$(CURDIR)/toolchains/gccgo-test go test -short -count=1 ./...; \
	else \
		echo "make test: the tests need gc Go (gccgo's syscall.Getsockname drops the IPv6 scope ids their probe reports), and PATH has none: gccgo built and vetted both commands, and nothing more"; \
	fi
else
	$(GO) test -short -count=1 ./...
endif

check: fmt-check vet cross man-check install-check repro-check alone-check
	$(GO) test -count=1 ./...
	ACCEPT_TEST_FALLBACK=1 $(GO) test -count=1 ./tcp-socket-accept
	$(MAKE) --no-print-directory toolchains TESTED="$(GO)"

# The toolchains found here: GO, Debian's gc releases (golang-1.NN-go, in
# /usr/lib/go-1.NN/bin/go) and GCC's go commands (gccgo-NN, as go-NN).
# Each builds both commands as make does, into toolchains/NAME/, and
# make test runs against those binaries (TEST_BIN_DIR): with the test
# code built by that toolchain where it is gc, by GO where it is gccgo,
# whose go test cannot build every test. TESTED names toolchains whose
# build has been tested already (make check's own run).
TOOLCHAINS ?= $(GO) $(wildcard /usr/lib/go-1.*/bin/go) $(wildcard /usr/bin/go-[0-9]*)
TESTED ?=

toolchains: toolchain-builds
	@set -e; while read name g; do \
		echo "== $$name: $$g"; \
		ls -l toolchains/$$name | awk 'NR > 1 { print "   ", $$5, "bytes", $$9 }'; \
		case $$name in gccgo-*) tester=$(GO);; *) tester=$$g;; esac; \
		TEST_BIN_DIR=$(CURDIR)/toolchains/$$name $(MAKE) --no-print-directory test GO=$$tester; \
	done < toolchains/built

# Both commands built with each of TOOLCHAINS, once for each go command
# (by its resolved path) and none of TESTED, into toolchains/NAME/ (NAME
# the release, or gccgo-NN), listed in toolchains/built a line "NAME GO"
# each; gccgo's note that a static getaddrinfo needs glibc's libraries at
# run time is left out, since no build calls it.
toolchain-builds:
	@set -e; mkdir -p toolchains; : > toolchains/built; seen=; \
	for g in $(TESTED); do seen="$$seen $$(readlink -f "$$(command -v $$g)")"; done; \
	for g in $(TOOLCHAINS); do \
		real=$$(readlink -f "$$(command -v $$g)") || { echo "toolchains: no $$g"; exit 1; }; \
		case " $$seen " in *" $$real "*) continue;; esac; seen="$$seen $$real"; \
		if [ "$$($$g list -f '{{context.Compiler}}' runtime)" = gccgo ]; then name=gccgo-$${g##*-}; \
		else name=$$($$g env GOVERSION | tr -c 'A-Za-z0-9._\n-' _); fi; \
		$(MAKE) -s --no-print-directory GO=$$g toolchain-build OUT=toolchains/$$name 2>&1 | grep -v $(GCCGO_NOTE) || true; \
		test -x toolchains/$$name/tcp-socket-listen && test -x toolchains/$$name/tcp-socket-accept || \
			{ echo "toolchains: $$g did not build both commands"; exit 1; }; \
		echo "$$name $$g" >> toolchains/built; \
	done

# Both commands, built as make builds them, into OUT.
toolchain-build: copies-check
	@test -n "$(OUT)" || { echo "toolchain-build: OUT is the directory to build into"; exit 1; }
	rm -rf $(OUT)
	$(GO) build $(BUILDFLAGS) -o $(OUT)/tcp-socket-listen .
	$(GO) build $(BUILDFLAGS) -o $(OUT)/tcp-socket-accept ./tcp-socket-accept

# gofmt from GO's own directory where it has one (a Debian golang-1.NN-go
# outside PATH; gccgo-NN's gofmt-NN beside go-NN), else from PATH.
GOFMT = $(shell c=$$(command -v $(GO)); for f in "$$(dirname "$$(readlink -f "$$c")")/gofmt" "$$(dirname "$$c")/gofmt$$(basename "$$c" | sed 's/^go//')"; do \
	[ -x "$$f" ] && [ ! -d "$$f" ] && { echo "$$f"; exit; }; done; echo gofmt)

fmt-check:
	@command -v $(GOFMT) >/dev/null || { echo "fmt-check: no gofmt"; exit 1; }
	@out=$$($(GOFMT) -l .); if [ -n "$$out" ]; then echo "$(GOFMT) -l reports:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./... ./testdata/bench ./testdata/minimal ./testdata/bench-accept

cross: copies-check
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; \
		echo "vet and build $$os/$$arch"; \
		GOOS=$$os GOARCH=$$arch $(GO) vet ./... ; \
		for cp in $(PACKAGES); do c=$${cp%%:*}; \
			GOOS=$$os GOARCH=$$arch $(GO) build $(BUILDFLAGS) -o cross/$$os-$$arch/$${c##*/} $${cp#*:} ; \
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
install-check: $(BINARIES)
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

# Each command's non-test files build alone, as a vendored copy would:
# the top directory's with go.mod, tcp-socket-accept/'s with a go.mod of
# their own whose go line is go.mod's, the oldest release supported; with
# GO, with the oldest gc release found among TOOLCHAINS, and with gccgo
# (Go 1.18's library) where there is one.
GO_LINE := $(shell sed -n 's/^go //p' go.mod)
OLDEST = $(shell for g in $(TOOLCHAINS); do echo "$$($$g env GOVERSION 2>/dev/null) $$g"; done | \
	sed -n 's/^go1\.//p' | sort -n | head -n 1 | cut -d' ' -f2)
GCCGOS = $(shell for g in $(TOOLCHAINS); do [ "$$($$g list -f '{{context.Compiler}}' runtime 2>/dev/null)" = gccgo ] && echo $$g; done)

alone-check:
	@set -e; d=$$(mktemp -d); trap 'rm -rf $$d' EXIT; \
	mkdir $$d/listen $$d/accept; \
	cp $(LISTEN_SOURCES) $$d/listen/; \
	cp $(ACCEPT_SOURCES:go.mod=) $$d/accept/; printf 'module example.org/vendored/tcp-socket-accept\n\ngo $(GO_LINE)\n' > $$d/accept/go.mod; \
	for g in $(GO) $(OLDEST) $(GCCGOS); do \
		(cd $$d/listen && $$g build -o out . && \
			test "$$($$g list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' .)" = tcp-socket-listen); \
		(cd $$d/accept && $$g build -o out . && \
			test "$$($$g list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' .)" = example.org/vendored/tcp-socket-accept); \
		echo "alone-check: the top directory's $(words $(LISTEN_SOURCES)) files and tcp-socket-accept/'s $(words $(ACCEPT_SOURCES)) build alone, on the standard library only, with $$g (go $(GO_LINE) in go.mod)"; \
	done

# Two builds of this tree, from different directories and with separate
# build caches, must be byte for byte the same.
repro-check: $(BINARIES)
	@set -e; d=$$(mktemp -d); trap 'rm -rf $$d' EXIT; \
	mkdir $$d/src; tar cf - $(SOURCES) | (cd $$d/src && tar xf -); \
	for cp in $(PACKAGES); do c=$${cp%%:*}; \
		(cd $$d/src && GOCACHE=$$d/cache $(GO) build $(BUILDFLAGS) -o $$d/$${c##*/} $${cp#*:}); \
		cmp $$c $$d/$${c##*/}; \
		echo "repro-check: identical builds of $$c ($$(sha256sum < $$c | cut -c1-16))"; \
	done

# With other toolchains installed (TOOLCHAINS), their builds are measured
# beside make's: start-up and size, and tcp-socket-accept's rate.
bench: $(BINARIES)
	@$(MAKE) --no-print-directory toolchain-builds TESTED="$(GO)"
	$(GO) run ./testdata/bench -builds=$$(sed 's|^\([^ ]*\) .*|toolchains/\1|' toolchains/built | paste -sd, -)
	$(GO) run ./testdata/bench-accept -builds=$$(sed 's|^\([^ ]*\) .*|toolchains/\1|' toolchains/built | paste -sd, -)

install: $(BINARIES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BINARIES) $(DESTDIR)$(BINDIR)/
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(COMMANDS)) $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES)))

clean:
	rm -rf $(BINARIES) cross toolchains

.PHONY: all copies copies-check test check toolchains toolchain-builds toolchain-build fmt-check vet cross man-check install-check repro-check alone-check bench install uninstall clean
