import java.io.*;
import java.util.*;

public class Bells {
    static long gcd(long a, long b) { while (b != 0) { long t = a % b; a = b; b = t; } return a; }

    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        int t = (int) readLong(in);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t; i++) {
            long n = readLong(in), a = readLong(in), b = readLong(in);
            long g = gcd(a, b);
            long both = (a / g <= n / b) ? n / (a / g * b) : 0;
            sb.append(n / a + n / b - 2 * both).append('\n');
        }
        System.out.print(sb);
    }

    static long readLong(DataInputStream in) throws IOException {
        int c = in.read();
        while (c < '0' || c > '9') c = in.read();
        long r = 0;
        while (c >= '0' && c <= '9') { r = r * 10 + (c - '0'); c = in.read(); }
        return r;
    }
}
