use std::io::{self, Read};

fn main() {
    let mut inp = String::new();
    io::stdin().read_to_string(&mut inp).unwrap();
    let mut it = inp.split_ascii_whitespace();
    let n: usize = it.next().unwrap().parse().unwrap();
    let lo: i64 = it.next().unwrap().parse().unwrap();
    let hi: i64 = it.next().unwrap().parse().unwrap();
    let s = it.next().unwrap().as_bytes();
    let cap = 2 * n + 2;
    // suffix automaton with dense transitions
    let mut nxt = vec![[u32::MAX; 26]; cap];
    let mut len = vec![0i64; cap];
    let mut link = vec![usize::MAX; cap];
    let (mut sz, mut last) = (1usize, 0usize);
    for &ch in s {
        let c = (ch - b'a') as usize;
        let cur = sz;
        sz += 1;
        len[cur] = len[last] + 1;
        let mut p = last;
        while p != usize::MAX && nxt[p][c] == u32::MAX {
            nxt[p][c] = cur as u32;
            p = link[p];
        }
        if p == usize::MAX {
            link[cur] = 0;
        } else {
            let q = nxt[p][c] as usize;
            if len[p] + 1 == len[q] {
                link[cur] = q;
            } else {
                let cl = sz;
                sz += 1;
                len[cl] = len[p] + 1;
                nxt[cl] = nxt[q];
                link[cl] = link[q];
                while p != usize::MAX && nxt[p][c] == q as u32 {
                    nxt[p][c] = cl as u32;
                    p = link[p];
                }
                link[q] = cl;
                link[cur] = cl;
            }
        }
        last = cur;
    }
    let mut total = 0i64;
    for v in 1..sz {
        let a = (len[link[v]] + 1).max(lo);
        let b = len[v].min(hi);
        if b >= a {
            total += b - a + 1;
        }
    }
    println!("{}", total);
}
