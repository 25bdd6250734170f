use std::io::{self, Read};

fn main() {
    let mut s = String::new();
    io::stdin().read_to_string(&mut s).unwrap();
    let mut it = s.split_ascii_whitespace().map(|x| x.parse::<u32>().unwrap());
    let n = it.next().unwrap() as usize;
    let t: Vec<Vec<u32>> = (0..=n).map(|_| (0..=n).map(|_| it.next().unwrap()).collect()).collect();
    const INF: u32 = u32::MAX / 2;
    let full = 1usize << n;
    // best[mask * n + last]: shortest route over the fields in mask, ending at last
    let mut best = vec![INF; full * n];
    for j in 0..n {
        best[(1 << j) * n + j] = t[0][j + 1];
    }
    for mask in 1..full {
        for last in 0..n {
            let cur = best[mask * n + last];
            if cur >= INF {
                continue;
            }
            for nx in 0..n {
                if mask >> nx & 1 == 1 {
                    continue;
                }
                let idx = (mask | 1 << nx) * n + nx;
                let cand = cur + t[last + 1][nx + 1];
                if cand < best[idx] {
                    best[idx] = cand;
                }
            }
        }
    }
    let ans = (0..n).map(|last| best[(full - 1) * n + last] + t[last + 1][0]).min().unwrap();
    println!("{}", ans);
}
