use std::io::{self, Read};

fn main() {
    let mut s = String::new();
    io::stdin().read_to_string(&mut s).unwrap();
    let mut it = s.split_ascii_whitespace().map(|x| x.parse::<u64>().unwrap());
    let n = it.next().unwrap() as usize;
    let mut h: Vec<u64> = it.take(n).collect();
    h.push(0);
    let mut st: Vec<usize> = Vec::with_capacity(n + 1);
    let mut best = 0u64;
    for i in 0..=n {
        while let Some(&top) = st.last() {
            if h[top] < h[i] {
                break;
            }
            st.pop();
            let left = st.last().map_or(0, |&l| l + 1);
            best = best.max(h[top] * (i - left) as u64);
        }
        st.push(i);
    }
    println!("{}", best);
}
