def explode():
    raise RuntimeError("boom")
