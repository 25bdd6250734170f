"""Multi-pass validator of Relay: the pass input is `p a b`, the output must
be a + b; passes 1 and 2 write nextpass.in, pass 3 checks the final value
against the answer file. state.txt in the feedback directory counts the
passes (checking that feedback files persist between passes)."""
import os
import sys

p, a, b = map(int, open(sys.argv[1]).read().split())
final = int(open(sys.argv[2]).read())
feedback = sys.argv[3]
state = os.path.join(feedback, "state.txt")
seen = int(open(state).read()) if os.path.exists(state) else 0
if seen != p - 1:
    print("state.txt says %d passes before pass %d" % (seen, p), file=sys.stderr)
    sys.exit(1)
with open(state, "w") as f:
    f.write(str(p))


def judge(ok, message):
    with open(os.path.join(feedback, "judgemessage.txt"), "a") as f:
        f.write("pass %d: %s\n" % (p, message))
    sys.exit(42 if ok else 43)


tokens = sys.stdin.read().split()
if len(tokens) != 1 or not tokens[0].lstrip("-").isdigit() or int(tokens[0]) != a + b:
    judge(False, "expected %d, got %r" % (a + b, " ".join(tokens)[:40]))
if p < 3:
    with open(os.path.join(feedback, "nextpass.in"), "w") as f:
        f.write("%d %d %d\n" % (p + 1, a + b, b))
    judge(True, "ok")
judge(a + b == final, "final %d" % (a + b))
