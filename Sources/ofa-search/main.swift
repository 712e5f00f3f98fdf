print("ofa-search")
