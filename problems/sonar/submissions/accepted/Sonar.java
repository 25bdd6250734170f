import java.io.BufferedReader;
import java.io.InputStreamReader;

public class Sonar {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        long n = Long.parseLong(in.readLine().trim());
        long lo = 1, hi = n;
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            System.out.println("? " + mid);
            System.out.flush();
            String r = in.readLine().trim();
            if (r.equals("=")) {
                lo = hi = mid;
            } else if (r.equals("<")) {
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        System.out.println("! " + lo);
        System.out.flush();
    }
}
