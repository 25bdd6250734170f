use std::io::{self, Read};

fn main() {
    let mut s = String::new();
    io::stdin().read_to_string(&mut s).unwrap();
    let mut it = s.split_ascii_whitespace().map(|x| x.parse::<i64>().unwrap());
    let n = it.next().unwrap() as usize;
    let p: Vec<i64> = std::iter::once(0).chain((0..n).map(|_| it.next().unwrap())).collect();
    let total: i64 = p.iter().sum();
    let mut adj: Vec<Vec<(usize, i64)>> = vec![Vec::new(); n + 1];
    for _ in 0..n - 1 {
        let (u, v, w) = (it.next().unwrap() as usize, it.next().unwrap() as usize, it.next().unwrap());
        adj[u].push((v, w));
        adj[v].push((u, w));
    }
    let mut order = Vec::with_capacity(n);
    let mut par = vec![0usize; n + 1];
    let mut pw = vec![0i64; n + 1];
    let mut depth = vec![0i64; n + 1];
    order.push(1usize);
    let mut i = 0;
    while i < order.len() {
        let u = order[i];
        for &(v, w) in &adj[u] {
            if v != par[u] {
                par[v] = u;
                pw[v] = w;
                depth[v] = depth[u] + w;
                order.push(v);
            }
        }
        i += 1;
    }
    let mut sub = vec![0i64; n + 1];
    let mut cost = vec![0i64; n + 1];
    for &u in order.iter().rev() {
        sub[u] += p[u];
        if par[u] > 0 {
            sub[par[u]] += sub[u];
        }
        cost[1] += p[u] * depth[u];
    }
    for &v in order.iter().skip(1) {
        cost[v] = cost[par[v]] + pw[v] * (total - 2 * sub[v]);
    }
    let mut best = 1;
    for v in 2..=n {
        if cost[v] < cost[best] {
            best = v;
        }
    }
    println!("{} {}", best, cost[best]);
}
