"""Interactor of Sonar Sweep.

Input file: `n x`. Writes n, answers `? y` with <, > or =, accepts `! x` after
at most 30 pings. A submission that stops reading or writing is rejected.
"""
import sys

MAX_PINGS = 30


def main():
    n, x = map(int, open(sys.argv[1]).read().split())
    feedback = sys.argv[3]

    def verdict(accepted, message):
        with open(feedback + "judgemessage.txt", "a") as f:
            f.write(message + "\n")
        sys.exit(42 if accepted else 43)

    try:
        print(n, flush=True)
        pings = 0
        while True:
            line = sys.stdin.readline()
            if not line:
                verdict(False, "the submission ended before answering")
            parts = line.split()
            if len(parts) != 2 or parts[0] not in ("?", "!") or not parts[1].isdigit():
                verdict(False, "malformed line %r" % line[:40])
            y = int(parts[1])
            if parts[0] == "!":
                if y != x:
                    verdict(False, "answered %d, the submarine is at %d" % (y, x))
                if sys.stdin.read(1):
                    verdict(False, "output after the answer")
                verdict(True, "found %d after %d pings" % (x, pings))
            pings += 1
            if pings > MAX_PINGS:
                verdict(False, "more than %d pings" % MAX_PINGS)
            if not 1 <= y <= n:
                verdict(False, "ping %d outside [1, %d]" % (y, n))
            print("<" if x < y else ">" if x > y else "=", flush=True)
    except BrokenPipeError:
        verdict(False, "the submission stopped reading")


main()
