use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Read};

fn main() {
    let mut s = String::new();
    io::stdin().read_to_string(&mut s).unwrap();
    let mut it = s.split_ascii_whitespace().map(|x| x.parse::<usize>().unwrap());
    let n = it.next().unwrap();
    let m = it.next().unwrap();
    let mut adj: Vec<Vec<(usize, u64)>> = vec![Vec::new(); n + 1];
    for _ in 0..m {
        let (u, v, w) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap() as u64);
        adj[u].push((v, w));
        adj[v].push((u, w));
    }
    // state = 2 * stop + (voucher used ? 1 : 0)
    let mut dist = vec![u64::MAX; 2 * (n + 1)];
    let mut pq = BinaryHeap::new();
    dist[2] = 0;
    pq.push(Reverse((0u64, 2usize)));
    while let Some(Reverse((d, s))) = pq.pop() {
        if d != dist[s] {
            continue;
        }
        let (u, used) = (s / 2, s % 2);
        for &(v, w) in &adj[u] {
            if d + w < dist[2 * v + used] {
                dist[2 * v + used] = d + w;
                pq.push(Reverse((d + w, 2 * v + used)));
            }
            if used == 0 && d < dist[2 * v + 1] {
                dist[2 * v + 1] = d;
                pq.push(Reverse((d, 2 * v + 1)));
            }
        }
    }
    let best = dist[2 * n].min(dist[2 * n + 1]);
    if best == u64::MAX {
        println!("-1");
    } else {
        println!("{}", best);
    }
}
