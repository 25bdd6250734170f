use std::collections::VecDeque;
use std::io::{self, Read};

fn main() {
    let mut s = String::new();
    io::stdin().read_to_string(&mut s).unwrap();
    let mut it = s.split_ascii_whitespace();
    let n: usize = it.next().unwrap().parse().unwrap();
    let m: usize = it.next().unwrap().parse().unwrap();
    let grid: Vec<&[u8]> = (0..n).map(|_| it.next().unwrap().as_bytes()).collect();
    let mut dist = vec![-1i32; n * m];
    let mut q = VecDeque::new();
    for i in 0..n {
        for j in 0..m {
            if grid[i][j] == b'R' {
                dist[i * m + j] = 0;
                q.push_back((i, j));
            }
        }
    }
    let mut worst = 0;
    while let Some((i, j)) = q.pop_front() {
        let d = dist[i * m + j];
        worst = worst.max(d);
        let cand = [
            (i.wrapping_sub(1), j),
            (i + 1, j),
            (i, j.wrapping_sub(1)),
            (i, j + 1),
        ];
        for &(a, b) in cand.iter() {
            if a < n && b < m && grid[a][b] != b'#' && dist[a * m + b] < 0 {
                dist[a * m + b] = d + 1;
                q.push_back((a, b));
            }
        }
    }
    let mut dark = 0u64;
    for i in 0..n {
        for j in 0..m {
            if grid[i][j] != b'#' && dist[i * m + j] < 0 {
                dark += 1;
            }
        }
    }
    println!("{} {}", worst, dark);
}
