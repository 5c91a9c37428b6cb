//! The terminal: every message goes through `tracing` to stderr, as plain lines (today's
//! text, `warning:` and `error:` prefixes) or one JSON object a line for a planning
//! server (`--log-format json`); `--quiet` keeps only the error line; a progress display
//! (indicatif) is drawn when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

use indicatif::{MultiProgress, ProgressDrawTarget};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

/// How log lines are written to stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// A progress display when stderr is a terminal, plain lines otherwise.
    #[default]
    Auto,
    /// Plain lines, never a progress display.
    Plain,
    /// One JSON object a line (level, message and fields), never a progress display.
    Json,
}

/// What this run's terminal does, set once by [`init`].
#[derive(Clone, Debug)]
pub struct Terminal {
    /// The progress display, when stderr is a terminal, the format is auto and not quiet.
    pub bars: Option<MultiProgress>,
    /// Whether log lines are JSON.
    pub json: bool,
}

static TERMINAL: OnceLock<Terminal> = OnceLock::new();

/// This run's terminal; plain lines without a display when [`init`] was not called (the
/// library used from tests).
pub fn terminal() -> &'static Terminal {
    TERMINAL.get_or_init(|| Terminal {
        bars: None,
        json: false,
    })
}

/// The level to log at: errors only when `quiet`, else `ALLOT_LOG` (off, error, warn,
/// info, debug, trace) or info.
pub fn level(quiet: bool, allot_log: Option<&str>) -> Result<LevelFilter, String> {
    if quiet {
        return Ok(LevelFilter::ERROR);
    }
    match allot_log.map(|s| s.trim().to_ascii_lowercase()) {
        None => Ok(LevelFilter::INFO),
        Some(s) if s.is_empty() => Ok(LevelFilter::INFO),
        Some(s) => s.parse::<LevelFilter>().map_err(|_| {
            format!("ALLOT_LOG={s}: not a level; use off, error, warn, info, debug or trace")
        }),
    }
}

/// Whether colours may be used on stderr: a terminal, and `NO_COLOR` unset or empty.
fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Sets up logging for the run: `quiet` keeps only errors, `format` picks plain lines, JSON
/// or (auto, on a terminal) a progress display with plain lines above it. A bad `ALLOT_LOG`
/// is an error message.
pub fn init(quiet: bool, format: LogFormat) -> Result<(), String> {
    let level = level(quiet, std::env::var("ALLOT_LOG").ok().as_deref())?;
    let tty = std::io::stderr().is_terminal();
    let bars = (format == LogFormat::Auto && tty && !quiet && level >= LevelFilter::INFO)
        .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10)));
    let json = format == LogFormat::Json;
    let _ = TERMINAL.set(Terminal {
        bars: bars.clone(),
        json,
    });
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false);
    let done = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_writer(std::io::stderr)
            .try_init()
    } else {
        builder
            .event_format(Plain { colour: colour() })
            .with_writer(Stderr { bars })
            .try_init()
    };
    done.map_err(|e| format!("cannot set up logging: {e}"))
}

/// Plain lines: the message alone, `warning: ` before a warning and `error: ` before an
/// error (in colour on a terminal unless `NO_COLOR`); the structured fields are for JSON.
struct Plain {
    colour: bool,
}

/// The text of a plain line for an event at `level` with `message`.
pub fn plain_line(level: Level, message: &str, colour: bool) -> String {
    let prefix = match (level, colour) {
        (Level::ERROR, false) => "error: ",
        (Level::ERROR, true) => "\x1b[1;31merror:\x1b[0m ",
        (Level::WARN, false) => "warning: ",
        (Level::WARN, true) => "\x1b[1;33mwarning:\x1b[0m ",
        _ => "",
    };
    format!("{prefix}{message}")
}

/// Collects an event's message.
#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S, N> FormatEvent<S, N> for Plain
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let mut m = Message::default();
        event.record(&mut m);
        writeln!(
            writer,
            "{}",
            plain_line(*event.metadata().level(), &m.0, self.colour)
        )
    }
}

/// Stderr, with the progress display (when drawn) lifted while a line is written.
#[derive(Clone)]
struct Stderr {
    bars: Option<MultiProgress>,
}

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let put = || {
            let mut e = std::io::stderr().lock();
            e.write_all(buf).and_then(|()| e.flush())
        };
        match &self.bars {
            Some(b) => b.suspend(put)?,
            None => put()?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for Stderr {
    type Writer = Stderr;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_quiet_and_allot_log() {
        assert_eq!(level(true, Some("debug")), Ok(LevelFilter::ERROR));
        assert_eq!(level(false, None), Ok(LevelFilter::INFO));
        assert_eq!(level(false, Some("")), Ok(LevelFilter::INFO));
        assert_eq!(level(false, Some("Warn")), Ok(LevelFilter::WARN));
        assert_eq!(level(false, Some("off")), Ok(LevelFilter::OFF));
        let e = level(false, Some("loud")).expect_err("not a level");
        assert!(e.contains("ALLOT_LOG=loud"), "{e}");
    }

    #[test]
    fn plain_lines_keep_the_prefixes() {
        assert_eq!(plain_line(Level::WARN, "x", false), "warning: x");
        assert_eq!(plain_line(Level::ERROR, "x", false), "error: x");
        assert_eq!(plain_line(Level::INFO, "solving 5", false), "solving 5");
        assert!(plain_line(Level::WARN, "x", true).contains("\x1b[1;33m"));
        assert!(!plain_line(Level::INFO, "x", true).contains('\x1b'));
    }
}
