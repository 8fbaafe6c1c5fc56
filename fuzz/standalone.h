/* standalone.h — the fuzz targets' driver without libFuzzer (see standalone.c). A target
 * defines LLVMFuzzerTestOneInput and, unless built with PITWALL_LIBFUZZER, a main() that
 * calls fuzz_standalone_main() with the tokens its mutations should insert. */
#ifndef PW_FUZZ_STANDALONE_H
#define PW_FUZZ_STANDALONE_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_tokens {
    const char *const *tokens; /* "" stands for one NUL byte */
    size_t n;
};

/* argv: [-n MUTATIONS] CORPUS_DIR|FILE... (200 mutations by default). Returns main()'s
 * exit status: 0 when every input ran, 1 if a seed could not be read, 2 for usage. */
int fuzz_standalone_main(int argc, char **argv, const char *name, const struct fuzz_tokens *tk);

#endif
