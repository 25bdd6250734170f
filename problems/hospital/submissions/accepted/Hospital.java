import java.io.*;

public class Hospital {
    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        int n = readInt(in);
        long[] p = new long[n + 1];
        long total = 0;
        for (int i = 1; i <= n; i++) { p[i] = readInt(in); total += p[i]; }
        int[] head = new int[n + 1], next = new int[2 * n], to = new int[2 * n], wt = new int[2 * n];
        java.util.Arrays.fill(head, -1);
        for (int i = 0; i < n - 1; i++) {
            int u = readInt(in), v = readInt(in), w = readInt(in);
            to[2 * i] = v; wt[2 * i] = w; next[2 * i] = head[u]; head[u] = 2 * i;
            to[2 * i + 1] = u; wt[2 * i + 1] = w; next[2 * i + 1] = head[v]; head[v] = 2 * i + 1;
        }
        int[] order = new int[n], par = new int[n + 1], pw = new int[n + 1];
        long[] depth = new long[n + 1], sub = new long[n + 1], cost = new long[n + 1];
        int cnt = 0;
        order[cnt++] = 1;
        par[1] = -1;
        for (int i = 0; i < cnt; i++) {
            int u = order[i];
            for (int e = head[u]; e >= 0; e = next[e]) {
                int v = to[e];
                if (v == par[u]) continue;
                par[v] = u; pw[v] = wt[e]; depth[v] = depth[u] + wt[e];
                order[cnt++] = v;
            }
        }
        for (int i = n - 1; i >= 0; i--) {
            int u = order[i];
            sub[u] += p[u];
            if (par[u] > 0) sub[par[u]] += sub[u];
            cost[1] += p[u] * depth[u];
        }
        for (int i = 1; i < n; i++) {
            int v = order[i];
            cost[v] = cost[par[v]] + (long) pw[v] * (total - 2 * sub[v]);
        }
        int best = 1;
        for (int v = 2; v <= n; v++) if (cost[v] < cost[best]) best = v;
        System.out.println(best + " " + cost[best]);
    }

    static int readInt(DataInputStream in) throws IOException {
        int c = in.read();
        while (c < '0' || c > '9') c = in.read();
        int r = 0;
        while (c >= '0' && c <= '9') { r = r * 10 + (c - '0'); c = in.read(); }
        return r;
    }
}
