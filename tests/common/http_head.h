/* http_head.h — reading an HTTP/1.1 response head, for the tests' clients: the in-process
 * client of the HTTP server's tests (tests/http) and the integration harness
 * (tests/integration) find the head, its status and its headers with the same code. */
#ifndef PW_TESTS_HTTP_HEAD_H
#define PW_TESTS_HTTP_HEAD_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the head in buf (status line and headers with the blank line that ends them),
 * or 0 while it is not complete. */
size_t http_head_len(const char *buf, size_t len);
/* The status code of "HTTP/1.x NNN ...", or 0. */
int http_head_status(const char *head);
/* The value of header `name` (case-insensitive) in a NUL-terminated head, copied to out
 * (cut to fit); false if absent. */
bool http_head_value(const char *head, const char *name, char *out, size_t out_len);

#endif
