/*
 * The near-physical floor for a libcurl custom runtime: one reused easy handle, GET /next, copy the
 * request id, POST a fixed response. No JSON, no logging, no allocation beyond what libcurl does.
 * The benchmarks compare the Swift runtime against this binary in the same run.
 *
 * Build: cc -O2 -o reference-runtime reference-runtime.c $(pkg-config --cflags --libs libcurl)
 *
 * With -DSTOCK_LIBCURL_TLS_SETUP (and OpenSSL linked in) it also sets OpenSSL up at start as curl_global_init in
 * libcurl 7.88 does (lib/vtls/openssl.c, ossl_init): the reference as it runs on a stock libcurl, for comparison
 * with the packaged minimal libcurl, which defers that to the first TLS connection.
 */
#include <curl/curl.h>
#ifdef STOCK_LIBCURL_TLS_SETUP
#include <openssl/ssl.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char request_id[256];
static char body[8 * 1024 * 1024];
static size_t body_length;

static size_t on_body(char *data, size_t size, size_t count, void *user) {
    size_t n = size * count;
    if (body_length + n < sizeof(body)) {
        memcpy(body + body_length, data, n);
        body_length += n;
    }
    (void)user;
    return n;
}

static size_t on_header(char *line, size_t size, size_t count, void *user) {
    static const char name[] = "lambda-runtime-aws-request-id:";
    size_t n = size * count;
    if (n > sizeof(name) - 1 && strncasecmp(line, name, sizeof(name) - 1) == 0) {
        size_t start = sizeof(name) - 1, end = n;
        while (start < end && line[start] == ' ') start++;
        while (end > start && (line[end - 1] == '\r' || line[end - 1] == '\n')) end--;
        if (end - start < sizeof(request_id)) {
            memcpy(request_id, line + start, end - start);
            request_id[end - start] = 0;
        }
    }
    (void)user;
    return n;
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api) { fprintf(stderr, "AWS_LAMBDA_RUNTIME_API is not set\n"); return 1; }
    char next_url[512], response_url[1024];
    snprintf(next_url, sizeof(next_url), "http://%s/2018-06-01/runtime/invocation/next", api);
    static const char response[] = "{\"statusCode\":200}";

    curl_global_init(CURL_GLOBAL_DEFAULT);
#ifdef STOCK_LIBCURL_TLS_SETUP
    OPENSSL_init_ssl(OPENSSL_INIT_ENGINE_ALL_BUILTIN | OPENSSL_INIT_LOAD_CONFIG, NULL);
#endif
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
    headers = curl_slist_append(headers, "Content-Type:");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

    for (;;) {
        body_length = 0;
        request_id[0] = 0;
        curl_easy_setopt(curl, CURLOPT_URL, next_url);
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        if (curl_easy_perform(curl) != CURLE_OK) return 1;
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200 || request_id[0] == 0) return 1;

        snprintf(response_url, sizeof(response_url),
                 "http://%s/2018-06-01/runtime/invocation/%s/response", api, request_id);
        curl_easy_setopt(curl, CURLOPT_URL, response_url);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, response);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)(sizeof(response) - 1));
        if (curl_easy_perform(curl) != CURLE_OK) return 1;
    }
}
