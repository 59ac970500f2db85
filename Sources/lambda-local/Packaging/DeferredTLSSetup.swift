import Foundation

/// The minimal libcurl's one change to curl's source: the TLS library is set up at its first use, not in
/// `curl_global_init`.
///
/// libcurl 7.88 initialises OpenSSL in `curl_global_init` whatever the flags (`CURL_GLOBAL_SSL` means nothing since
/// 7.57): it reads OpenSSL's configuration file, loads every error string into a hash table and registers every
/// cipher and digest name. That is 2.3 million instructions and about 0.5 ms (0.35 ms with no configuration file,
/// as on Lambda) of every cold start, spent before the first `GET /next`, while the Runtime API is plain HTTP.
/// With this patch `Curl_ssl_init` runs, once and under a lock, when a TLS connection filter is first made (direct
/// or to an HTTPS proxy), or when an OpenSSL engine or libcurl's TLS random source is first used; what it does is
/// unchanged. A function that posts to `@connections` pays it at its first post instead; one that never speaks
/// HTTPS never pays it. If the set-up fails, that connection fails with `CURLE_FAILED_INIT` ("TLS library
/// initialization failed") where `curl_global_init` used to.
///
/// Written against curl 7.88.1 (Debian 12's); the build stops with the patch tool's output when a source does not
/// take it.
enum DeferredTLSSetup {
    /// Applies ``patch`` to the unpacked curl source in `tree`.
    static func apply(to tree: URL, work: URL, log: URL) throws {
        let file = work.appendingPathComponent("deferred-tls-setup.patch")
        try patch.write(to: file, atomically: true, encoding: .utf8)
        try Shell.run("patch", ["-p1", "--forward", "--batch", "--no-backup-if-mismatch", "-i", file.path],
                      directory: tree, log: log)
    }

    /// A unified diff of `lib/easy.c` and `lib/vtls/vtls.c`.
    static let patch = #"""
--- a/lib/easy.c
+++ b/lib/easy.c
@@ -170,10 +170,9 @@
     goto fail;
   }
 
-  if(!Curl_ssl_init()) {
-    DEBUGF(fprintf(stderr, "Error: Curl_ssl_init failed\n"));
-    goto fail;
-  }
+  /* The TLS library is set up at its first use (Curl_ssl_init, called from
+     vtls.c before the first TLS connection), not here: a program that only
+     speaks plain HTTP never pays for it. */
 
 #ifdef WIN32
   if(Curl_win32_init(flags)) {
--- a/lib/vtls/vtls.c
+++ b/lib/vtls/vtls.c
@@ -232,21 +232,38 @@
 
 /* "global" init done? */
 static bool init_ssl = FALSE;
+/* and what it returned */
+static int init_ssl_result = 1;
+
+#ifdef USE_THREADS_POSIX
+#include <pthread.h>
+/* The first TLS connections of two threads may meet here. */
+static pthread_mutex_t init_ssl_lock = PTHREAD_MUTEX_INITIALIZER;
+#endif
 
 /**
- * Global SSL init
+ * Global SSL init, run once, at the TLS library's first use rather than in
+ * curl_global_init.
  *
  * @retval 0 error initializing SSL
  * @retval 1 SSL initialized successfully
  */
 int Curl_ssl_init(void)
 {
+  int result;
+#ifdef USE_THREADS_POSIX
+  pthread_mutex_lock(&init_ssl_lock);
+#endif
   /* make sure this is only done once */
-  if(init_ssl)
-    return 1;
-  init_ssl = TRUE; /* never again */
-
-  return Curl_ssl->init();
+  if(!init_ssl) {
+    init_ssl = TRUE; /* never again */
+    init_ssl_result = Curl_ssl->init();
+  }
+  result = init_ssl_result;
+#ifdef USE_THREADS_POSIX
+  pthread_mutex_unlock(&init_ssl_lock);
+#endif
+  return result;
 }
 
 #if defined(CURL_WITH_MULTI_SSL)
@@ -627,6 +644,8 @@
  */
 CURLcode Curl_ssl_set_engine(struct Curl_easy *data, const char *engine)
 {
+  if(!Curl_ssl_init())
+    return CURLE_SSL_ENGINE_INITFAILED;
   return Curl_ssl->set_engine(data, engine);
 }
 
@@ -634,12 +653,16 @@
  */
 CURLcode Curl_ssl_set_engine_default(struct Curl_easy *data)
 {
+  if(!Curl_ssl_init())
+    return CURLE_SSL_ENGINE_INITFAILED;
   return Curl_ssl->set_engine_default(data);
 }
 
 /* Return list of OpenSSL crypto engine names. */
 struct curl_slist *Curl_ssl_engines_list(struct Curl_easy *data)
 {
+  if(!Curl_ssl_init())
+    return NULL;
   return Curl_ssl->engines_list(data);
 }
 
@@ -772,6 +795,8 @@
                          unsigned char *entropy,
                          size_t length)
 {
+  if(!Curl_ssl_init())
+    return CURLE_FAILED_INIT;
   return Curl_ssl->random(data, entropy, length);
 }
 
@@ -1696,6 +1721,12 @@
   struct ssl_connect_data *ctx;
   CURLcode result;
 
+  if(!Curl_ssl_init()) {
+    failf(data, "TLS library initialization failed");
+    *pcf = NULL;
+    return CURLE_FAILED_INIT;
+  }
+
   DEBUGASSERT(data->conn);
 
   ctx = cf_ctx_new(data, Curl_alpn_get_spec(data, conn));
@@ -1747,6 +1778,12 @@
   struct ssl_connect_data *ctx;
   CURLcode result;
 
+  if(!Curl_ssl_init()) {
+    failf(data, "TLS library initialization failed");
+    *pcf = NULL;
+    return CURLE_FAILED_INIT;
+  }
+
   ctx = cf_ctx_new(data, Curl_alpn_get_proxy_spec(data, conn));
   if(!ctx) {
     result = CURLE_OUT_OF_MEMORY;
"""#
}
