/* A static true, linked with -static: what exec costs with no runtime. */
int main(void) { return 0; }
