"""Interactor of Guess the Number: input file `n x`; answers `? y` with
`<`, `>` or `=`; accepts `! x` within 30 questions."""
import sys


def main():
    n, secret = map(int, open(sys.argv[1]).read().split())
    feedback = sys.argv[3]

    def judge(ok, message):
        with open(feedback + "judgemessage.txt", "a") as f:
            f.write(message + "\n")
        sys.exit(42 if ok else 43)

    try:
        print(n, flush=True)
        questions = 0
        while True:
            line = sys.stdin.readline()
            if not line:
                judge(False, "end of input before the answer")
            parts = line.split()
            if len(parts) != 2 or parts[0] not in ("?", "!") or not parts[1].lstrip("-").isdigit():
                judge(False, "malformed line %r" % line[:50])
            y = int(parts[1])
            if parts[0] == "!":
                if y != secret:
                    judge(False, "answered %d, the number was %d" % (y, secret))
                if sys.stdin.read(1):
                    judge(False, "output after the answer")
                judge(True, "found %d with %d questions" % (secret, questions))
            questions += 1
            if questions > 30:
                judge(False, "more than 30 questions")
            if not 1 <= y <= n:
                judge(False, "question %d out of range" % y)
            print("<" if secret < y else ">" if secret > y else "=", flush=True)
    except BrokenPipeError:
        judge(False, "the submission stopped reading")


main()
