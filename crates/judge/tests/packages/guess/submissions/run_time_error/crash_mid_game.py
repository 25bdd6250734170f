# Asks one question and crashes without reading the reply: the submission
# ended first, so the interactor's rejection on end-of-file does not hide the
# crash (RTE, not WA).
n = int(input())
print("?", (n + 1) // 2, flush=True)
raise SystemExit(5)
