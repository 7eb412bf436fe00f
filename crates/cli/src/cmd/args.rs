//! Parsers for argument values shared by commands, so bad input is reported uniformly.
//!
//! clap prefixes a parser's error with the argument's name ("invalid value '2027-13-01' for
//! '<DATE>'"), which is what tells the user which argument to fix.

use chrono::NaiveDate;
use clap::ValueEnum;
use domain::kind::InspectionKind;

/// A calendar date written YYYY-MM-DD.
pub fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("expected a date as YYYY-MM-DD (e.g. 2027-01-11): {e}"))
}

/// R7: the kind of inspection, as written on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Full inspection: graded, usually 4 days on site within one week.
    Full,
    /// Lead provider monitoring visit: one letter, usually 3 days on site within one week.
    Lpmv,
}

impl From<KindArg> for InspectionKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Full => InspectionKind::Full,
            KindArg::Lpmv => InspectionKind::Lpmv,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r01_dates_must_be_iso() {
        assert_eq!(
            date("2027-01-11"),
            Ok(NaiveDate::from_ymd_opt(2027, 1, 11).expect("valid"))
        );
        assert!(date("11/01/2027").is_err());
        assert!(date("2027-02-30").is_err());
    }
}
