use super::*;

/// A language from the built-in entry `id`, its tools at fixed paths (nothing is
/// probed), so that commands can be checked on any machine.
fn language(id: &str) -> Language {
    let spec = LanguageTable::builtin()
        .languages
        .into_iter()
        .find(|l| l.id == id)
        .expect("built-in entry");
    Language {
        id: spec.id.clone(),
        name: spec.name.clone(),
        version: String::new(),
        extensions: spec.extensions.clone(),
        tool: PathBuf::from("/usr/bin/tool"),
        home: PathBuf::from("/opt/home"),
        runtime: spec
            .runtime
            .as_ref()
            .map(|_| PathBuf::from("/usr/bin/java")),
        spec: Arc::new(spec),
        readonly_paths: Vec::new(),
    }
}

fn languages(ids: &[&str]) -> Languages {
    Languages {
        languages: ids.iter().map(|id| language(id)).collect(),
    }
}

#[test]
fn a_source_without_a_name_is_saved_as_the_language_needs() {
    let java = language("java");
    assert_eq!(java.source_name(&java.unnamed_source()), "Main.java");
    assert_eq!(java.source_name(Path::new("Sum.java")), "Sum.java");
    let c = language("c");
    assert_eq!(c.source_name(&c.unnamed_source()), "main.c");
    let scala = language("scala");
    assert_eq!(scala.source_name(&scala.unnamed_source()), "Main.scala");
    assert_eq!(scala.source_name(Path::new("Sum.scala")), "Sum.scala");
}

#[test]
fn the_built_in_table_keeps_the_flags_of_the_first_seven_languages() {
    let (c, collect) = language("c").compile("main.c").expect("compiles");
    assert_eq!(
        c.argv.join(" "),
        "/usr/bin/tool -x c -std=gnu17 -O2 -static -pipe -o prog main.c -lm"
    );
    assert_eq!(collect, ["prog"]);
    let java = language("java");
    let (javac, collect) = java.compile("Sum.java").expect("compiles");
    assert_eq!(
        javac.argv.join(" "),
        "/usr/bin/tool -encoding UTF-8 -J-Xms32m -J-Xmx512m -J-XX:+UseSerialGC \
         -J-XX:ActiveProcessorCount=1 Sum.java"
    );
    assert_eq!(collect, ["*.class"]);
    assert_eq!(
        java.run("Sum.java", 256).argv.join(" "),
        "/usr/bin/java -Xmx256m -Xss64m -XX:+UseSerialGC -XX:ActiveProcessorCount=1 \
         -XX:-UsePerfData -cp . Sum"
    );
    assert!(java.run_keeps_source());
    assert_eq!(
        language("javascript").run("main.js", 300).argv.join(" "),
        "/usr/bin/tool --max-old-space-size=300 --stack-size=65500 main.js"
    );
    let (go, _) = language("go").compile("main.go").expect("compiles");
    for var in [
        "GOCACHE=/tmp/gocache",
        "GOPATH=/tmp/gopath",
        "CGO_ENABLED=0",
        "GO111MODULE=off",
        "PATH=/usr/bin:/bin",
    ] {
        assert!(
            go.env.iter().any(|(k, v)| format!("{k}={v}") == var),
            "{var}: {:?}",
            go.env
        );
    }
    assert_eq!(language("go").run("main.go", 1).argv, ["/box/prog"]);
    assert!(language("go").run("main.go", 1).env.len() == base_env().len());
}

#[test]
fn jvm_languages_get_the_memory_limit_and_their_library() {
    let kotlin = language("kotlin").run("main.kt", 128).argv.join(" ");
    assert!(kotlin.contains("-Xmx128m"), "{kotlin}");
    assert!(
        kotlin.ends_with("-cp .:/opt/home/lib/kotlin-stdlib.jar MainKt"),
        "{kotlin}"
    );
    let scala = language("scala").run("Sum.scala", 64).argv.join(" ");
    assert!(
        scala.ends_with("-cp .:/opt/home/lib/scala-library.jar Sum"),
        "{scala}"
    );
}

#[test]
fn files_are_matched_by_extension_then_by_shebang() {
    let langs = languages(&["c", "cpp", "python", "pypy3", "ruby", "php", "kotlin"]);
    let id = |path: &str, code: &str| {
        langs
            .for_source(Path::new(path), code.as_bytes())
            .map(|l| l.id.clone())
    };
    assert_eq!(id("x.cc", "").as_deref(), Some("cpp"));
    assert_eq!(id("x.C++", "").as_deref(), Some("cpp"));
    assert_eq!(id("x.py3", "").as_deref(), Some("python"));
    assert_eq!(id("x.kt", "").as_deref(), Some("kotlin"));
    assert_eq!(id("x", "#!/usr/bin/python3\n").as_deref(), Some("python"));
    assert_eq!(
        id("x", "#!/usr/bin/python3.11 -u\n").as_deref(),
        Some("python")
    );
    assert_eq!(id("x", "#!/usr/bin/env pypy3\n").as_deref(), Some("pypy3"));
    assert_eq!(
        id("solve", "#! /usr/bin/env -S ruby -w\n").as_deref(),
        Some("ruby")
    );
    assert_eq!(
        id("x.txt", "#!/usr/bin/php\n<?php\n").as_deref(),
        Some("php")
    );
    assert_eq!(id("x", "#!/bin/sh\n"), None);
    assert_eq!(id("x", "print(1)\n"), None);
    // The extension wins over the shebang.
    assert_eq!(id("x.c", "#!/usr/bin/python3\n").as_deref(), Some("c"));
}

#[test]
fn languages_are_found_by_id_or_alias() {
    let langs = languages(&["cpp", "python", "pypy3", "csharp"]);
    let id = |name: &str| langs.get(name).map(|l| l.id.clone());
    assert_eq!(id("python3").as_deref(), Some("python"));
    assert_eq!(id("C++").as_deref(), Some("cpp"));
    assert_eq!(id("pypy").as_deref(), Some("pypy3"));
    assert_eq!(id("C#").as_deref(), Some("csharp"));
    assert_eq!(id("cobol"), None);
}

#[test]
fn an_override_replaces_entries_by_id_and_adds_new_ones() {
    let mut table = LanguageTable::builtin();
    let before = table.languages.len();
    let extra = LanguageTable::parse(
        r#"
[[language]]
id = "c"
name = "C (clang)"
extensions = ["c"]
tool = { paths = ["/usr/bin/clang"] }
version = { args = ["--version"] }
source = "main.c"
compile = ["{tool}", "-O2", "-o", "prog", "{source}"]
collect = ["prog"]
run = ["/box/prog"]

[[language]]
id = "lua"
name = "Lua"
extensions = ["lua"]
shebang = ["lua"]
tool = { name = "lua5.4" }
version = { args = ["-v"], word = 1, format = "Lua {version}" }
source = "main.lua"
run = ["{tool}", "{source}"]
run_env = { LUA_INIT = "" }
"#,
        "test",
    )
    .expect("parses");
    table.apply(extra);
    assert_eq!(table.languages.len(), before + 1);
    assert_eq!(table.languages[0].id, "c");
    assert_eq!(table.languages[0].name, "C (clang)");
    assert_eq!(
        table.languages[0].tool.paths,
        [PathBuf::from("/usr/bin/clang")]
    );
    let lua = table.languages.last().expect("added");
    assert_eq!(lua.id, "lua");
    assert!(lua.compile.is_empty());
    assert_eq!(table.languages[1].id, "cpp", "the others stay in place");
}

#[test]
fn a_table_file_is_read_over_the_built_in_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("languages.toml");
    std::fs::write(
        &path,
        "[[language]]\nid = \"python\"\nname = \"Python 3 (-O)\"\nextensions = [\"py\"]\n\
         tool = { paths = [\"/usr/bin/python3\"] }\nversion = { args = [\"--version\"] }\n\
         source = \"main.py\"\nrun = [\"{tool}\", \"-O\", \"{source}\"]\n",
    )
    .expect("write");
    let table = LanguageTable::load(Some(&path)).expect("loads");
    let python = table.languages.iter().find(|l| l.id == "python");
    assert_eq!(python.map(|l| l.name.as_str()), Some("Python 3 (-O)"));
    let missing = LanguageTable::load(Some(&dir.path().join("nope.toml")));
    assert!(matches!(missing, Err(LanguageTableError::Read { .. })));
}

#[test]
fn a_bad_table_names_the_language_and_the_field() {
    let entry = |fields: &str| {
        format!(
            "[[language]]\nid = \"x\"\nname = \"X\"\ntool = {{ name = \"x\" }}\n\
             version = {{ args = [\"-v\"] }}\nsource = \"main.x\"\n{fields}\n"
        )
    };
    let cases = [
        (entry("run = []"), "`run`"),
        (
            entry("run = [\"{tool}\", \"{sauce}\"]"),
            "unknown placeholder {sauce}",
        ),
        (entry("run = [\"{runtime}\"]"), "`run`"),
        (
            entry("run = [\"x\"]\ncompile = [\"{memory_mib}\"]"),
            "`compile`",
        ),
        (
            entry("run = [\"x\"]\nextensions = [\".x\"]"),
            "`extensions`",
        ),
        (entry("run = [\"x\"]\ncollect = [\"prog\"]"), "`collect`"),
        (
            entry("run = [\"x\"]\nreadonly_paths = [\"etc/x\"]"),
            "`readonly_paths`",
        ),
        (
            entry("run = [\"x\"]").replace("source = \"main.x\"", "source = \"../x\""),
            "`source`",
        ),
        (
            entry("run = [\"x\"]").replace("tool = { name = \"x\" }", "tool = {}"),
            "`tool`",
        ),
    ];
    for (text, field) in cases {
        let err = LanguageTable::parse(&text, "ops.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("ops.toml") && err.contains("\"x\"") && err.contains(field),
            "{field}: {err}"
        );
    }
    let twice = format!("{}{}", entry("run = [\"x\"]"), entry("run = [\"x\"]"));
    assert!(matches!(
        LanguageTable::parse(&twice, "t"),
        Err(LanguageTableError::Duplicate { .. })
    ));
    // Unknown keys and wrong types are refused by the parser, naming the key.
    let err = LanguageTable::parse(&entry("run = [\"x\"]\nrun_flags = []"), "t")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("run_flags"), "{err}");
}

#[test]
fn placeholders_are_filled_in_one_pass() {
    let values = [
        ("tool", "/a/{source}".to_string()),
        ("source", "m.c".into()),
    ];
    assert_eq!(
        table::expand("{tool} {source} {x}", &values),
        "/a/{source} m.c {x}"
    );
}

#[test]
fn versions_are_read_as_the_table_says() {
    let spec = |line: Option<&str>, word: Option<usize>, format: &str| table::VersionSpec {
        args: vec![],
        line_containing: line.map(String::from),
        word,
        format: format.into(),
    };
    let pypy = "Python 3.9.16 (7.3.11+dfsg, Dec 30 2024)\n[PyPy 7.3.11 with GCC 12.2.0]\n";
    assert_eq!(
        discover::version_of(pypy, &spec(Some("PyPy"), Some(1), "PyPy {version}")).as_deref(),
        Some("PyPy 7.3.11")
    );
    assert_eq!(
        discover::version_of(
            "go version go1.19.8 linux/amd64\n",
            &spec(None, Some(2), "{version}")
        )
        .as_deref(),
        Some("go1.19.8")
    );
    assert_eq!(
        discover::version_of("x\n", &spec(Some("y"), None, "{version}")),
        None
    );
}
