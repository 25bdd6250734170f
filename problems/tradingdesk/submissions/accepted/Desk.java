import java.io.*;

public class Desk {
    // bottom-up segment tree over size = power of two; identity is represented by a flag
    static int size;
    static long[] sum, pre, suf, best;
    static boolean[] empty;

    static void pull(int v) {
        int a = 2 * v, b = 2 * v + 1;
        if (empty[a] || empty[b]) {
            int c = empty[a] ? b : a;
            sum[v] = sum[c]; pre[v] = pre[c]; suf[v] = suf[c]; best[v] = best[c]; empty[v] = empty[c];
            return;
        }
        sum[v] = sum[a] + sum[b];
        pre[v] = Math.max(pre[a], sum[a] + pre[b]);
        suf[v] = Math.max(suf[b], sum[b] + suf[a]);
        best[v] = Math.max(Math.max(best[a], best[b]), suf[a] + pre[b]);
        empty[v] = false;
    }

    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        int n = (int) readLong(in), q = (int) readLong(in);
        size = 1;
        while (size < n) size *= 2;
        sum = new long[2 * size]; pre = new long[2 * size]; suf = new long[2 * size]; best = new long[2 * size];
        empty = new boolean[2 * size];
        for (int i = 0; i < size; i++) {
            if (i < n) { long x = readLong(in); sum[size + i] = pre[size + i] = suf[size + i] = best[size + i] = x; }
            else empty[size + i] = true;
        }
        for (int v = size - 1; v >= 1; v--) pull(v);
        StringBuilder sb = new StringBuilder();
        for (int e = 0; e < q; e++) {
            int type = (int) readLong(in);
            long x = readLong(in), y = readLong(in);
            if (type == 1) {
                int v = size + (int) x - 1;
                sum[v] = pre[v] = suf[v] = best[v] = y;
                for (v /= 2; v >= 1; v /= 2) pull(v);
            } else {
                // combine left parts in order and right parts in reverse order
                long ls = 0, lp = 0, lsu = 0, lb = 0; boolean le = true;
                long rs = 0, rp = 0, rsu = 0, rb = 0; boolean re = true;
                int l = size + (int) x - 1, r = size + (int) y;
                while (l < r) {
                    if ((l & 1) == 1) {
                        if (le) { ls = sum[l]; lp = pre[l]; lsu = suf[l]; lb = best[l]; le = false; }
                        else {
                            long nb = Math.max(Math.max(lb, best[l]), lsu + pre[l]);
                            long np = Math.max(lp, ls + pre[l]);
                            long nsu = Math.max(suf[l], sum[l] + lsu);
                            ls += sum[l]; lp = np; lsu = nsu; lb = nb;
                        }
                        l++;
                    }
                    if ((r & 1) == 1) {
                        r--;
                        if (re) { rs = sum[r]; rp = pre[r]; rsu = suf[r]; rb = best[r]; re = false; }
                        else {
                            long nb = Math.max(Math.max(best[r], rb), suf[r] + rp);
                            long np = Math.max(pre[r], sum[r] + rp);
                            long nsu = Math.max(rsu, rs + suf[r]);
                            rs += sum[r]; rp = np; rsu = nsu; rb = nb;
                        }
                    }
                    l /= 2; r /= 2;
                }
                long ans;
                if (le) ans = rb;
                else if (re) ans = lb;
                else ans = Math.max(Math.max(lb, rb), lsu + rp);
                sb.append(ans).append('\n');
            }
        }
        System.out.print(sb);
    }

    static long readLong(DataInputStream in) throws IOException {
        int c = in.read();
        while (c != '-' && (c < '0' || c > '9')) c = in.read();
        boolean neg = c == '-';
        if (neg) c = in.read();
        long r = 0;
        while (c >= '0' && c <= '9') { r = r * 10 + (c - '0'); c = in.read(); }
        return neg ? -r : r;
    }
}
