/* standalone.h — the fuzz targets' driver without libFuzzer (see standalone.c), which owns
 * main(). A target defines LLVMFuzzerTestOneInput and, unless built with PITWALL_LIBFUZZER,
 * names itself and the tokens its mutations should insert with FUZZ_TARGET. */
#ifndef PW_FUZZ_STANDALONE_H
#define PW_FUZZ_STANDALONE_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_target {
    const char *name;
    const char *const *tokens; /* "" stands for one NUL byte */
    size_t n;
};

/* The target's name and tokens, read by the driver's main(): argv [-n MUTATIONS]
 * CORPUS_DIR|FILE... (200 mutations by default); exit status 0 when every input ran, 1 if a
 * seed could not be read, 2 for usage. */
extern const struct fuzz_target fuzz_target;
#define FUZZ_TARGET(name, tokens)                                                                  \
    const struct fuzz_target fuzz_target = {name, tokens, sizeof tokens / sizeof *tokens}

#endif
