import java.io.*;

public class Chorus {
    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        int n = readInt(in);
        int[] tail = new int[n];
        int len = 0;
        for (int i = 0; i < n; i++) {
            int h = readInt(in);
            int lo = 0, hi = len; // first index with tail[idx] >= h
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (tail[mid] < h) lo = mid + 1; else hi = mid;
            }
            tail[lo] = h;
            if (lo == len) len++;
        }
        System.out.println(len);
    }

    static int readInt(DataInputStream in) throws IOException {
        int c = in.read();
        while (c < '0' || c > '9') c = in.read();
        int r = 0;
        while (c >= '0' && c <= '9') { r = r * 10 + (c - '0'); c = in.read(); }
        return r;
    }
}
