//! The work limit: the same job under `--work-limit` gives byte-identical outputs at 1 and 2
//! threads while the machine is busy, the limit really bounds the search, and a run the
//! clock (the safety valve) cuts says it may not repeat. Every solve is checked by the
//! independent checker in `common`.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::*;

/// Threads that keep every core busy until dropped: the runs below compete for the CPU as
/// on a shared planning server.
struct Busy {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<u64>>,
}

impl Busy {
    fn start(n: usize) -> Busy {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = (0..n)
            .map(|i| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut x = i as u64 + 1;
                    while !stop.load(Ordering::Relaxed) {
                        for _ in 0..10_000 {
                            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        }
                    }
                    x
                })
            })
            .collect();
        Busy { stop, threads }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Runs `allot balance` under a work limit and returns the output folder's summary.
fn balance(
    inst: &(PathBuf, PathBuf, PathBuf),
    out: &Path,
    work: u64,
    threads: usize,
    seed: u64,
) -> serde_json::Value {
    let o = run_solve(
        "balance",
        &inst.0,
        &inst.1,
        Some(&inst.2),
        out,
        &[
            "--work-limit",
            &work.to_string(),
            "--threads",
            &threads.to_string(),
            "--seed",
            &seed.to_string(),
            // The safety valve, far beyond what the work takes even on a loaded machine.
            "--time-limit",
            "300",
        ],
    );
    assert_code(
        &o,
        0,
        &format!("balance --work-limit {work} --threads {threads}"),
    );
    summary(out)
}

/// summary.json without what may differ between runs of the same job: timings, seconds
/// and the thread count.
fn without_timings(mut v: serde_json::Value) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for k in ["timings", "seconds", "threads"] {
                    m.remove(k);
                }
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

#[test]
fn one_and_two_threads_on_a_busy_machine_give_identical_outputs_under_a_work_limit() {
    let dir = tempdir();
    let inst = generated(dir.path(), 5000, 20, 11);
    const WORK: u64 = 15_000_000;
    let runs: Vec<(usize, PathBuf, serde_json::Value)> = {
        let _busy = Busy::start(3);
        [1usize, 2, 2]
            .iter()
            .enumerate()
            .map(|(i, &threads)| {
                let out = dir.path().join(format!("run{i}-t{threads}"));
                let s = balance(&inst, &out, WORK, threads, 3);
                (threads, out, s)
            })
            .collect()
    };
    assert_eq!(runs.len(), 3, "three runs compared");
    check(&Spec::new(&inst.0, &inst.1, &runs[0].1));
    let (_, first, s0) = &runs[0];
    assert_eq!(s0["work_limit"], WORK, "summary.json work_limit");
    let work = s0["work"].as_u64().expect("summary.json work");
    assert!(work > 0, "no work recorded");
    for (threads, out, s) in &runs {
        assert_eq!(
            s["reproducible"], true,
            "--threads {threads}: a work-limited run the clock did not cut repeats"
        );
        assert_eq!(s["threads"], *threads as u64, "summary.json threads");
        for name in ["assignments.csv", "territories.csv"] {
            assert!(
                bytes(&first.join(name)) == bytes(&out.join(name)),
                "{name} at --threads 1 and --threads {threads} differ ({} vs {})",
                first.display(),
                out.display()
            );
        }
        for key in ["objective", "lower_bound", "work", "moves", "mean_km"] {
            assert_eq!(s[key], s0[key], "summary.json {key} at --threads {threads}");
        }
        // Every other output is identical too, timings and the thread count aside.
        assert_eq!(
            without_timings(s.clone()),
            without_timings(s0.clone()),
            "summary.json at --threads 1 and --threads {threads}, timings aside"
        );
        let report = |dir: &Path| {
            read_text(&dir.join("report.md"))
                .lines()
                .filter(|l| !l.contains("· threads "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            report(out),
            report(first),
            "report.md at --threads {threads}, the threads line aside"
        );
    }

    // The comparisons can fail: another seed gives other territories, and a smaller limit
    // stops the search sooner.
    let other = dir.path().join("seed4");
    balance(&inst, &other, WORK, 2, 4);
    assert!(
        bytes(&other.join("assignments.csv")) != bytes(&first.join("assignments.csv")),
        "seed 4 gave the same assignments as seed 3: the comparison above proves nothing"
    );
    let small = dir.path().join("small");
    let s = balance(&inst, &small, WORK / 5, 2, 3);
    let less = s["work"].as_u64().expect("summary.json work");
    assert!(
        less < work,
        "--work-limit {} used {less} units, --work-limit {WORK} used {work}",
        WORK / 5
    );
    check(&Spec::new(&inst.0, &inst.1, &small));
}

#[test]
fn a_work_limited_run_the_clock_cuts_says_it_may_not_repeat() {
    let dir = tempdir();
    let inst = generated(dir.path(), 30000, 60, 11);
    // Bands as reported targets: whatever the clock leaves is feasible.
    let plan = soft(dir.path(), &inst).2;
    let out = dir.path().join("out");
    let o = run_solve(
        "balance",
        &inst.0,
        &inst.1,
        Some(&plan),
        &out,
        &["--work-limit", "1000000000000", "--time-limit", "1"],
    );
    assert_code(&o, 0, "balance with a work limit the clock cuts");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("safety valve"), "no warning:\n{err}");
    let s = summary(&out);
    assert_eq!(s["reproducible"], false, "a run the clock cut");
    assert_eq!(s["work_limit"], 1_000_000_000_000u64);
    check(&Spec::new(&inst.0, &inst.1, &out).soft());
}
