import Foundation

/// The minimal libcurl's one change to curl's source: the TLS library is set up at its first use, not in
/// `curl_global_init`.
///
/// libcurl 7.88 initialises OpenSSL in `curl_global_init` whatever the flags (`CURL_GLOBAL_SSL` means nothing since
/// 7.57): it reads OpenSSL's configuration file, loads every error string into a hash table and registers every
/// cipher and digest name. That is 2.3 million instructions and about 0.5 ms (0.35 ms with no configuration file,
/// as on Lambda) of every cold start, spent before the first `GET /next`, while the Runtime API is plain HTTP.
/// With this patch `Curl_ssl_init` runs once, under a lock (the build requires POSIX threads), when a TLS
/// connection filter is first made (direct or to an HTTPS proxy), or when an OpenSSL engine or libcurl's random
/// source (multipart boundaries, digest authentication, cookie-jar file names, address shuffling) is first used;
/// what it does is unchanged, and `curl_global_cleanup` undoes it under the same lock. A plain HTTP transfer, as
/// the Runtime API's, never runs it; a function that posts to `@connections` pays it at its first post. (libcurl's
/// AWS SigV4 and SHA-256 digest hash through OpenSSL directly, whose automatic set-up then reads the configuration
/// file.) If the set-up fails, that connection fails with `CURLE_FAILED_INIT` ("TLS library initialization
/// failed") where `curl_global_init` used to; with OpenSSL 3 it cannot fail.
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
+     vtls.c before the first TLS connection, engine or random number), not
+     here: a plain HTTP transfer never pays for it. */
 
 #ifdef WIN32
   if(Curl_win32_init(flags)) {
--- a/lib/vtls/vtls.c
+++ b/lib/vtls/vtls.c
@@ -49,6 +49,7 @@
 #ifdef HAVE_FCNTL_H
 #include <fcntl.h>
 #endif
+#include <pthread.h>
 
 #include "urldata.h"
 #include "cfilters.h"
@@ -232,21 +233,34 @@
 
 /* "global" init done? */
 static bool init_ssl = FALSE;
+/* and what it returned */
+static int init_ssl_result = 1;
+
+#ifndef USE_THREADS_POSIX
+#error "setting the TLS library up at its first use needs POSIX threads"
+#endif
+/* The first TLS connections of two threads may meet here. */
+static pthread_mutex_t init_ssl_lock = PTHREAD_MUTEX_INITIALIZER;
 
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
+  pthread_mutex_lock(&init_ssl_lock);
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
+  pthread_mutex_unlock(&init_ssl_lock);
+  return result;
 }
 
 #if defined(CURL_WITH_MULTI_SSL)
@@ -256,6 +270,7 @@
 /* Global cleanup */
 void Curl_ssl_cleanup(void)
 {
+  pthread_mutex_lock(&init_ssl_lock);
   if(init_ssl) {
     /* only cleanup if we did a previous init */
     Curl_ssl->cleanup();
@@ -264,6 +279,7 @@
 #endif
     init_ssl = FALSE;
   }
+  pthread_mutex_unlock(&init_ssl_lock);
 }
 
 static bool ssl_prefs_check(struct Curl_easy *data)
@@ -627,6 +643,8 @@
  */
 CURLcode Curl_ssl_set_engine(struct Curl_easy *data, const char *engine)
 {
+  if(!Curl_ssl_init())
+    return CURLE_SSL_ENGINE_INITFAILED;
   return Curl_ssl->set_engine(data, engine);
 }
 
@@ -634,12 +652,16 @@
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
 
@@ -772,6 +794,8 @@
                          unsigned char *entropy,
                          size_t length)
 {
+  if(!Curl_ssl_init())
+    return CURLE_FAILED_INIT;
   return Curl_ssl->random(data, entropy, length);
 }
 
@@ -1696,6 +1720,12 @@
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
@@ -1747,6 +1777,12 @@
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
