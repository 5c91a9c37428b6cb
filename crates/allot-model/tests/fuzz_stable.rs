//! The fuzz targets under the stable toolchain, as part of `cargo test`: every function of
//! `allot_model::fuzzing` (the bodies of `fuzz/fuzz_targets/*.rs`, which libFuzzer runs only
//! where a nightly toolchain exists) runs on exactly [`INPUTS`] inputs, made deterministically
//! from the tracked seeds of `fuzz/corpus/<target>/` and the demo files by a seeded ChaCha8
//! generator: byte flips, inserted and deleted bytes, inserted delimiters, quotes, line
//! breaks, byte-order marks and `=`-prefixed cells, re-encoding as UTF-16, duplicated lines,
//! truncation and splicing of two inputs. A panic fails the test with the input. Missing seed
//! folders or demo files fail the test too; nothing here is skipped.

use std::collections::HashSet;
use std::panic::catch_unwind;
use std::path::{Path, PathBuf};

use allot_model::fuzzing::{TARGETS, Target};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Inputs per target, the unchanged seeds included (`.ci/fuzz` states this number).
const INPUTS: usize = 3000;

/// Seed of the input generator; target `i` uses `SEED + i`.
const SEED: u64 = 0xA110_7F05_2024;

/// Largest input made (bytes).
const MAX_LEN: usize = 16 * 1024;

/// Data rows of data/demo/accounts.csv taken as a seed (the whole file has 5,125).
const DEMO_ROWS: usize = 40;

/// The mutations, by name; an input gets one to four of them.
const MUTATIONS: [&str; 12] = [
    "flip a bit",
    "set a byte",
    "insert random bytes",
    "delete bytes",
    "insert a delimiter, quote, line break or token",
    "insert a byte-order mark",
    "insert an =-prefixed cell",
    "truncate",
    "splice with another input",
    "duplicate a line",
    "delete a line",
    "re-encode as UTF-16",
];

/// Delimiters, quotes, line breaks and tokens the readers treat specially.
const TOKENS: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b",,,,",
    b"\"a,b\"",
    b"\"x\ny\"",
    b"NaN",
    b"-inf",
    b"-1",
    b"1e309",
    b"99999999999999999999",
    b"1.234,5",
    b"$1,234.50",
    b"50%",
    b"yes",
    b" ",
    b"=",
    b"[",
    b"]",
    b"[[segments]]",
    b"[balance]",
    b"band_pct = -1\n",
    b"\"\"\"",
    b"'''",
    b"#",
    "é".as_bytes(),
    b"\xff\xfe",
    b"\xc3",
];

/// Bytes a cell may be overwritten with.
const BYTES: [u8; 8] = [0, 0xff, 0x80, b'"', b',', b'\r', b'\n', b'0'];

/// Byte-order marks: UTF-8, UTF-16 LE, UTF-16 BE.
const BOMS: &[&[u8]] = &[b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"];

/// Cells a spreadsheet would run as a formula.
const FORMULAS: &[&[u8]] = &[
    b"=1+1",
    b"=HYPERLINK(\"http://example.com\",\"x\")",
    b"+cmd|' /C calc'!A0",
    b"-2+3",
    b"@SUM(A1:A2)",
    b"\"=1,2\"",
    b"\t=1",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "fuzz seed {} is missing or unreadable ({e}); it is tracked in the repository",
            path.display()
        )
    })
}

/// The seeds of a target, as (name, bytes): the tracked `seed_*` files of
/// `fuzz/corpus/<target>/` by name (files a libFuzzer run added are left out, so that every
/// machine makes the same inputs), then the demo file of the target's kind.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = root().join("fuzz/corpus").join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "fuzz corpus folder {} is missing ({e}); it is tracked in the repository",
            dir.display()
        )
    });
    let mut names: Vec<String> = entries
        .map(|e| {
            e.expect("a corpus entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.starts_with("seed_"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 2,
        "fuzz corpus folder {} holds {} seed_* file(s), need at least 2",
        dir.display(),
        names.len()
    );
    let mut seeds: Vec<(String, Vec<u8>)> = names
        .into_iter()
        .map(|n| {
            let bytes = read(&dir.join(&n));
            (format!("fuzz/corpus/{target}/{n}"), bytes)
        })
        .collect();
    let demo = root().join("data/demo");
    match target {
        "accounts_csv" => {
            let text = read(&demo.join("accounts.csv"));
            let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
            assert!(
                lines.len() > DEMO_ROWS,
                "data/demo/accounts.csv is too short"
            );
            let head = lines[..=DEMO_ROWS].concat();
            seeds.push((
                format!("data/demo/accounts.csv (first {DEMO_ROWS} rows)"),
                head,
            ));
        }
        "reps_csv" => seeds.push(("data/demo/reps.csv".into(), read(&demo.join("reps.csv")))),
        "plan_toml" => seeds.push(("data/demo/plan.toml".into(), read(&demo.join("plan.toml")))),
        "pairs_csv" => {}
        other => panic!("no seeds defined for fuzz target {other}"),
    }
    seeds
}

/// A position in `0..=len`.
fn at(rng: &mut ChaCha8Rng, len: usize) -> usize {
    rng.random_range(0..=len)
}

/// A position just after a delimiter or line break of `d` (or anywhere when it has none).
fn cell_start(rng: &mut ChaCha8Rng, d: &[u8]) -> usize {
    let starts: Vec<usize> = d
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, b',' | b';' | b'\t' | b'\n'))
        .map(|(i, _)| i + 1)
        .collect();
    if starts.is_empty() {
        at(rng, d.len())
    } else {
        starts[rng.random_range(0..starts.len())]
    }
}

/// The byte range of a random line of `d` (its line break included).
fn line(rng: &mut ChaCha8Rng, d: &[u8]) -> std::ops::Range<usize> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for (i, &b) in d.iter().enumerate() {
        if b == b'\n' {
            ranges.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < d.len() {
        ranges.push(start..d.len());
    }
    if ranges.is_empty() {
        0..0
    } else {
        ranges[rng.random_range(0..ranges.len())].clone()
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, from: &[&'a [u8]]) -> &'a [u8] {
    from[rng.random_range(0..from.len())]
}

/// Applies mutation `kind` (an index of [`MUTATIONS`]) to `d`; `other` is a second input
/// for splicing.
fn mutate(rng: &mut ChaCha8Rng, kind: usize, d: &mut Vec<u8>, other: &[u8]) {
    let len = d.len();
    match kind {
        0 if len > 0 => {
            let i = rng.random_range(0..len);
            d[i] ^= 1 << rng.random_range(0..8);
        }
        1 if len > 0 => {
            let i = rng.random_range(0..len);
            d[i] = BYTES[rng.random_range(0..BYTES.len())];
        }
        0..=2 => {
            let n = rng.random_range(1..=8);
            let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            let i = at(rng, len);
            d.splice(i..i, bytes);
        }
        3 if len > 0 => {
            let i = rng.random_range(0..len);
            let n = rng.random_range(1..=16).min(len - i);
            d.drain(i..i + n);
        }
        3..=4 => {
            let t = pick(rng, TOKENS);
            let i = at(rng, len);
            d.splice(i..i, t.iter().copied());
        }
        5 => {
            let bom = pick(rng, BOMS);
            let i = if rng.random_bool(0.7) {
                0
            } else {
                at(rng, len)
            };
            d.splice(i..i, bom.iter().copied());
        }
        6 => {
            let f = pick(rng, FORMULAS);
            let i = cell_start(rng, d);
            d.splice(i..i, f.iter().copied());
        }
        7 => d.truncate(at(rng, len)),
        8 => {
            let i = at(rng, len);
            let j = at(rng, other.len());
            d.truncate(i);
            d.extend_from_slice(&other[j..]);
        }
        9 => {
            let r = line(rng, d);
            let copy = d[r.clone()].to_vec();
            d.splice(r.start..r.start, copy);
        }
        10 => {
            let r = line(rng, d);
            d.drain(r);
        }
        11 => {
            // Each byte as a UTF-16 code unit (Latin-1 to UTF-16), little- or big-endian.
            let le = rng.random_bool(0.5);
            let mut out: Vec<u8> = if le {
                vec![0xff, 0xfe]
            } else {
                vec![0xfe, 0xff]
            };
            for &b in d.iter() {
                if le {
                    out.extend([b, 0]);
                } else {
                    out.extend([0, b]);
                }
            }
            *d = out;
        }
        _ => unreachable!("mutation {kind}"),
    }
}

/// The inputs of a target and how often each mutation was applied.
struct Inputs {
    inputs: Vec<Vec<u8>>,
    used: [usize; MUTATIONS.len()],
}

/// Exactly [`INPUTS`] inputs: the seeds unchanged, then mutations of a seed (or, one time in
/// four, of an input made before), one to four mutations each.
fn make_inputs(seeds: &[(String, Vec<u8>)], seed: u64) -> Inputs {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut inputs: Vec<Vec<u8>> = seeds.iter().map(|s| s.1.clone()).collect();
    let mut used = [0usize; MUTATIONS.len()];
    while inputs.len() < INPUTS {
        let base = if rng.random_bool(0.25) {
            rng.random_range(0..inputs.len())
        } else {
            rng.random_range(0..seeds.len())
        };
        let mut d = inputs[base].clone();
        for _ in 0..rng.random_range(1..=4) {
            let kind = rng.random_range(0..MUTATIONS.len());
            let other = &seeds[rng.random_range(0..seeds.len())].1;
            mutate(&mut rng, kind, &mut d, other);
            d.truncate(MAX_LEN);
            used[kind] += 1;
        }
        inputs.push(d);
    }
    Inputs { inputs, used }
}

/// What a run of a target over its inputs did.
#[derive(Debug, PartialEq, Eq)]
struct Ran {
    /// Inputs the target returned from.
    inputs: usize,
    /// Problems it built (the sum of its return values).
    built: usize,
}

/// Length, hex and text (lossy UTF-8) of the first 200 bytes of an input.
fn describe(input: &[u8]) -> String {
    let head = &input[..input.len().min(200)];
    let hex: String = head.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{} bytes; first {}: hex {hex}\ntext {:?}",
        input.len(),
        head.len(),
        String::from_utf8_lossy(head)
    )
}

/// Runs `target` on every input in order. The first panic ends the run: the error names the
/// target, the input's index, the panic message and the input.
fn run_target(name: &str, target: Target, inputs: &[Vec<u8>]) -> Result<Ran, String> {
    let mut ran = Ran {
        inputs: 0,
        built: 0,
    };
    for (i, input) in inputs.iter().enumerate() {
        match catch_unwind(|| target(input)) {
            Ok(built) => {
                ran.inputs += 1;
                ran.built += built;
            }
            Err(e) => {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "(no message)".into());
                return Err(format!(
                    "fuzz target {name} panicked on input #{i} of {}: {msg}\ninput: {}",
                    inputs.len(),
                    describe(input)
                ));
            }
        }
    }
    Ok(ran)
}

/// Runs target `index` of [`TARGETS`] on its [`INPUTS`] inputs; at least `min_built`
/// problems must be built from them (so that the checks after the build really ran).
fn fuzz(index: usize, want: &str, min_built: usize) {
    let (name, target) = TARGETS[index];
    assert_eq!(name, want, "TARGETS[{index}]");
    let seeds = seeds(name);
    let made = make_inputs(&seeds, SEED + index as u64);
    assert_eq!(made.inputs.len(), INPUTS, "{name}: inputs made");
    for (k, &n) in made.used.iter().enumerate() {
        assert!(
            n >= 100,
            "{name}: mutation {:?} used {n} times only",
            MUTATIONS[k]
        );
    }
    let distinct: HashSet<&Vec<u8>> = made.inputs.iter().collect();
    assert!(
        distinct.len() >= INPUTS * 9 / 10,
        "{name}: only {} distinct inputs of {INPUTS}",
        distinct.len()
    );
    let ran = run_target(name, target, &made.inputs).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ran.inputs, INPUTS, "{name}: inputs run");
    assert!(
        ran.built >= min_built,
        "{name}: only {} problems built from {INPUTS} inputs (need {min_built}): the checks \
         after the build hardly ran",
        ran.built
    );
    let names: Vec<&str> = seeds.iter().map(|s| s.0.as_str()).collect();
    eprintln!(
        "fuzz {name}: {} inputs ({} distinct), {} problems built; seeds: {}",
        ran.inputs,
        distinct.len(),
        ran.built,
        names.join(", ")
    );
}

#[test]
fn fuzz_accounts_csv_under_stable() {
    fuzz(0, "accounts_csv", 1000);
}

#[test]
fn fuzz_reps_csv_under_stable() {
    fuzz(1, "reps_csv", 1000);
}

#[test]
fn fuzz_pairs_csv_under_stable() {
    fuzz(2, "pairs_csv", 1000);
}

#[test]
fn fuzz_plan_toml_under_stable() {
    fuzz(3, "plan_toml", 300);
}

/// The libFuzzer targets are one-line calls to the functions run here, there is no other
/// target, and `.ci/fuzz` runs them all and states the number of inputs run here.
#[test]
fn the_libfuzzer_targets_are_the_functions_run_here() {
    let names: Vec<&str> = TARGETS.iter().map(|t| t.0).collect();
    let dir = root().join("fuzz/fuzz_targets");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} is missing ({e})", dir.display()))
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    let mut want: Vec<String> = names.iter().map(|n| format!("{n}.rs")).collect();
    want.sort();
    assert_eq!(files, want, "the files of fuzz/fuzz_targets/");
    for n in &names {
        let text = String::from_utf8(read(&dir.join(format!("{n}.rs")))).expect("UTF-8");
        let want = format!(
            "libfuzzer_sys::fuzz_target!(|data: &[u8]| {{\n    allot_model::fuzzing::{n}(data);\n}});"
        );
        let code: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("//") && !l.starts_with("#!"))
            .collect();
        assert_eq!(
            code.join("\n"),
            want,
            "fuzz/fuzz_targets/{n}.rs must be nothing but a call to allot_model::fuzzing::{n}"
        );
    }
    let manifest = String::from_utf8(read(&root().join("fuzz/Cargo.toml"))).expect("UTF-8");
    let mut bins: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| *n != "allot-fuzz")
        .collect();
    bins.sort_unstable();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(bins, sorted, "the [[bin]] targets of fuzz/Cargo.toml");
    let ci = String::from_utf8(read(&root().join(".ci/fuzz"))).expect("UTF-8");
    let list = format!("targets=({})", names.join(" "));
    assert!(ci.contains(&list), ".ci/fuzz does not run {list}");
    let stated = format!("{INPUTS} inputs each");
    assert!(ci.contains(&stated), ".ci/fuzz does not state {stated:?}");
}

/// A target that panics on any input holding a double quote.
fn panics_on_a_quote(data: &[u8]) -> usize {
    assert!(!data.contains(&b'"'), "deliberate: a double quote");
    0
}

/// The harness is not vacuous: a panicking target fails it, naming the first input that
/// panics with its bytes; a quiet one runs every input.
#[test]
fn a_panicking_target_fails_the_harness() {
    let made = make_inputs(&seeds("accounts_csv"), SEED);
    let first = made
        .inputs
        .iter()
        .position(|d| d.contains(&b'"'))
        .expect("some input holds a quote");
    // The panic message of the deliberate panic is printed by the default hook: expected.
    let err = run_target("panics_on_a_quote", panics_on_a_quote, &made.inputs)
        .expect_err("the harness must report the panic");
    assert!(
        err.contains("fuzz target panics_on_a_quote panicked on input #")
            && err.contains(&format!("#{first} of {INPUTS}"))
            && err.contains("deliberate: a double quote")
            && err.contains(&describe(&made.inputs[first])),
        "{err}"
    );
    let quiet = run_target("quiet", |_| 1, &made.inputs).expect("a quiet target");
    assert_eq!(
        quiet,
        Ran {
            inputs: INPUTS,
            built: INPUTS
        }
    );
    // And through catch_unwind as a test would: the failure surfaces as a panic.
    let as_test = catch_unwind(|| {
        run_target("panics_on_a_quote", panics_on_a_quote, &made.inputs)
            .unwrap_or_else(|e| panic!("{e}"))
    });
    assert!(as_test.is_err(), "a panicking target passed");
}

/// The same inputs on every run and machine; another seed makes other inputs.
#[test]
fn inputs_are_deterministic() {
    let seeds = seeds("plan_toml");
    let a = make_inputs(&seeds, SEED);
    let b = make_inputs(&seeds, SEED);
    assert!(a.inputs == b.inputs && a.used == b.used);
    let c = make_inputs(&seeds, SEED + 100);
    assert_eq!(c.inputs.len(), INPUTS);
    assert!(a.inputs != c.inputs);
}
