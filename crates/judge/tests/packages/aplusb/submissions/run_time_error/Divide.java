public class Divide {
    public static void main(String[] args) {
        int zero = args.length;
        System.out.println(1 / zero);
    }
}
