/// TinyTL transfer learning: frozen-weight storage, optimisers and (next) the trainer.
public enum Transfer {}
