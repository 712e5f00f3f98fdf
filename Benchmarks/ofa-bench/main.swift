print("ofa-bench")
