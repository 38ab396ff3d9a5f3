/* tracer PID: seizes PID with ptrace(2), which stops it at no system
   call, says "seized" on standard output, and waits for a line on
   standard input before it collects PID's end (waitpid), then exits.
   Until then an ended PID is a zombie that only its tracer may collect:
   the tests of tcp-socket-accept show that the server waits for it. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
	char line[16];
	int status;
	pid_t pid;
	if (argc != 2) {
		fputs("usage: tracer PID\n", stderr);
		return 2;
	}
	pid = atoi(argv[1]);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0) {
		perror("tracer: ptrace");
		return 111;
	}
	puts("seized");
	fflush(stdout);
	if (!fgets(line, sizeof line, stdin))
		return 111;
	while (waitpid(pid, &status, __WALL) == pid)
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return 0;
	return 111;
}
