/* Triple fault: an empty IDT turns int3 into #GP, then #DF, then a
 * shutdown; with -no-reboot the emulator exits with status 0. */
#include "runtime.h"

int main(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) empty = { 0, 0 };

    printf("loading an empty IDT\n");
    __asm__ volatile("lidt %0; int3" :: "m"(empty));
    printf("FAIL: still running after the triple fault\n");
    return 1;
}
