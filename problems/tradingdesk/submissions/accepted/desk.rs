use std::io::{self, Read, Write};

#[derive(Clone, Copy)]
struct Node {
    sum: i64,
    pre: i64,
    suf: i64,
    best: i64,
}

fn leaf(x: i64) -> Node {
    Node { sum: x, pre: x, suf: x, best: x }
}

fn merge(a: Node, b: Node) -> Node {
    Node {
        sum: a.sum + b.sum,
        pre: a.pre.max(a.sum + b.pre),
        suf: b.suf.max(b.sum + a.suf),
        best: a.best.max(b.best).max(a.suf + b.pre),
    }
}

struct Tree {
    t: Vec<Node>,
}

impl Tree {
    fn build(&mut self, v: usize, l: usize, r: usize, a: &[i64]) {
        if l == r {
            self.t[v] = leaf(a[l]);
            return;
        }
        let m = (l + r) / 2;
        self.build(2 * v, l, m, a);
        self.build(2 * v + 1, m + 1, r, a);
        self.t[v] = merge(self.t[2 * v], self.t[2 * v + 1]);
    }
    fn update(&mut self, v: usize, l: usize, r: usize, i: usize, x: i64) {
        if l == r {
            self.t[v] = leaf(x);
            return;
        }
        let m = (l + r) / 2;
        if i <= m {
            self.update(2 * v, l, m, i, x);
        } else {
            self.update(2 * v + 1, m + 1, r, i, x);
        }
        self.t[v] = merge(self.t[2 * v], self.t[2 * v + 1]);
    }
    fn query(&self, v: usize, l: usize, r: usize, ql: usize, qr: usize) -> Node {
        if ql <= l && r <= qr {
            return self.t[v];
        }
        let m = (l + r) / 2;
        if qr <= m {
            self.query(2 * v, l, m, ql, qr)
        } else if ql > m {
            self.query(2 * v + 1, m + 1, r, ql, qr)
        } else {
            merge(self.query(2 * v, l, m, ql, qr), self.query(2 * v + 1, m + 1, r, ql, qr))
        }
    }
}

fn main() {
    let mut s = String::new();
    io::stdin().read_to_string(&mut s).unwrap();
    let mut it = s.split_ascii_whitespace().map(|x| x.parse::<i64>().unwrap());
    let n = it.next().unwrap() as usize;
    let q = it.next().unwrap() as usize;
    let a: Vec<i64> = (0..n).map(|_| it.next().unwrap()).collect();
    let mut tree = Tree { t: vec![leaf(0); 4 * n] };
    tree.build(1, 0, n - 1, &a);
    let mut out = String::new();
    for _ in 0..q {
        let (ty, x, y) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
        if ty == 1 {
            tree.update(1, 0, n - 1, x as usize - 1, y);
        } else {
            let node = tree.query(1, 0, n - 1, x as usize - 1, y as usize - 1);
            out.push_str(&node.best.to_string());
            out.push('\n');
        }
    }
    io::stdout().write_all(out.as_bytes()).unwrap();
}
