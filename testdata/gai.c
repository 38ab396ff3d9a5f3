/*
 * gai host service [flags]: the first address that the C library's
 * getaddrinfo gives for a passive TCP socket, as TestAgainstGlibc reads
 * it: "4 ADDR PORT" or "6 ADDR PORT", or "error TEXT". flags: a for
 * AI_ADDRCONFIG, h for AI_NUMERICHOST, s for AI_NUMERICSERV.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
	struct addrinfo hints, *res;
	char text[INET6_ADDRSTRLEN];
	const char *flags = argc > 3 ? argv[3] : "";
	int err;

	if (argc < 3)
		return 2;
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if (strchr(flags, 'a'))
		hints.ai_flags |= AI_ADDRCONFIG;
	if (strchr(flags, 'h'))
		hints.ai_flags |= AI_NUMERICHOST;
	if (strchr(flags, 's'))
		hints.ai_flags |= AI_NUMERICSERV;
	err = getaddrinfo(argv[1], argv[2], &hints, &res);
	if (err != 0) {
		printf("error %s\n", gai_strerror(err));
		return 0;
	}
	if (res->ai_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)res->ai_addr;
		inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
		printf("4 %s %d\n", text, ntohs(sin->sin_port));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)res->ai_addr;
		inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
		printf("6 %s %d\n", text, ntohs(sin6->sin6_port));
	}
	return 0;
}
