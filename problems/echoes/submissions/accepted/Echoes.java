import java.io.*;

public class Echoes {
    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        int n = readInt(in), q = readInt(in);
        int[][] pre = new int[26][n + 1];
        int c = in.read();
        while (c < 'a' || c > 'z') c = in.read();
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 26; k++) pre[k][i + 1] = pre[k][i];
            pre[c - 'a'][i + 1]++;
            c = in.read();
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < q; i++) {
            int l = readInt(in), r = readInt(in);
            long total = 0;
            for (int k = 0; k < 26; k++) {
                long cnt = pre[k][r] - pre[k][l - 1];
                total += cnt * (cnt + 1) / 2;
            }
            sb.append(total).append('\n');
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
