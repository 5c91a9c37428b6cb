//! SIGINT/SIGTERM: ask the search to stop and write the best assignment found so far. A
//! second signal ends the process at once (exit 130); files being written are replaced
//! atomically, so it never leaves a half file.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

type Handler = Box<dyn Fn() + Send>;

static HANDLER: OnceLock<Mutex<Option<Handler>>> = OnceLock::new();

/// Sets what happens on SIGINT/SIGTERM (replaces the previous action).
pub fn on_interrupt(f: impl Fn() + Send + 'static) {
    let slot = HANDLER.get_or_init(|| {
        static SEEN: AtomicBool = AtomicBool::new(false);
        let _ = ctrlc::set_handler(|| {
            if SEEN.swap(true, Ordering::SeqCst) {
                tracing::error!("interrupted again: stopping now without writing the results");
                std::process::exit(130);
            }
            tracing::info!(
                "interrupt: stopping the search to write the best assignment found (interrupt again to quit at once)"
            );
            if let Some(m) = HANDLER.get()
                && let Ok(g) = m.lock()
                && let Some(h) = g.as_ref()
            {
                h();
            }
        });
        Mutex::new(None)
    });
    if let Ok(mut g) = slot.lock() {
        *g = Some(Box::new(f));
    }
}
