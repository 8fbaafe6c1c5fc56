/* Who may control a race (docs/API.md, "Race control"): the holder of the control token
 * its start returned, or an operator with the admin token. Viewers only read.
 *
 * A race's token is never stored: its start hands it to the client and keeps only its
 * SHA-256 in the race's meta, which travels with every event (Kafka included), so any edge
 * can check a control request for any race. The token that passed travels on with the
 * request to the race runner, which checks it again (src/core/token.h). */
#include "api/api_internal.h"

#include "core/token.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

int api_new_control_token(char token[API_TOKEN_MAX], char hash[PW_CONTROL_HASH_MAX])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        return -EIO;
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(token + 2 * i, 3, "%02x", b[i]);
    pw_token_hash(token, hash);
    return 0;
}

/* The token a request presents: X-Race-Token, or Authorization: Bearer. */
static const char *presented(const struct http_request *req, const char *header)
{
    const char *v = http_request_header(req, header);
    if (v && strcmp(header, "Authorization") == 0)
        return strncasecmp(v, "Bearer ", 7) == 0 ? v + 7 : NULL;
    return v;
}

/* The admin token, if the request presents it (by either header). */
static const char *admin_presented(const struct api *api, const struct http_request *req)
{
    const char *admin = api->d.admin_token;
    if (!admin || !admin[0])
        return NULL;
    const char *bearer = presented(req, "Authorization");
    if (bearer && pw_same_secret(bearer, admin))
        return bearer;
    const char *header = presented(req, "X-Race-Token");
    if (header && pw_same_secret(header, admin))
        return header;
    return NULL;
}

bool api_is_admin(const struct api *api, const struct http_request *req)
{
    return admin_presented(api, req) != NULL;
}

const char *api_control_token(const struct api *api, const struct http_request *req,
                              const char *race_hash)
{
    const char *admin = admin_presented(api, req);
    if (admin)
        return admin;
    const char *token = presented(req, "X-Race-Token");
    return pw_token_opens(token, race_hash) ? token : NULL;
}
