import java.io.*;

public class Wifi {
    public static void main(String[] args) throws IOException {
        BufferedReader br = new BufferedReader(new InputStreamReader(System.in), 1 << 16);
        String[] nm = br.readLine().trim().split(" ");
        int n = Integer.parseInt(nm[0]), m = Integer.parseInt(nm[1]);
        boolean[] free = new boolean[n * m];
        int[] dist = new int[n * m];
        int[] q = new int[n * m];
        int head = 0, tail = 0;
        for (int i = 0; i < n; i++) {
            String row = br.readLine();
            for (int j = 0; j < m; j++) {
                char c = row.charAt(j);
                int id = i * m + j;
                free[id] = c != '#';
                dist[id] = -1;
                if (c == 'R') { dist[id] = 0; q[tail++] = id; }
            }
        }
        int worst = 0;
        while (head < tail) {
            int c = q[head++], i = c / m, j = c % m;
            worst = Math.max(worst, dist[c]);
            if (i > 0 && free[c - m] && dist[c - m] < 0) { dist[c - m] = dist[c] + 1; q[tail++] = c - m; }
            if (i + 1 < n && free[c + m] && dist[c + m] < 0) { dist[c + m] = dist[c] + 1; q[tail++] = c + m; }
            if (j > 0 && free[c - 1] && dist[c - 1] < 0) { dist[c - 1] = dist[c] + 1; q[tail++] = c - 1; }
            if (j + 1 < m && free[c + 1] && dist[c + 1] < 0) { dist[c + 1] = dist[c] + 1; q[tail++] = c + 1; }
        }
        long dark = 0;
        for (int id = 0; id < n * m; id++) if (free[id] && dist[id] < 0) dark++;
        System.out.println(worst + " " + dark);
    }
}
