import HandlerKit
import Runtime

// The benchmarks' WebSocket function: a router whose routes do nothing but answer 200, so the warm loop
// measures the runtime plus decoding, routing and encoding every event (the 1 KB event is a `sendMessage`).
let router = WebSocketRouter()
router.on(.connect) { _ in .ok }
router.on(.disconnect) { _ in .ok }
router.on("sendMessage") { _ in .ok }
router.onDefault { _ in .ok }
await LambdaRuntime.start { router.buildHandler() }
