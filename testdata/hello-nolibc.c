/* hello.c without the C library, for bench-accept -nolibc: a static
   glibc program spends most of its short life in its own start-up
   (CPU feature detection, TLS, IRELATIVE relocations; about 0.5 ms in a
   virtual machine), which swamps what the servers spend. This one makes
   only the system calls it needs. x86-64 Linux only. */
#include <sys/syscall.h>

static long sys3(long n, long a, long b, long c) {
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

/* main's work, with argc and argv from the stack _start was given. */
__attribute__((used)) static void start(long *sp) {
	static const char line[] = "hello\n";
	static char buf[256];
	long argc = sp[0];
	const char *arg = argc > 1 ? (const char *)sp[2] : "";
	if (sys3(SYS_write, 1, (long)line, sizeof line - 1) < 0)
		sys3(SYS_exit_group, 1, 0, 0);
	if (arg[0] == 'h' && arg[1] == 'o' && arg[2] == 'l' && arg[3] == 'd' && arg[4] == 0)
		while (sys3(SYS_read, 0, (long)buf, sizeof buf) > 0)
			;
	sys3(SYS_exit_group, 0, 0, 0);
}

__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call start\n");
