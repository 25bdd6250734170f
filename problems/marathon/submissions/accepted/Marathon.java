import java.io.*;
import java.util.*;

public class Marathon {
    public static void main(String[] args) throws IOException {
        BufferedReader br = new BufferedReader(new InputStreamReader(System.in), 1 << 16);
        int n = Integer.parseInt(br.readLine().trim());
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            String[] p = br.readLine().trim().split(":");
            t[i] = Integer.parseInt(p[0]) * 3600 + Integer.parseInt(p[1]) * 60 + Integer.parseInt(p[2]);
        }
        // counting sort over all possible times (< 100 hours)
        int max = 100 * 3600;
        int[] faster = new int[max + 1];
        for (int x : t) faster[x + 1]++;
        for (int i = 1; i <= max; i++) faster[i] += faster[i - 1];
        StringBuilder sb = new StringBuilder();
        for (int x : t) sb.append(faster[x] + 1).append('\n');
        System.out.print(sb);
    }
}
