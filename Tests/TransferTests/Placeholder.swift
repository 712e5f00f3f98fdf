import Testing
import Transfer

@Test func transferTargetBuilds() { _ = Transfer.self }
