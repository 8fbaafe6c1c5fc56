/* config_internal.h — the tree behind config.h, shared by the files of src/config only. */
#ifndef PW_CONFIG_INTERNAL_H
#define PW_CONFIG_INTERNAL_H

#include "config/config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct pw_config_node {
    enum pw_config_kind kind;
    int line;
    bool is_null;   /* a plain scalar "", "~" or "null": typed getters treat it as absent */
    char *text;     /* scalar only; owned */
    int n, cap;     /* entries of a map/seq */
    char **keys;    /* map only: n owned keys, file order */
    int *key_lines; /* map only: the line of each key */
    struct pw_config_node **items; /* map values or seq items; owned */
};

struct pw_config {
    char *name;     /* the file name used in error texts */
    struct pw_config_node *root;
};

/* Free a node and everything below it. */
void config_node_free(struct pw_config_node *n);

/* Write "name:line: <fmt>" into err (which may be NULL). */
void config_errorf(char *err, size_t errlen, const char *name, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Replace ${NAME} / ${NAME:-default} / $${ in `in`. On success *out is a malloc'd string.
 * On failure err gets a message naming `name`:`line` and the variable, never its value. */
int config_env_substitute(const char *in, size_t len, const char *name, int line, char **out,
                          char *err, size_t errlen);

#endif
