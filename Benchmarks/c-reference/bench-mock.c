/*
 * A minimal, fast Lambda Runtime API mock for benchmarks: it spawns the function under test, serves the
 * same event COUNT times over keep-alive HTTP/1.1, and prints one JSON line:
 *   cold_start_ms   exec of the function to its first GET /next
 *   per_invocation_us, invocations_per_s   over the COUNT warm invocations after a warm-up
 *   mock_cpu_share  this process's CPU time / wall time during the warm loop (shows it is not the bottleneck)
 *   errors          invocations answered with /error instead of /response
 *   max_rss_kb, minor_faults   the function's peak RSS and page faults (getrusage of the children)
 *
 * Usage: bench-mock PORT EVENT_FILE WARMUP COUNT -- COMMAND [ARGS...]
 * Build: cc -O2 -o bench-mock bench-mock.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu_s(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static char inbuf[16 * 1024 * 1024];
static size_t inlen;

/* Reads one request into inbuf; returns header length (body follows), or -1 on EOF. */
static long read_request(int fd, long *content_length) {
    for (;;) {
        char *end = memmem(inbuf, inlen, "\r\n\r\n", 4);
        if (end) {
            long header_len = end - inbuf + 4;
            *content_length = 0;
            char *cl = strcasestr(inbuf, "\r\ncontent-length:");
            if (cl && cl < end) *content_length = strtol(cl + 17, NULL, 10);
            while ((long)inlen < header_len + *content_length) {
                ssize_t n = read(fd, inbuf + inlen, sizeof(inbuf) - inlen);
                if (n <= 0) return -1;
                inlen += n;
            }
            return header_len;
        }
        ssize_t n = read(fd, inbuf + inlen, sizeof(inbuf) - inlen);
        if (n <= 0) return -1;
        inlen += n;
    }
}

static void consume(size_t n) {
    memmove(inbuf, inbuf + n, inlen - n);
    inlen -= n;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= w;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 7 || strcmp(argv[5], "--") != 0) {
        fprintf(stderr, "usage: %s PORT EVENT_FILE WARMUP COUNT -- COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    long warmup = atol(argv[3]), count = atol(argv[4]);
    FILE *f = fopen(argv[2], "rb");
    if (!f) { perror("event"); return 2; }
    static char event[1 << 20];
    size_t event_len = fread(event, 1, sizeof(event), f);
    fclose(f);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) || listen(listener, 8)) { perror("bind"); return 2; }

    char api[64];
    snprintf(api, sizeof(api), "127.0.0.1:%d", port);
    setenv("AWS_LAMBDA_RUNTIME_API", api, 1);
    double t_exec = now_s();
    pid_t child = fork();
    if (child == 0) {
        execvp(argv[6], argv + 6);
        perror("exec");
        _exit(127);
    }

    /* Wait for the function to connect, but notice if it dies first. */
    for (;;) {
        struct pollfd waiting = {.fd = listener, .events = POLLIN};
        if (poll(&waiting, 1, 100) > 0) break;
        int early_status;
        if (waitpid(child, &early_status, WNOHANG) == child) {
            printf("{\"error\": \"the function exited (status %d) before polling\"}\n", early_status);
            return 1;
        }
    }
    int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    double t_first_next = 0, t_loop_start = 0, cpu_loop_start = 0;
    long served = 0, answered = 0, errors = 0;
    char header[1024];
    for (;;) {
        long content_length;
        long header_len = read_request(fd, &content_length);
        if (header_len < 0) { fprintf(stderr, "function closed the connection after %ld answers\n", answered); break; }
        if (strncmp(inbuf, "GET ", 4) == 0) {
            if (served == 0) t_first_next = now_s();
            if (served == warmup) { t_loop_start = now_s(); cpu_loop_start = cpu_s(); }
            if (served == warmup + count) break;
            served++;
            long long deadline = (long long)time(NULL) * 1000 + 60000;
            int n = snprintf(header, sizeof(header),
                "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-%012ld\r\n"
                "Lambda-Runtime-Deadline-Ms: %lld\r\n"
                "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n"
                "Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\r\n"
                "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", served, deadline, event_len);
            consume(header_len + content_length);
            if (write_all(fd, header, n) || write_all(fd, event, event_len)) break;
        } else {
            if (strstr(inbuf, "/error ") && strstr(inbuf, "/error ") < inbuf + header_len) errors++;
            answered++;
            consume(header_len + content_length);
            static const char ok[] = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n";
            if (write_all(fd, ok, sizeof(ok) - 1)) break;
        }
    }
    double t_end = now_s(), cpu_end = cpu_s();
    /* Closing the connection and the listener ends the function by itself (its next request fails), so
       tools such as callgrind that write their totals at exit get to do so; SIGKILL only as a last resort. */
    close(fd);
    close(listener);
    int status;
    double give_up = now_s() + 60;
    while (waitpid(child, &status, WNOHANG) == 0) {
        if (now_s() > give_up) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            break;
        }
        usleep(10000);
    }
    if (answered < warmup + count) {
        printf("{\"error\": \"the function answered %ld of %ld invocations\"}\n", answered, warmup + count);
        return 1;
    }
    struct rusage child_usage;
    getrusage(RUSAGE_CHILDREN, &child_usage);

    double loop = t_end - t_loop_start;
    printf("{\"cold_start_ms\": %.3f, \"per_invocation_us\": %.2f, \"invocations_per_s\": %.0f, "
           "\"mock_cpu_share\": %.3f, \"invocations\": %ld, \"errors\": %ld, \"max_rss_kb\": %ld, "
           "\"minor_faults\": %ld}\n",
           (t_first_next - t_exec) * 1000, loop / count * 1e6, count / loop,
           (cpu_end - cpu_loop_start) / loop, count, errors, child_usage.ru_maxrss, child_usage.ru_minflt);
    return 0;
}
