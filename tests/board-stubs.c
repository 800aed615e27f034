/*
 * tests/board-stubs.c: the board requests (hw/hw.h) that hyperv/ and the
 * devices may make, for unit tests that link them without a PC: none is
 * expected, so each one counts as a failure.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"
#include "tests/unit.h"

void machine_request_exit(int status) { CHECK(0, "unexpected exit request %d", status); }
void machine_request_reset(void) { CHECK(0, "unexpected reset request"); }
void machine_report_panic(const uint64_t params[5]) { (void)params; CHECK(0, "unexpected panic"); }
bool machine_request_pending(void) { return false; }
