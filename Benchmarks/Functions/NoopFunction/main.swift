#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Runtime

// The benchmarks' function: answers every event with the same small response, as the C reference does.
let response = Data(#"{"statusCode":200}"#.utf8)
await LambdaRuntime.start { RawClosureHandler { _, _ in response } }
