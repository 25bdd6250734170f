import java.io.*;

public class Islands {
    static int[] par, size;

    static int find(int x) {
        while (par[x] != x) { par[x] = par[par[x]]; x = par[x]; }
        return x;
    }

    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        int n = readInt(in), q = readInt(in);
        par = new int[n + 1];
        size = new int[n + 1];
        for (int i = 0; i <= n; i++) { par[i] = i; size[i] = 1; }
        int largest = 1, groups = n;
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < q; j++) {
            int u = find(readInt(in)), v = find(readInt(in));
            if (u != v) {
                if (size[u] < size[v]) { int t = u; u = v; v = t; }
                par[v] = u;
                size[u] += size[v];
                largest = Math.max(largest, size[u]);
                groups--;
            }
            sb.append(largest).append(' ').append(groups).append('\n');
        }
        System.out.print(sb);
    }

    static int readInt(DataInputStream in) throws IOException {
        int c = in.read();
        while (c < '0' || c > '9') c = in.read();
        int r = 0;
        while (c >= '0' && c <= '9') { r = r * 10 + (c - '0'); c = in.read(); }
        return r;
    }
}
