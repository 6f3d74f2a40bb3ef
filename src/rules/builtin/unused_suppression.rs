//! EKS008 unused-suppression: a suppression comment or annotation that suppressed nothing.
//! The lint pipeline applies suppressions once every file is linted and reports the unused ones
//! (see `src/suppress.rs`).

use super::{Builtin, Phase, no_params};

#[derive(Debug)]
struct UnusedSuppression;

pub fn new(params: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("unused-suppression", params)?;
    Ok(Box::new(UnusedSuppression))
}

impl Builtin for UnusedSuppression {
    fn name(&self) -> &'static str {
        "unused-suppression"
    }
    fn phase(&self) -> Phase {
        Phase::Parse
    }
}
