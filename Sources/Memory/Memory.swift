/// Memory predictors: TinyTL's published formula (and, later, the planner of the training engine).
public enum MemoryPredictors {}
