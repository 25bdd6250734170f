# Reads n and then waits for the judge, which waits for a question: neither
# moves until the submission's wall limit.
import sys
n = int(sys.stdin.readline())
sys.stdin.readline()
