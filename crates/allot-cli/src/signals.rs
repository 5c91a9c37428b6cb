//! SIGINT/SIGTERM: ask the search to stop and write the best assignment found so far.

use std::sync::{Mutex, OnceLock};

type Handler = Box<dyn Fn() + Send>;

static HANDLER: OnceLock<Mutex<Option<Handler>>> = OnceLock::new();

/// Sets what happens on SIGINT/SIGTERM (replaces the previous action).
pub fn on_interrupt(f: impl Fn() + Send + 'static) {
    let slot = HANDLER.get_or_init(|| {
        let _ = ctrlc::set_handler(|| {
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
