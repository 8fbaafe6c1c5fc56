/* config_load.c — YAML text to a pw_config tree, with libyaml's event parser.
 *
 * The event parser (not yaml_parser_load) is used so that limits are checked while the
 * input is read and aliases are refused before anything expands. */
#include "config/config_internal.h"
#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

struct loader {
    const char *name;
    char *err;
    size_t errlen;
    struct pw_config_node *root;
    struct pw_config_node *stack[CONFIG_MAX_DEPTH];
    int depth;
    int nodes;
    int documents;
    char *pending_key; /* a map key read, its value not yet */
    int pending_line;
};

void config_errorf(char *err, size_t errlen, const char *name, int line, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    /* Line 0 means the whole file (too large, unreadable). */
    int n = line > 0 ? snprintf(err, errlen, "%s:%d: ", name, line)
                     : snprintf(err, errlen, "%s: ", name);
    if (n < 0 || (size_t)n >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

void config_node_free(struct pw_config_node *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->n; i++) {
        if (n->keys)
            free(n->keys[i]);
        config_node_free(n->items[i]);
    }
    free(n->keys);
    free(n->key_lines);
    free(n->items);
    free(n->text);
    free(n);
}

void config_free(struct pw_config *cfg)
{
    if (!cfg)
        return;
    config_node_free(cfg->root);
    free(cfg->name);
    free(cfg);
}

static bool plain_null(const char *s)
{
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

static int collection_push(struct pw_config_node *parent, char *key, int key_line,
                           struct pw_config_node *child)
{
    if (parent->n == parent->cap) {
        int cap = parent->cap ? parent->cap * 2 : 4;
        struct pw_config_node **items = realloc(parent->items, (size_t)cap * sizeof *items);
        if (!items)
            return -ENOMEM;
        parent->items = items;
        if (parent->kind == PW_CONFIG_MAP) {
            char **keys = realloc(parent->keys, (size_t)cap * sizeof *keys);
            if (!keys)
                return -ENOMEM;
            parent->keys = keys;
            int *lines = realloc(parent->key_lines, (size_t)cap * sizeof *lines);
            if (!lines)
                return -ENOMEM;
            parent->key_lines = lines;
        }
        parent->cap = cap;
    }
    if (parent->kind == PW_CONFIG_MAP) {
        parent->keys[parent->n] = key;
        parent->key_lines[parent->n] = key_line;
    }
    parent->items[parent->n++] = child;
    return 0;
}

static int count_node(struct loader *ld, int line)
{
    if (++ld->nodes > CONFIG_MAX_NODES) {
        config_errorf(ld->err, ld->errlen, ld->name, line, "more than %d nodes",
                      CONFIG_MAX_NODES);
        return PW_ELIMIT;
    }
    return 0;
}

/* Hang a new node under the open collection (or make it the root). Takes `n` in all cases. */
static int attach(struct loader *ld, struct pw_config_node *n)
{
    if (ld->depth == 0) {
        if (ld->root) {
            config_node_free(n);
            config_errorf(ld->err, ld->errlen, ld->name, n->line, "unexpected second top node");
            return PW_EPARSE;
        }
        ld->root = n;
        return 0;
    }
    struct pw_config_node *parent = ld->stack[ld->depth - 1];
    char *key = NULL;
    if (parent->kind == PW_CONFIG_MAP) {
        key = ld->pending_key;
        ld->pending_key = NULL;
    }
    int rc = collection_push(parent, key, ld->pending_line, n);
    if (rc < 0) {
        free(key);
        config_node_free(n);
        config_errorf(ld->err, ld->errlen, ld->name, n->line, "out of memory");
    }
    return rc;
}

static int take_key(struct loader *ld, const yaml_event_t *ev)
{
    int line = (int)ev->start_mark.line + 1;
    struct pw_config_node *map = ld->stack[ld->depth - 1];
    const char *key = (const char *)ev->data.scalar.value;
    size_t klen = ev->data.scalar.length;
    if (memchr(key, '\0', klen)) {
        config_errorf(ld->err, ld->errlen, ld->name, line, "a key contains a NUL character");
        return PW_EPARSE;
    }
    for (int i = 0; i < map->n; i++) {
        if (strcmp(map->keys[i], key) == 0) {
            config_errorf(ld->err, ld->errlen, ld->name, line,
                          "duplicate key \"%s\" (first at line %d)", key, map->items[i]->line);
            return PW_EPARSE;
        }
    }
    int rc = count_node(ld, line);
    if (rc < 0)
        return rc;
    ld->pending_key = strdup(key);
    ld->pending_line = line;
    if (!ld->pending_key) {
        config_errorf(ld->err, ld->errlen, ld->name, line, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

static struct pw_config_node *node_new(struct loader *ld, enum pw_config_kind kind, int line)
{
    struct pw_config_node *n = calloc(1, sizeof *n);
    if (!n) {
        config_errorf(ld->err, ld->errlen, ld->name, line, "out of memory");
        return NULL;
    }
    n->kind = kind;
    n->line = line;
    return n;
}

static bool expecting_key(const struct loader *ld)
{
    return ld->depth > 0 && ld->stack[ld->depth - 1]->kind == PW_CONFIG_MAP && !ld->pending_key;
}

static int on_scalar(struct loader *ld, const yaml_event_t *ev)
{
    if (expecting_key(ld))
        return take_key(ld, ev);
    int line = (int)ev->start_mark.line + 1;
    int rc = count_node(ld, line);
    if (rc < 0)
        return rc;
    struct pw_config_node *n = node_new(ld, PW_CONFIG_SCALAR, line);
    if (!n)
        return -ENOMEM;
    const char *raw = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    n->is_null = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && plain_null(raw);
    if (memchr(raw, '\0', len)) {
        config_node_free(n);
        config_errorf(ld->err, ld->errlen, ld->name, line, "a value contains a NUL character");
        return PW_EPARSE;
    }
    rc = config_env_substitute(raw, len, ld->name, line, &n->text, ld->err, ld->errlen);
    if (rc < 0) {
        config_node_free(n);
        return rc;
    }
    return attach(ld, n);
}

static int on_collection_start(struct loader *ld, const yaml_event_t *ev, enum pw_config_kind kind)
{
    int line = (int)ev->start_mark.line + 1;
    if (expecting_key(ld)) {
        config_errorf(ld->err, ld->errlen, ld->name, line,
                      "a map key must be a scalar, not a map or list");
        return PW_EPARSE;
    }
    if (ld->depth >= CONFIG_MAX_DEPTH) {
        config_errorf(ld->err, ld->errlen, ld->name, line, "nested more than %d levels deep",
                      CONFIG_MAX_DEPTH);
        return PW_ELIMIT;
    }
    int rc = count_node(ld, line);
    if (rc < 0)
        return rc;
    struct pw_config_node *n = node_new(ld, kind, line);
    if (!n)
        return -ENOMEM;
    rc = attach(ld, n);
    if (rc < 0)
        return rc;
    ld->stack[ld->depth++] = n;
    return 0;
}

static const char *anchor_of(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return (const char *)ev->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT:
        return (const char *)ev->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT:
        return (const char *)ev->data.mapping_start.anchor;
    default:
        return NULL;
    }
}

static int on_event(struct loader *ld, const yaml_event_t *ev)
{
    int line = (int)ev->start_mark.line + 1;
    if (ev->type == YAML_ALIAS_EVENT || anchor_of(ev)) {
        config_errorf(ld->err, ld->errlen, ld->name, line,
                      "anchors (&) and aliases (*) are not supported");
        return PW_EPARSE;
    }
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++ld->documents > 1) {
            config_errorf(ld->err, ld->errlen, ld->name, line,
                          "only one YAML document is allowed");
            return PW_EPARSE;
        }
        return 0;
    case YAML_SCALAR_EVENT:
        return on_scalar(ld, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_collection_start(ld, ev, PW_CONFIG_SEQ);
    case YAML_MAPPING_START_EVENT:
        return on_collection_start(ld, ev, PW_CONFIG_MAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (ld->depth > 0)
            ld->depth--;
        return 0;
    default:
        return 0;
    }
}

static int load_text(const char *name, const char *yaml, size_t len, struct pw_config **out,
                     char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    *out = NULL;
    if (len > CONFIG_MAX_BYTES) {
        config_errorf(err, errlen, name, 0, "larger than %d bytes", CONFIG_MAX_BYTES);
        return PW_ELIMIT;
    }
    struct pw_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg || !(cfg->name = strdup(name))) {
        free(cfg);
        config_errorf(err, errlen, name, 0, "out of memory");
        return -ENOMEM;
    }
    struct loader ld = {.name = cfg->name, .err = err, .errlen = errlen};
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        config_free(cfg);
        config_errorf(err, errlen, name, 0, "out of memory");
        return -ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    int rc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            const char *what = parser.problem ? parser.problem : "invalid YAML";
            if (parser.context)
                config_errorf(err, errlen, name, (int)parser.problem_mark.line + 1,
                              "%s (%s started at line %d)", what, parser.context,
                              (int)parser.context_mark.line + 1);
            else
                config_errorf(err, errlen, name, (int)parser.problem_mark.line + 1, "%s", what);
            rc = parser.error == YAML_MEMORY_ERROR ? -ENOMEM : PW_EPARSE;
            break;
        }
        bool end = ev.type == YAML_STREAM_END_EVENT;
        rc = on_event(&ld, &ev);
        yaml_event_delete(&ev);
        if (rc < 0 || end)
            break;
    }
    yaml_parser_delete(&parser);
    free(ld.pending_key);
    cfg->root = ld.root;
    if (rc < 0) {
        config_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

int config_load_string(const char *yaml, size_t len, struct pw_config **out, char *err,
                       size_t errlen)
{
    return load_text("<string>", yaml, len, out, err, errlen);
}

int config_load_file(const char *path, struct pw_config **out, char *err, size_t errlen)
{
    *out = NULL;
    char *buf = NULL;
    int rc = 0;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below);
     * reads of a regular file are not affected by it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        rc = -errno;
        config_errorf(err, errlen, path, 0, "cannot open: %s", strerror(-rc));
        goto out;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        config_errorf(err, errlen, path, 0, "cannot read: %s", strerror(-rc));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = -EINVAL;
        config_errorf(err, errlen, path, 0, "is %s, not a regular file",
                      S_ISDIR(st.st_mode)    ? "a directory"
                      : S_ISFIFO(st.st_mode) ? "a FIFO (named pipe)"
                      : S_ISCHR(st.st_mode)  ? "a character device"
                      : S_ISSOCK(st.st_mode) ? "a socket"
                                             : "a special file");
        goto out;
    }
    /* Read at most one byte past the bound, so a file that grows meanwhile is still caught. */
    buf = malloc(CONFIG_MAX_BYTES + 1);
    if (!buf) {
        rc = -ENOMEM;
        config_errorf(err, errlen, path, 0, "out of memory");
        goto out;
    }
    size_t len = 0;
    while (len < CONFIG_MAX_BYTES + 1) {
        ssize_t r = read(fd, buf + len, CONFIG_MAX_BYTES + 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -errno;
            config_errorf(err, errlen, path, 0, "cannot read: %s", strerror(-rc));
            goto out;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    rc = load_text(path, buf, len, out, err, errlen);
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    return rc;
}
