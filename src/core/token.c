#include "core/token.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

void pw_token_hash(const char *token, char out[PW_CONTROL_HASH_MAX])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)token, strlen(token), md);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

bool pw_same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
    return diff == 0 && lb > 0;
}

bool pw_token_opens(const char *token, const char *hash)
{
    if (!token || !token[0] || !hash || !hash[0] ||
        strnlen(token, PW_CONTROL_TOKEN_MAX) >= PW_CONTROL_TOKEN_MAX)
        return false;
    char mine[PW_CONTROL_HASH_MAX];
    pw_token_hash(token, mine);
    return pw_same_secret(mine, hash);
}
