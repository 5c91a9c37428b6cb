//! The terminal: `--quiet`, `--log-format json` and plain lines on stderr, shell
//! completions, the examples at the end of every command's `--help` (each one run), and
//! outputs byte-identical whatever the terminal shows (the progress hook never changes
//! the search).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use common::*;
use serde_json::Value;

/// The demo run once per terminal mode (shared by the tests of this file): its output
/// folder and what the command printed.
struct DemoRun {
    out: PathBuf,
    output: Output,
}

fn demo_run(mode: &str) -> &'static DemoRun {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    static PLAIN: OnceLock<DemoRun> = OnceLock::new();
    static QUIET: OnceLock<DemoRun> = OnceLock::new();
    static JSON: OnceLock<DemoRun> = OnceLock::new();
    let dir = DIR.get_or_init(tempdir);
    let (cell, flags): (&OnceLock<DemoRun>, &[&str]) = match mode {
        "plain" => (&PLAIN, &[]),
        "quiet" => (&QUIET, &["--quiet"]),
        "json" => (&JSON, &["--log-format", "json"]),
        other => panic!("no demo mode {other}"),
    };
    cell.get_or_init(|| {
        let out = dir.path().join(mode);
        let mut args = vec![
            "demo".to_string(),
            "--out".into(),
            out.display().to_string(),
        ];
        args.extend(flags.iter().map(|s| s.to_string()));
        let output = run(&args);
        assert_code(&output, 0, &format!("allot {}", args.join(" ")));
        DemoRun { out, output }
    })
}

/// Every stderr line parsed as a JSON object (the test fails on any other line).
fn json_lines(err: &str) -> Vec<serde_json::Map<String, Value>> {
    err.lines()
        .map(|l| match serde_json::from_str::<Value>(l) {
            Ok(Value::Object(o)) => o,
            other => panic!("stderr line is not a JSON object ({other:?}): {l:?}\n{err}"),
        })
        .collect()
}

#[test]
fn quiet_prints_nothing_on_success() {
    let r = demo_run("quiet");
    assert_eq!(stderr(&r.output), "", "--quiet printed on stderr");
    // The capacity table still goes to stdout.
    assert!(
        stdout(&r.output).contains("headcount"),
        "{}",
        stdout(&r.output)
    );
    assert!(r.out.join("assignments.csv").exists());
}

#[test]
fn quiet_still_prints_the_error_line_with_the_exit_code() {
    let dir = tempdir();
    let missing = dir.path().join("no-such-accounts.csv");
    let out = dir.path().join("out");
    for flags in [&["--quiet"][..], &["-q", "--log-format", "plain"][..]] {
        let mut args = vec![
            "balance".to_string(),
            "--accounts".into(),
            missing.display().to_string(),
            "--reps".into(),
            demo_input("reps.csv").display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ];
        args.extend(flags.iter().map(|s| s.to_string()));
        let o = run(&args);
        assert_code(&o, 1, "a missing accounts file with --quiet");
        let err = stderr(&o);
        assert!(
            err.starts_with("error: ") && err.contains("no-such-accounts.csv"),
            "{flags:?}: no error line naming the file:\n{err}"
        );
        assert!(
            err.lines()
                .all(|l| l.starts_with("error: ") || l.starts_with("  ")),
            "{flags:?}: more than the error on stderr:\n{err}"
        );
    }
}

#[test]
fn json_log_lines_are_json_with_the_solving_and_final_events() {
    let r = demo_run("json");
    let err = stderr(&r.output);
    let lines = json_lines(&err);
    assert!(lines.len() >= 5, "too few log lines:\n{err}");
    for l in &lines {
        for key in ["level", "message", "timestamp"] {
            assert!(l.contains_key(key), "no {key} in {l:?}");
        }
    }
    let solving: Vec<_> = lines
        .iter()
        .filter(|l| {
            l["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("solving "))
        })
        .collect();
    assert_eq!(solving.len(), 1, "one solving event:\n{err}");
    let s = solving[0];
    // The demo: 5,125 accounts, 19 reps (counted from the CSV rows), four segments.
    let accounts = read_csv(&demo_input("accounts.csv")).records.len();
    let reps = read_csv(&demo_input("reps.csv")).records.len();
    assert_eq!(s["accounts"], accounts as u64, "{s:?}");
    assert_eq!(s["reps"], reps as u64, "{s:?}");
    assert_eq!(s["segments"], 4, "{s:?}");
    assert_eq!(s["seed"], 1, "{s:?}");
    assert!(s["threads"].as_u64().is_some_and(|t| t >= 1), "{s:?}");
    assert_eq!(s["level"], "INFO");

    let finals: Vec<_> = lines
        .iter()
        .filter(|l| l.contains_key("status") && l.contains_key("solve_s"))
        .collect();
    assert_eq!(finals.len(), 1, "one final event:\n{err}");
    let f = finals[0];
    let sum = summary(&r.out);
    assert_eq!(f["status"], sum["status"], "{f:?}");
    for (key, in_summary) in [
        ("objective", "objective"),
        ("bound", "lower_bound"),
        ("gap", "gap_abs"),
    ] {
        let a = f[key].as_f64().unwrap_or(f64::NAN);
        let b = sum[in_summary].as_f64().unwrap_or(f64::NAN);
        assert!(
            (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
            "{key}: {a} vs {b}"
        );
    }
    assert_eq!(f["out"], r.out.display().to_string());
    // One final line per segment, naming it.
    let seg_finals: Vec<&str> = lines
        .iter()
        .filter(|l| l.contains_key("work") && l.contains_key("segment") && l.contains_key("status"))
        .filter_map(|l| l["segment"].as_str())
        .collect();
    let mut names: Vec<&str> = seg_finals.clone();
    names.sort_unstable();
    assert_eq!(
        names,
        ["digital-led", "enterprise", "growth", "mid-market"],
        "{err}"
    );
}

#[test]
fn json_failure_is_one_error_object() {
    let dir = tempdir();
    let o = run([
        "--log-format",
        "json",
        "plan",
        "--accounts",
        &dir.path().join("missing.csv").display().to_string(),
        "--reps",
        &demo_input("reps.csv").display().to_string(),
        "--out",
        &dir.path().join("out").display().to_string(),
    ]);
    assert_code(&o, 1, "missing accounts, json");
    let lines = json_lines(&stderr(&o));
    let errors: Vec<_> = lines.iter().filter(|l| l["level"] == "ERROR").collect();
    assert_eq!(errors.len(), 1, "{lines:?}");
    assert_eq!(errors[0]["code"], 1);
    assert!(
        errors[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("missing.csv")),
        "{:?}",
        errors[0]
    );
}

#[test]
fn plain_lines_have_no_escape_codes_or_progress_bars() {
    let r = demo_run("plain");
    let err = stderr(&r.output);
    let bad: Vec<&str> = err
        .lines()
        .filter(|l| {
            l.chars().any(|c| {
                c == '\x1b'
                    || c == '\r'
                    || ('\u{2800}'..='\u{28ff}').contains(&c)
                    || "█░▏".contains(c)
            })
        })
        .collect();
    assert!(
        bad.is_empty(),
        "control characters or bars on stderr: {bad:?}"
    );
    // Today's lines are still there.
    for phrase in [
        "== capacity plan ==",
        "solving 5125 accounts",
        "outputs in",
        "open ",
    ] {
        assert!(err.contains(phrase), "no {phrase:?} in:\n{err}");
    }
    let segment_finals = err
        .lines()
        .filter(|l| l.starts_with("  segment ") && l.contains("work units"))
        .count();
    assert_eq!(segment_finals, 4, "one final line per segment:\n{err}");
}

#[test]
fn outputs_are_byte_identical_whatever_the_terminal_shows() {
    // The demo plan is work-limited: the same assignment on any machine; the progress
    // hook (plain and JSON log lines) must not change it, nor must --quiet.
    let runs = ["plain", "quiet", "json"].map(demo_run);
    let mut compared = 0;
    for file in ["assignments.csv", "territories.csv"] {
        let first = std::fs::read(runs[0].out.join(file)).expect(file);
        assert!(!first.is_empty(), "{file} is empty");
        for r in &runs[1..] {
            let other = std::fs::read(r.out.join(file)).expect(file);
            assert!(first == other, "{file} differs in {}", r.out.display());
            compared += 1;
        }
    }
    assert_eq!(compared, 4);
    for r in &runs {
        assert_eq!(summary(&r.out)["reproducible"], true, "{}", r.out.display());
    }
}

#[test]
fn allot_log_sets_the_level() {
    let dir = tempdir();
    let plan = dir.path().join("plan.toml");
    let o = allot()
        .env("ALLOT_LOG", "warn")
        .args(["init", "--out", &plan.display().to_string()])
        .output()
        .expect("run");
    assert_code(&o, 0, "init with ALLOT_LOG=warn");
    assert_eq!(stderr(&o), "", "an info line at level warn");
    let o = allot()
        .env("ALLOT_LOG", "loud")
        .args(["init", "--out", &plan.display().to_string(), "--force"])
        .output()
        .expect("run");
    assert_code(&o, 1, "a bad ALLOT_LOG");
    assert!(stderr(&o).contains("ALLOT_LOG=loud"), "{}", stderr(&o));
}

#[test]
fn completions_for_every_shell_name_the_commands() {
    let commands = commands();
    let mut shells = 0;
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(["completions", shell]);
        assert_code(&o, 0, &format!("completions {shell}"));
        let script = stdout(&o);
        for c in &commands {
            assert!(script.contains(c.as_str()), "{shell}: no {c} in the script");
        }
        assert!(script.contains("log-format"), "{shell}: no log-format");
        assert_eq!(stderr(&o), "", "{shell}: stderr");
        shells += 1;
    }
    assert_eq!(shells, 5);
    let o = run(["completions", "bash"]);
    assert!(
        stdout(&o).contains("complete -F"),
        "not a bash completion script"
    );
}

/// The subcommands `allot --help` lists (without `help`).
fn commands() -> Vec<String> {
    let o = run(["--help"]);
    assert_code(&o, 0, "allot --help");
    let help = stdout(&o);
    let list: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    assert_eq!(list.len(), 11, "commands listed: {list:?}");
    list
}

/// The example lines at the end of a command's `--help`.
fn examples(command: &str) -> Vec<String> {
    let o = run([command, "--help"]);
    assert_code(&o, 0, &format!("allot {command} --help"));
    let help = stdout(&o);
    let tail: Vec<&str> = help
        .lines()
        .skip_while(|l| l.trim() != "Examples:")
        .skip(1)
        .collect();
    assert!(
        tail.iter().all(|l| l.starts_with("  allot ")),
        "{command}: the help does not end with the examples:\n{help}"
    );
    tail.iter().map(|l| l.trim().to_string()).collect()
}

/// Runs one example from the repository root, its `--out` moved under `tmp`; a `> FILE`
/// redirection is dropped and the command must then print a script on stdout.
fn run_example(line: &str, tmp: &Path) -> Output {
    let (cmd, redirected) = match line.split_once(" > ") {
        Some((c, _)) => (c, true),
        None => (line, false),
    };
    let mut words: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
    assert_eq!(words.first().map(String::as_str), Some("allot"), "{line}");
    words.remove(0);
    if let Some(i) = words.iter().position(|w| w == "--out") {
        let given = PathBuf::from(&words[i + 1]);
        let name = given.file_name().expect("an --out path").to_owned();
        words[i + 1] = tmp.join(name).display().to_string();
    }
    let o = allot()
        .current_dir(root())
        .args(&words)
        .output()
        .expect("start allot");
    assert!(!stderr(&o).contains("panicked at"), "{line}: panic");
    if redirected {
        assert!(!o.stdout.is_empty(), "{line}: nothing to redirect");
    }
    o
}

#[test]
fn every_help_example_runs() {
    let dir = tempdir();
    let mut tried = 0;
    let mut per_command = Vec::new();
    for command in commands() {
        let lines = examples(&command);
        assert!(
            (2..=3).contains(&lines.len()),
            "{command}: {} examples, want 2 or 3",
            lines.len()
        );
        for (i, line) in lines.iter().enumerate() {
            assert!(
                line.starts_with(&format!("allot {command} ")),
                "{command}: example of another command: {line}"
            );
            // Commands that write files say where (so that no example writes into the
            // current folder by surprise).
            let writes = !matches!(command.as_str(), "bench" | "completions");
            assert!(
                !writes || line.contains(" --out "),
                "{command}: example without --out: {line}"
            );
            let tmp = dir.path().join(format!("{command}-{i}"));
            let o = run_example(line, &tmp);
            assert_code(&o, 0, line);
            tried += 1;
        }
        per_command.push((command, lines.len()));
    }
    assert_eq!(per_command.len(), 11);
    assert!(tried >= 20, "{tried} examples run: {per_command:?}");
}
