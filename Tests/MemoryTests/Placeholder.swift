import Memory
import Testing

@Test func memoryTargetBuilds() { _ = MemoryPredictors.self }
