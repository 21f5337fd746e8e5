/* duet — the command-line tool (placeholder until the stack core lands). */
#include <stdio.h>
int main(void) { puts("duet"); return 0; }
