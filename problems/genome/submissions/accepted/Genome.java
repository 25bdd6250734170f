import java.io.*;
import java.util.*;

public class Genome {
    public static void main(String[] args) throws IOException {
        BufferedReader br = new BufferedReader(new InputStreamReader(System.in), 1 << 16);
        StringTokenizer st = new StringTokenizer(br.readLine());
        int n = Integer.parseInt(st.nextToken()), lo = Integer.parseInt(st.nextToken()), hi = Integer.parseInt(st.nextToken());
        String s = br.readLine().trim();
        int cap = 2 * n + 2;
        int[] nxt = new int[cap * 26], len = new int[cap], link = new int[cap];
        Arrays.fill(nxt, -1);
        link[0] = -1;
        int sz = 1, last = 0;
        for (int i = 0; i < n; i++) {
            int c = s.charAt(i) - 'a', cur = sz++;
            len[cur] = len[last] + 1;
            int p = last;
            while (p != -1 && nxt[p * 26 + c] == -1) { nxt[p * 26 + c] = cur; p = link[p]; }
            if (p == -1) link[cur] = 0;
            else {
                int q = nxt[p * 26 + c];
                if (len[p] + 1 == len[q]) link[cur] = q;
                else {
                    int cl = sz++;
                    len[cl] = len[p] + 1;
                    System.arraycopy(nxt, q * 26, nxt, cl * 26, 26);
                    link[cl] = link[q];
                    while (p != -1 && nxt[p * 26 + c] == q) { nxt[p * 26 + c] = cl; p = link[p]; }
                    link[q] = cl;
                    link[cur] = cl;
                }
            }
            last = cur;
        }
        long total = 0;
        for (int v = 1; v < sz; v++) {
            int a = Math.max(len[link[v]] + 1, lo), b = Math.min(len[v], hi);
            if (b >= a) total += b - a + 1;
        }
        System.out.println(total);
    }
}
