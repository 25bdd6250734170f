raise ValueError("nope")
