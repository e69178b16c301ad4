// libFuzzer's driver, for SporeFuzz's own main: SwiftPM links every Swift executable with
// main renamed to its module's entry point, so libFuzzer's main never links and SporeFuzz calls
// the driver itself. Defined by the fuzzer runtime that -sanitize=fuzzer links; call it only from
// a build with that flag (SPORE_LIBFUZZER).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
