/* subreaper PROG ARGV0 ARG...: makes itself a child subreaper
   (PR_SET_CHILD_SUBREAPER, which exec keeps) and execs PROG, as ARGV0, its
   environment, descriptors and signal state as it found them. The
   tests of tcp-socket-accept start a server through it to have it serve
   as it does where pidfds cannot watch every child it may have. */
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc < 3) {
		fputs("usage: subreaper PROG ARGV0 ARG...\n", stderr);
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		perror("subreaper: prctl");
		return 111;
	}
	execv(argv[1], argv + 2);
	perror("subreaper: exec");
	return 111;
}
