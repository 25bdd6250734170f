//! A small problem package for tests and benchmarks that need one.

use std::path::Path;

/// Writes the "sum" package at `root`: two integers in, their sum out; a Markdown
/// statement, one sample and three secret tests (the third overflows 32 bits).
pub fn write_sum_package(root: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join("statement"))?;
    std::fs::write(
        root.join("statement/problem.en.md"),
        "Read two integers $a$ and $b$; print $a + b$.\n",
    )?;
    std::fs::write(
        root.join("problem.yaml"),
        "problem_format_version: 2023-07-draft\nname: Sum\nlimits:\n  time_limit: 2\n  memory: 256\n",
    )?;
    let groups = [
        ("sample", vec![("1", "1 2", "3")]),
        (
            "secret",
            vec![
                ("1", "10 20", "30"),
                ("2", "-5 5", "0"),
                ("3", "1500000000 1500000000", "3000000000"),
            ],
        ),
    ];
    for (group, cases) in groups {
        let data = root.join("data").join(group);
        std::fs::create_dir_all(&data)?;
        for (name, input, answer) in cases {
            std::fs::write(data.join(format!("{name}.in")), format!("{input}\n"))?;
            std::fs::write(data.join(format!("{name}.ans")), format!("{answer}\n"))?;
        }
    }
    Ok(())
}
