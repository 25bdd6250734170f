use std::io::{self, Read};

fn main() {
    let mut s = String::new();
    io::stdin().read_to_string(&mut s).unwrap();
    let mut it = s.split_ascii_whitespace().map(|x| x.parse::<u64>().unwrap());
    let n = it.next().unwrap() as usize;
    let cap = it.next().unwrap();
    let mut w: Vec<u64> = it.take(n).collect();
    w.sort_unstable();
    // two pointers: pair the heaviest remaining child with the lightest if possible
    let (mut i, mut j, mut canoes) = (0usize, n as i64 - 1, 0u32);
    while (i as i64) <= j {
        if (i as i64) < j && w[i] + w[j as usize] <= cap {
            i += 1;
        }
        j -= 1;
        canoes += 1;
    }
    println!("{}", canoes);
}
