//! Progress of a run: on a terminal, indicatif bars for reading (rows read), building and
//! solving (one line per segment with the best objective, bound and gap as they improve);
//! elsewhere the same solver events as log lines, at most one per segment a second plus
//! each segment's final line.

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use allot_opt::{Observer, ProgressEvent, SegmentInfo, Status};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::term::terminal;

/// Least time between two log lines of one segment's progress (its final line always shows).
pub const LOG_EVERY: Duration = Duration::from_secs(1);

/// A segment's state as the display knows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SegmentView {
    /// Segment name.
    pub name: String,
    /// Units (account families) and reps.
    pub units: usize,
    /// Reps taking accounts.
    pub reps: usize,
    /// Best objective so far.
    pub objective: Option<f64>,
    /// Violation of the best so far (0 = feasible).
    pub violation: Option<f64>,
    /// Best bound so far.
    pub bound: Option<f64>,
    /// Seconds since the segment started.
    pub elapsed_s: f64,
}

/// Relative gap of `objective` over `bound`, in percent (0 when the objective is 0).
pub fn gap_pct(objective: f64, bound: f64) -> f64 {
    let gap = (objective - bound).max(0.0);
    if objective.abs() > 1e-12 {
        100.0 * gap / objective.abs()
    } else {
        0.0
    }
}

/// The text of a segment's progress: best objective, bound and gap (or what it breaks),
/// e.g. `objective 0.012345  bound 0.010000  gap 19.00 %`.
pub fn progress_text(s: &SegmentView) -> String {
    let mut t = match (s.objective, s.violation) {
        (Some(o), Some(v)) if v > 0.0 => {
            format!("best {o:.6}, breaks caps or bands by {v:.4}")
        }
        (Some(o), _) => format!("objective {o:.6}"),
        (None, _) => "searching".to_string(),
    };
    if let Some(b) = s.bound {
        t.push_str(&format!("  bound {b:.6}"));
        if let (Some(o), Some(0.0)) = (s.objective, s.violation) {
            t.push_str(&format!("  gap {:.2} %", gap_pct(o, b)));
        }
    }
    t
}

/// A log line of a segment's progress (where no display is drawn): its name, the
/// [`progress_text`] and the seconds since it started.
pub fn progress_line(s: &SegmentView) -> String {
    format!(
        "  segment {}: {}  {:.1} s",
        s.name,
        progress_text(s),
        s.elapsed_s
    )
}

/// The short text a finished segment's bar shows: status, objective, bound and gap.
pub fn finished_bar_text(ev: &ProgressEvent) -> String {
    match ev {
        ProgressEvent::Finished {
            status,
            objective,
            bound,
            ..
        } => format!(
            "{}  objective {objective:.6}  bound {bound:.6}  gap {:.2} %",
            status_name(*status),
            gap_pct(*objective, *bound)
        ),
        _ => String::new(),
    }
}

/// The final line of a segment: how it ended, objective, bound, gap, work and time.
pub fn finished_text(name: &str, ev: &ProgressEvent) -> String {
    let ProgressEvent::Finished {
        status,
        objective,
        bound,
        violation,
        work,
        seconds,
        ..
    } = ev
    else {
        return String::new();
    };
    let how = status_name(*status);
    let broken = if *violation > 0.0 {
        format!(", breaks caps or bands by {violation:.4}")
    } else {
        String::new()
    };
    // Work is counted only under a work limit.
    let work = if *work > 0 {
        format!(", {} work units", thousands(*work))
    } else {
        String::new()
    };
    format!(
        "segment {name}: {how}, objective {objective:.6}, bound {bound:.6}, gap {:.2} %{broken}{work}, {seconds:.2} s",
        gap_pct(*objective, *bound),
    )
}

/// The status as summary.json spells it.
pub fn status_name(s: Status) -> &'static str {
    match s {
        Status::Optimal => "optimal",
        Status::Feasible => "feasible",
        Status::Infeasible => "infeasible",
        Status::TimeLimit => "time_limit",
    }
}

/// `n` with thousands separators (1,234,567).
pub fn thousands(n: u64) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whether a segment's progress line may be logged at `now`, the last one having been
/// logged at `last`: at most one per [`LOG_EVERY`].
pub fn due(last: Instant, now: Instant) -> bool {
    now.saturating_duration_since(last) >= LOG_EVERY
}

/// One segment: what is known of it, its bar, and when its last log line was written.
struct Segment {
    view: SegmentView,
    /// The final line, kept while the bars are drawn (logged by [`Solving::done`]).
    final_line: Option<String>,
    last_line: Instant,
    bar: Option<ProgressBar>,
}

/// The display of one solve: bars on a terminal, throttled log lines elsewhere.
pub struct Solving {
    bars: Option<MultiProgress>,
    segments: Mutex<Vec<Segment>>,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

impl Solving {
    /// A display for the solve about to start.
    pub fn new() -> Arc<Solving> {
        Arc::new(Solving {
            bars: terminal().bars.clone(),
            segments: Mutex::new(Vec::new()),
        })
    }

    /// The observer to put on the search context.
    pub fn observer(self: &Arc<Solving>) -> Observer {
        let me = self.clone();
        Arc::new(move |e: &ProgressEvent| me.on(e))
    }

    /// Takes one event of the search.
    pub fn on(&self, e: &ProgressEvent) {
        let Ok(mut segs) = self.segments.lock() else {
            return;
        };
        let now = Instant::now();
        match e {
            ProgressEvent::Built { segments } => {
                *segs = segments.iter().map(|s| self.segment(s, now)).collect();
            }
            ProgressEvent::Started { segment } => {
                if let Some(s) = segs.get_mut(*segment) {
                    s.last_line = now;
                    if let Some(b) = &s.bar {
                        b.reset_elapsed();
                        b.set_message("searching");
                        b.enable_steady_tick(Duration::from_millis(120));
                    }
                }
            }
            ProgressEvent::Improved {
                segment,
                objective,
                violation,
                bound,
                elapsed_s,
            } => {
                let Some(s) = segs.get_mut(*segment) else {
                    return;
                };
                s.view.objective = *objective;
                s.view.violation = *violation;
                s.view.bound = *bound;
                s.view.elapsed_s = *elapsed_s;
                match &s.bar {
                    Some(b) => b.set_message(progress_text(&s.view)),
                    None if due(s.last_line, now) => {
                        s.last_line = now;
                        tracing::info!(
                            target: "allot::progress",
                            segment = s.view.name.as_str(),
                            objective = *objective,
                            violation = *violation,
                            bound = *bound,
                            elapsed_s = *elapsed_s,
                            "{}",
                            progress_line(&s.view)
                        );
                    }
                    None => {}
                }
            }
            ProgressEvent::Finished {
                segment,
                status,
                objective,
                bound,
                violation,
                work,
                seconds,
            } => {
                let Some(s) = segs.get_mut(*segment) else {
                    return;
                };
                let text = finished_text(&s.view.name, e);
                match &s.bar {
                    Some(b) => {
                        b.set_style(style("  {prefix:<14} {elapsed:>4} {wide_msg}"));
                        b.finish_with_message(finished_bar_text(e));
                        s.final_line = Some(text);
                    }
                    None => tracing::info!(
                        target: "allot::progress",
                        segment = s.view.name.as_str(),
                        status = status_name(*status),
                        objective = *objective,
                        bound = *bound,
                        violation = *violation,
                        work = *work,
                        seconds = *seconds,
                        "  {text}"
                    ),
                }
            }
        }
    }

    fn segment(&self, s: &SegmentInfo, now: Instant) -> Segment {
        let bar = self.bars.as_ref().map(|m| {
            let b = m.add(ProgressBar::new_spinner());
            b.set_style(style("{spinner} {prefix:<14} {elapsed:>4} {wide_msg}"));
            b.set_prefix(s.name.clone());
            b.set_message(format!("waiting ({} units, {} reps)", s.units, s.reps));
            b
        });
        Segment {
            view: SegmentView {
                name: s.name.clone(),
                units: s.units,
                reps: s.reps,
                ..SegmentView::default()
            },
            last_line: now,
            bar,
            final_line: None,
        }
    }

    /// The solve ended: the bars leave the screen and each segment's final line is logged
    /// (on a terminal; elsewhere it was logged as the segment ended).
    pub fn done(&self) {
        let Ok(segs) = self.segments.lock() else {
            return;
        };
        let Some(m) = &self.bars else { return };
        let lines: Vec<String> = segs
            .iter()
            .filter_map(|s| {
                if let Some(b) = &s.bar {
                    m.remove(b);
                }
                s.final_line.clone()
            })
            .collect();
        let _ = m.clear();
        for l in lines {
            tracing::info!(target: "allot::progress", "  {l}");
        }
    }
}

/// A spinner for a phase (e.g. "building the problem") on a terminal; none elsewhere.
/// Finish it with [`end`].
pub fn phase(what: &str) -> Option<ProgressBar> {
    let m = terminal().bars.as_ref()?;
    let b = m.add(ProgressBar::new_spinner());
    b.set_style(style("{spinner} {msg} {elapsed}"));
    b.set_message(what.to_string());
    b.enable_steady_tick(Duration::from_millis(120));
    Some(b)
}

/// Ends a phase's spinner (removes it from the screen).
pub fn end(bar: Option<ProgressBar>) {
    if let (Some(b), Some(m)) = (bar, terminal().bars.as_ref()) {
        b.finish_and_clear();
        m.remove(&b);
    }
}

/// On a terminal, `path` opened for reading with a bar of the rows read and the share of
/// the file; `None` elsewhere, or when the file cannot be opened as a regular file (the
/// reader then opens it and says why).
pub fn reading(path: &Path) -> Option<(Box<dyn Read>, ProgressBar)> {
    let m = terminal().bars.as_ref()?;
    let f = std::fs::File::open(path).ok()?;
    let meta = f.metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    let b = m.add(ProgressBar::new(meta.len()));
    b.set_style(style(
        "{spinner} reading {prefix} {bar:30} {percent:>3} %  {msg}",
    ));
    b.set_prefix(
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    let counting = Counting {
        inner: f,
        bar: b.clone(),
        rows: 0,
    };
    Some((Box::new(counting), b))
}

/// A reader that moves a bar by the bytes read and counts the lines (rows) seen.
struct Counting<R> {
    inner: R,
    bar: ProgressBar,
    rows: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.rows += buf[..n].iter().filter(|&&c| c == b'\n').count() as u64;
        self.bar.inc(n as u64);
        self.bar
            .set_message(format!("{} rows", thousands(self.rows.saturating_sub(1))));
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_text_shows_objective_bound_and_gap() {
        let mut s = SegmentView {
            name: "growth".into(),
            objective: Some(0.02),
            violation: Some(0.0),
            bound: Some(0.015),
            elapsed_s: 2.14,
            ..SegmentView::default()
        };
        assert_eq!(
            progress_text(&s),
            "objective 0.020000  bound 0.015000  gap 25.00 %"
        );
        assert_eq!(
            progress_line(&s),
            "  segment growth: objective 0.020000  bound 0.015000  gap 25.00 %  2.1 s"
        );
        s.violation = Some(0.25);
        assert_eq!(
            progress_text(&s),
            "best 0.020000, breaks caps or bands by 0.2500  bound 0.015000"
        );
        s.objective = None;
        s.violation = None;
        s.bound = None;
        assert_eq!(progress_text(&s), "searching");
    }

    #[test]
    fn finished_text_names_status_work_and_time() {
        let e = ProgressEvent::Finished {
            segment: 0,
            status: Status::Feasible,
            objective: 2.0,
            bound: 1.5,
            violation: 0.0,
            work: 1_234_567,
            seconds: 0.456,
        };
        assert_eq!(
            finished_text("enterprise", &e),
            "segment enterprise: feasible, objective 2.000000, bound 1.500000, gap 25.00 %, 1,234,567 work units, 0.46 s"
        );
        assert_eq!(
            finished_text("x", &ProgressEvent::Started { segment: 0 }),
            ""
        );
        let mut unlimited = e.clone();
        if let ProgressEvent::Finished { work, .. } = &mut unlimited {
            *work = 0;
        }
        assert_eq!(
            finished_text("enterprise", &unlimited),
            "segment enterprise: feasible, objective 2.000000, bound 1.500000, gap 25.00 %, 0.46 s"
        );
        assert_eq!(
            finished_bar_text(&e),
            "feasible  objective 2.000000  bound 1.500000  gap 25.00 %"
        );
    }

    #[test]
    fn log_lines_are_throttled_per_second() {
        let t = Instant::now();
        assert!(!due(t, t));
        assert!(!due(t, t + Duration::from_millis(999)));
        assert!(due(t, t + LOG_EVERY));
        // A clock that went backwards never logs.
        assert!(!due(t + LOG_EVERY, t));
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(100_000_000), "100,000,000");
    }

    #[test]
    fn without_a_terminal_events_draw_nothing_and_do_not_panic() {
        let s = Solving::new();
        let obs = s.observer();
        obs(&ProgressEvent::Improved {
            segment: 3,
            objective: Some(1.0),
            violation: Some(0.0),
            bound: None,
            elapsed_s: 0.0,
        });
        obs(&ProgressEvent::Built {
            segments: vec![SegmentInfo {
                name: "a".into(),
                units: 1,
                reps: 1,
            }],
        });
        obs(&ProgressEvent::Started { segment: 0 });
        s.done();
        let segs = s.segments.lock().expect("lock");
        assert_eq!(segs.len(), 1);
        assert!(segs[0].bar.is_none());
        assert_eq!(segs[0].view.name, "a");
    }
}
