//! The two kinds of inspection (R7).

use serde::{Deserialize, Serialize};

/// R7: a full inspection (graded, one report per contract) or a lead provider monitoring visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// Full inspection: usually 4 days of activity within one week.
    Full,
    /// Lead provider monitoring visit: usually 3 days on site within one week.
    Lpmv,
}

impl InspectionKind {
    /// R7: the usual number of days on site.
    pub fn standard_days(self) -> usize {
        match self {
            InspectionKind::Full => 4,
            InspectionKind::Lpmv => 3,
        }
    }

    /// R20: the inspection day (1-based) at whose 09:00 London the stakeholder surveys close.
    pub fn survey_close_day(self) -> usize {
        match self {
            InspectionKind::Full => 3,
            InspectionKind::Lpmv => 2,
        }
    }

    /// Stable lowercase name, as used on the wire and in the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionKind::Full => "full",
            InspectionKind::Lpmv => "lpmv",
        }
    }
}

impl std::str::FromStr for InspectionKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "full" => Ok(InspectionKind::Full),
            "lpmv" => Ok(InspectionKind::Lpmv),
            other => Err(format!(
                "unknown inspection kind {other:?}: expected full or lpmv"
            )),
        }
    }
}
