#include "api/api_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <uv.h>

int api_reply_json(struct http_conn *conn, int status, json_t *doc)
{
    if (!doc)
        return http_respond_error(conn, 500, "out of memory");
    /* 15 significant digits: a reading of 132.8 reads "132.8", not 132.80000000000001. */
    char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(doc);
    if (!text)
        return http_respond_error(conn, 500, "out of memory");
    int rc = http_respond(conn, status, "application/json", "", text, strlen(text));
    free(text);
    return rc;
}

bool api_valid_race_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n >= PW_RACE_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return false;
    }
    return true;
}

int api_new_race_id(char *out, size_t len)
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        return -EIO;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, len,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    return 0;
}

bool api_rate_allow(struct api *api, const char *addr)
{
    double per_ms = api->d.starts_per_minute / 60000.0;
    double burst = api->d.starts_per_minute;
    uint64_t now = uv_hrtime() / 1000000u;
    struct api_rate_slot *slot = NULL, *oldest = &api->rate[0];
    for (int i = 0; i < API_RATE_SLOTS; i++) {
        if (strcmp(api->rate[i].addr, addr) == 0) {
            slot = &api->rate[i];
            break;
        }
        if (api->rate[i].last_ms < oldest->last_ms)
            oldest = &api->rate[i];
    }
    if (!slot) {
        /* Forget the client seen longest ago: a bounded table, never a growing one. */
        slot = oldest;
        snprintf(slot->addr, sizeof slot->addr, "%s", addr);
        slot->tokens = burst;
        slot->last_ms = now;
    }
    slot->tokens += (double)(now - slot->last_ms) * per_ms;
    if (slot->tokens > burst)
        slot->tokens = burst;
    slot->last_ms = now;
    if (slot->tokens < 1.0)
        return false;
    slot->tokens -= 1.0;
    return true;
}
