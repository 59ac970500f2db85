import Runtime

// The reference function: echoes each event back until the chat application replaces it.
await LambdaRuntime.start { RawClosureHandler { event, _ in event } }
