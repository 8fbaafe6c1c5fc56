/* config.h — pitwall's YAML configuration, loaded once into a small read-only tree.
 *
 * Ownership: config_load_* returns a `struct pw_config` that owns every node and string of
 * the tree; config_free frees it all. Nodes and strings handed out by the accessors are
 * borrowed from it and valid until config_free. The tree is never modified after loading,
 * so several threads may read it at once.
 *
 * The file is untrusted input. Loading enforces: at most CONFIG_MAX_BYTES of YAML, nesting
 * at most CONFIG_MAX_DEPTH collections deep, at most CONFIG_MAX_NODES nodes (keys count);
 * one document; keys are scalars; duplicate keys, anchors and aliases are errors (so an
 * "alias bomb" cannot expand). `${NAME}` and `${NAME:-default}` in scalar values are
 * replaced from the environment at load (`$${` writes a literal `${`); a variable that is
 * unset and has no default is an error. Error texts name the file and line,
 * "config.yaml:12: ...", and never contain a value (values may be secrets).
 *
 * Error codes: -errno from opening/reading the file; PW_ELIMIT for a size/depth/count bound;
 * PW_EPARSE for YAML that is malformed or uses a refused feature; -EINVAL for a bad or
 * missing environment variable and for typed getters given a wrong type or range;
 * -ENOMEM. See docs/CONFIG.md for the format. */
#ifndef PW_CONFIG_CONFIG_H
#define PW_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_BYTES (1024 * 1024)
#define CONFIG_MAX_DEPTH 32
#define CONFIG_MAX_NODES 10000
#define CONFIG_MAX_VALUE 65536 /* a scalar after environment substitution, in bytes */

struct pw_config;
struct pw_config_node;

enum pw_config_kind { PW_CONFIG_SCALAR, PW_CONFIG_MAP, PW_CONFIG_SEQ };

/* Load a file. The path (as given) names the file in error texts. */
int config_load_file(const char *path, struct pw_config **out, char *err, size_t errlen);
/* Load YAML text of `len` bytes (need not be NUL-terminated); errors say "<string>:N:". */
int config_load_string(const char *yaml, size_t len, struct pw_config **out, char *err,
                       size_t errlen);
void config_free(struct pw_config *cfg);

/* The top node; NULL for an empty file (every getter then gives its default). */
const struct pw_config_node *config_root(const struct pw_config *cfg);

enum pw_config_kind config_kind(const struct pw_config_node *n);
/* 1-based line where the node starts in the file; 0 for NULL. */
int config_line(const struct pw_config_node *n);

/* Look up a dotted path below a map: "server.port". Map keys may themselves contain dots
 * (librdkafka properties such as "bootstrap.servers"): at each level the longest literal
 * key that matches a prefix of the remaining path is tried first, then shorter ones.
 * NULL if absent, if something on the way is not a map, or for an empty path. */
const struct pw_config_node *config_get(const struct pw_config_node *map, const char *dotted_path);

/* Text of a scalar (after environment substitution); NULL unless a scalar. An empty value
 * (`key:`) is "" here; the typed getters treat it, "~" and "null" as absent. */
const char *config_scalar(const struct pw_config_node *n);
/* Entries of a map or sequence; 0 for a scalar or NULL. */
int config_size(const struct pw_config_node *n);
/* Key of entry i of a map, in file order; NULL if not a map or out of range. */
const char *config_key_at(const struct pw_config_node *map, int i);
/* Value of entry i of a map or item i of a sequence; NULL if out of range. */
const struct pw_config_node *config_value_at(const struct pw_config_node *n, int i);

/* Typed getters, `path` looked up from the root as config_get does.
 * Absent (or a YAML null) -> *out = def, return 0. Present but of the wrong type or out of
 * range -> err "config.yaml:7: server.port must be an integer from 1 to 65535", -EINVAL,
 * *out untouched. A string returned is borrowed from cfg (or is `def`). */
int config_get_string(const struct pw_config *cfg, const char *path, const char *def,
                      const char **out, char *err, size_t errlen);
int config_get_int(const struct pw_config *cfg, const char *path, long long def, long long min,
                   long long max, long long *out, char *err, size_t errlen);
int config_get_double(const struct pw_config *cfg, const char *path, double def, double min,
                      double max, double *out, char *err, size_t errlen);
/* true/false, yes/no, on/off, any case. */
int config_get_bool(const struct pw_config *cfg, const char *path, bool def, bool *out,
                    char *err, size_t errlen);

/* Strict keys: every map key of the file must be a setting the application knows.
 * `known` lists dotted paths of settings ("server.port"); a section is known through the
 * settings below it; "kafka.*" opens a section, accepting any key below it (properties
 * passed on to another library). A setting's value is not looked into (a list or map value
 * is the setting's own business). The first unknown key gives -EINVAL and
 * "config.yaml:3: unknown setting server.portt (did you mean server.port?)". */
int config_check_keys(const struct pw_config *cfg, const char *const *known, int n_known,
                      char *err, size_t errlen);
/* Levenshtein distance between two names (each cut at 64 bytes). */
int config_edit_distance(const char *a, const char *b);
/* The candidate nearest to `word` if it is close enough to be a typo of it (at most a
 * third of its length, and at least 2, edits away); NULL when none is. */
const char *config_suggest(const char *word, const char *const *candidates, int n);

#endif
