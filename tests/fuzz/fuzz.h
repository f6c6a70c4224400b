/* Shared by the libFuzzer harnesses (tests/fuzz/<name>.c) and the replay driver
 * (replay_main.c). docs/fuzzing.md says what each harness feeds and checks. */
#ifndef VP_FUZZ_H
#define VP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The entry point libFuzzer calls once per input; replay_main.c calls it too, so the
 * corpora replay under any compiler. Returns 0 (libFuzzer ignores anything else). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* For harnesses whose reader takes a path: writes size bytes to "<dir>/<name>", where
 * <dir> is one private temporary directory per process (made on first use, removed at
 * exit with everything in it). Returns the path (static storage, overwritten by the next
 * call with the same name) or aborts: a harness that cannot write its input tests nothing. */
const char *vp_fuzz_file(const char *name, const uint8_t *data, size_t size);

/* The fixed trust anchor of the verify and pdf harnesses: the CA of the demo keys the
 * fuzz run made ($VP_FUZZ_TRUST, else the path CMake compiled in), or NULL when that file
 * is not there (then nothing verifies: the trust check fails). */
const char *vp_fuzz_trust(void);

/* Stops the run with a message when an oracle does not hold: libFuzzer and ASan both
 * treat abort() as a crash and keep the input. */
_Noreturn void vp_fuzz_fail(const char *harness, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
