/* curl_loop.h — libcurl's multi interface driven by a libuv loop: a uv_poll for every socket
 * curl opens and one uv_timer for curl's timeouts, so HTTP calls never block the loop. Used
 * by the schema registry client (src/bus/kafka) and the language-model client (src/commentary).
 *
 * The owner prepares its easy handles (CURLOPT_PRIVATE stays the owner's to use), adds
 * them, and gets done(owner, easy, result) on the loop when one finishes. By then the easy
 * is out of the multi: the callback may clean it up, add new transfers, or destroy the
 * curl_loop.
 *
 * Ownership: the curl_loop owns the multi handle and its uv handles, never the easies. An
 * easy still added must be removed (curl_loop_remove) before the owner cleans it up.
 * curl_loop_destroy closes the uv handles and frees the curl_loop once they have closed, so
 * the loop must run after it (as for any libuv handle). */
#ifndef PW_CORE_CURL_LOOP_H
#define PW_CORE_CURL_LOOP_H

#include <curl/curl.h>
#include <uv.h>

typedef void (*curl_loop_done_fn)(void *owner, CURL *easy, CURLcode result);

struct curl_loop;

/* 0, -EINVAL, -ENOMEM. */
int curl_loop_create(uv_loop_t *loop, curl_loop_done_fn done, void *owner, struct curl_loop **out);
/* Starts a transfer. 0, -EINVAL (destroyed), -EIO (curl refused it). */
int curl_loop_add(struct curl_loop *cl, CURL *easy);
/* Stops a transfer that has not finished; its done callback never comes. */
void curl_loop_remove(struct curl_loop *cl, CURL *easy);
void curl_loop_destroy(struct curl_loop *cl);

#endif
