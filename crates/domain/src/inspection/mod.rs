//! The inspection aggregate: commands, events, state (`evolve`) and `decide`.

pub mod commands;
mod decide;
mod decide_reports;
pub mod events;
pub mod state;

pub use commands::*;
pub use decide::{DecideContext, decide};
pub use events::{
    InspectionEvent, InspectionEventBody, RuleException, SCHEMA_VERSION, SharedJudgements,
};
pub use state::{Inspection, Phase, evolve};
