//! allot's plain data: the rows of accounts.csv and reps.csv, the plan, the validated and
//! indexed [`Problem`] the engines solve, [`Assignment`]s, the figures of DESIGN.md (one
//! implementation, used everywhere) and an independent feasibility checker. No solver code.
//!
//! ```
//! use allot_model::{io, FileNames, Plan, Problem};
//! let plan = Plan::default();
//! let accounts = "account_id,employees,potential,workload,owner_id\nA1,5000,200000,100,R1\nA2,4000,150000,90,\n";
//! let reps = "rep_id,segment\nR1,enterprise\nR2,enterprise\n";
//! let a = io::read_accounts_from(Box::new(std::io::Cursor::new(accounts)), "accounts.csv", &plan).unwrap();
//! let r = io::read_reps_from(Box::new(std::io::Cursor::new(reps)), "reps.csv", &plan).unwrap();
//! let files = FileNames { accounts: "accounts.csv".into(), reps: "reps.csv".into() };
//! let built = Problem::build(a.rows, r.rows, plan, &files).unwrap();
//! assert_eq!(built.problem.units.len(), 2);
//! ```

pub mod assignment;
pub mod check;
pub mod constraint;
pub mod decisions;
pub mod economics;
pub mod figures;
pub mod flags;
#[doc(hidden)]
pub mod fuzzing;
pub mod geo;
pub mod ids;
pub mod io;
pub mod issue;
pub mod plan;
pub mod problem;
pub mod reason;
pub mod roster;
pub mod rows;
pub mod synth;
pub mod tiers;

pub use assignment::Assignment;
pub use constraint::Constraint;
pub use figures::{Figures, figures, objective};
pub use ids::{AccountIdx, RepIdx, SegIdx, UnitIdx};
pub use issue::{Issue, Severity};
pub use plan::{Metric, Objective, Plan};
pub use problem::{Built, FileNames, Problem, Segment, Units};
pub use reason::{ReasonCode, reason_codes};
pub use rows::{Account, Rep, RepStatus};
