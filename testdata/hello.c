/* next-prog for bench-accept: writes a line on its connection and exits,
   or, given "hold", waits for the client to close first. Static, so that
   what is measured is the server, not the dynamic loader. */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
	static const char line[] = "hello\n";
	char buf[256];
	if (write(1, line, sizeof line - 1) < 0)
		return 1;
	if (argc > 1 && strcmp(argv[1], "hold") == 0)
		while (read(0, buf, sizeof buf) > 0)
			;
	return 0;
}
