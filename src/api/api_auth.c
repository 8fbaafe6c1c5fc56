/* Who may control a race (docs/API.md, "Race control"): the holder of the control token
 * its start returned, or an operator with the admin token. Viewers only read.
 *
 * A race's token is never stored or sent on: its start hands it to the client and keeps
 * only its SHA-256 in the race's meta, which travels with every event (Kafka included), so
 * any edge can check a control request for any race. Comparisons take the same time
 * whatever the input, so a guess learns nothing from how long the answer took. */
#include "api/api_internal.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

void api_token_hash(const char *token, char out[PW_CONTROL_HASH_MAX])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)token, strlen(token), md);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int api_new_control_token(char token[API_TOKEN_MAX], char hash[PW_CONTROL_HASH_MAX])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        return -EIO;
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(token + 2 * i, 3, "%02x", b[i]);
    api_token_hash(token, hash);
    return 0;
}

/* Equal strings, in time that depends only on their lengths. */
static bool same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
    return diff == 0 && lb > 0;
}

/* The token a request presents: X-Race-Token, or Authorization: Bearer. */
static const char *presented(const struct http_request *req, const char *header)
{
    const char *v = http_request_header(req, header);
    if (v && strcmp(header, "Authorization") == 0)
        return strncasecmp(v, "Bearer ", 7) == 0 ? v + 7 : NULL;
    return v;
}

bool api_is_admin(const struct api *api, const struct http_request *req)
{
    const char *admin = api->d.admin_token;
    if (!admin || !admin[0])
        return false;
    const char *bearer = presented(req, "Authorization");
    const char *header = presented(req, "X-Race-Token");
    return (bearer && same_secret(bearer, admin)) || (header && same_secret(header, admin));
}

bool api_may_control(const struct api *api, const struct http_request *req,
                     const char *race_hash)
{
    if (api_is_admin(api, req))
        return true;
    const char *token = presented(req, "X-Race-Token");
    if (!token || !token[0] || !race_hash || !race_hash[0] || strlen(token) >= 256)
        return false;
    char hash[PW_CONTROL_HASH_MAX];
    api_token_hash(token, hash);
    return same_secret(hash, race_hash);
}
