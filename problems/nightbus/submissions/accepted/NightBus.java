import java.io.*;
import java.util.*;

public class NightBus {
    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        int n = readInt(in), m = readInt(in);
        int[] head = new int[n + 1], next = new int[2 * m], to = new int[2 * m], wt = new int[2 * m];
        Arrays.fill(head, -1);
        for (int i = 0; i < m; i++) {
            int u = readInt(in), v = readInt(in), w = readInt(in);
            to[2 * i] = v; wt[2 * i] = w; next[2 * i] = head[u]; head[u] = 2 * i;
            to[2 * i + 1] = u; wt[2 * i + 1] = w; next[2 * i + 1] = head[v]; head[v] = 2 * i + 1;
        }
        long[] dist = new long[2 * (n + 1)];
        Arrays.fill(dist, Long.MAX_VALUE);
        // heap entries pack (distance, state) as distance * 2^17 + state; distances < 2^40
        PriorityQueue<Long> pq = new PriorityQueue<>();
        dist[2] = 0;
        pq.add(2L);
        final long SHIFT = 1L << 17;
        while (!pq.isEmpty()) {
            long top = pq.poll();
            long d = top / SHIFT;
            int s = (int) (top % SHIFT);
            if (d != dist[s]) continue;
            int u = s / 2, used = s % 2;
            for (int e = head[u]; e >= 0; e = next[e]) {
                int v = to[e];
                long nd = d + wt[e];
                if (nd < dist[2 * v + used]) { dist[2 * v + used] = nd; pq.add(nd * SHIFT + 2 * v + used); }
                if (used == 0 && d < dist[2 * v + 1]) { dist[2 * v + 1] = d; pq.add(d * SHIFT + 2 * v + 1); }
            }
        }
        long best = Math.min(dist[2 * n], dist[2 * n + 1]);
        System.out.println(best == Long.MAX_VALUE ? -1 : best);
    }

    static int readInt(DataInputStream in) throws IOException {
        int c = in.read();
        while (c < '0' || c > '9') c = in.read();
        int r = 0;
        while (c >= '0' && c <= '9') { r = r * 10 + (c - '0'); c = in.read(); }
        return r;
    }
}
