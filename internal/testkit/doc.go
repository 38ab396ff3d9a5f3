// Package testkit is what the commands' end-to-end tests share. Each
// command's tests build the real binaries once and run them as processes,
// chained into a probe: the test binary itself, re-executed with PROBE_OUT
// set, which writes down what it inherited (descriptors, sockets,
// environment as the kernel gave it) and exits; or, as a server's child
// with PROBE_DIR set, also its connection on 0 and 1 (options, ends,
// blocking or not) and its parent's children, in a report named for its
// client's port, then answers the client as PROBE_MODE says. Launchers
// (PROBE_LAUNCH) set up what package os cannot hand to a child before they
// exec the command: a non-blocking standard input, signal dispositions and
// masks, descriptor limits. Linux only, like the tests.
package testkit
