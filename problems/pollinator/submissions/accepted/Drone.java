import java.io.*;
import java.util.*;

public class Drone {
    public static void main(String[] args) throws IOException {
        StreamTokenizer st = new StreamTokenizer(new BufferedInputStream(System.in));
        st.nextToken();
        int n = (int) st.nval;
        int[][] t = new int[n + 1][n + 1];
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= n; j++) { st.nextToken(); t[i][j] = (int) st.nval; }
        final int INF = Integer.MAX_VALUE / 2;
        int full = 1 << n;
        int[] best = new int[full * n]; // best[mask * n + last]
        Arrays.fill(best, INF);
        for (int j = 0; j < n; j++) best[(1 << j) * n + j] = t[0][j + 1];
        for (int mask = 1; mask < full; mask++)
            for (int last = 0; last < n; last++) {
                int cur = best[mask * n + last];
                if (cur >= INF) continue;
                for (int nx = 0; nx < n; nx++) {
                    if ((mask >> nx & 1) != 0) continue;
                    int idx = (mask | 1 << nx) * n + nx, cand = cur + t[last + 1][nx + 1];
                    if (cand < best[idx]) best[idx] = cand;
                }
            }
        int ans = INF;
        for (int last = 0; last < n; last++) ans = Math.min(ans, best[(full - 1) * n + last] + t[last + 1][0]);
        System.out.println(ans);
    }
}
