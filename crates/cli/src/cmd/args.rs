//! Parsers for argument values shared by commands, so bad input is reported uniformly.
//!
//! clap prefixes a parser's error with the argument's name ("invalid value '2027-13-01' for
//! '<DATE>'"), which is what tells the user which argument to fix.

use chrono::{DateTime, NaiveDate, Utc};
use clap::ValueEnum;
use domain::kind::InspectionKind;
use proto::pb;

/// A calendar date written YYYY-MM-DD.
pub fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("expected a date as YYYY-MM-DD (e.g. 2027-01-11): {e}"))
}

/// A date checked, and given back as the API's "YYYY-MM-DD" string.
pub fn date_string(s: &str) -> Result<String, String> {
    date(s).map(|d| d.to_string())
}

/// An instant in RFC 3339 (e.g. `2027-01-04T09:31:00Z` or `2027-01-04T09:31:00+00:00`).
pub fn instant(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("expected an RFC 3339 instant such as 2027-01-04T09:31:00Z: {e}"))
}

/// A UUID, checked here so a typo is caught before any call.
pub fn uuid(s: &str) -> Result<String, String> {
    uuid::Uuid::parse_str(s)
        .map(|u| u.to_string())
        .map_err(|e| format!("expected a UUID: {e}"))
}

/// A duration such as `90s`, `15m`, `2h` or `3d`.
pub fn duration(s: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = number
        .parse()
        .map_err(|_| format!("expected a duration such as 90s, 15m, 2h or 3d, not {s:?}"))?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("unknown unit in {s:?}: use s, m, h or d")),
    };
    Ok(std::time::Duration::from_secs(n.saturating_mul(secs)))
}

/// `key=value,key=value` pairs.
fn pairs(s: &str) -> Result<Vec<(String, String)>, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| format!("expected key=value, not {p:?}"))
        })
        .collect()
}

/// One person's details: `name=Ada Lovelace,email=ada@example.org,phone=+44 20 7946 0000`,
/// with `id=<uuid>` to refer to a person already known (a new id is made otherwise).
pub fn person(s: &str) -> Result<pb::PersonalDetails, String> {
    let mut p = pb::PersonalDetails::default();
    for (k, v) in pairs(s)? {
        match k.as_str() {
            "id" => p.person_id = uuid(&v)?,
            "name" => p.name = v,
            "email" => p.email = Some(v),
            "phone" => p.phone = Some(v),
            _ => return Err(format!("unknown key {k:?}: use id, name, email, phone")),
        }
    }
    if p.person_id.is_empty() {
        p.person_id = uuid::Uuid::new_v4().to_string();
    }
    Ok(p)
}

/// A document reference: `uri=https://…,sha256=<64 hex>,size=<bytes>,type=<media type>`.
pub fn document(s: &str) -> Result<pb::DocumentRef, String> {
    let mut d = pb::DocumentRef::default();
    for (k, v) in pairs(s)? {
        match k.as_str() {
            "uri" => d.uri = v,
            "sha256" => d.sha256 = v,
            "size" => {
                d.size_bytes = v
                    .parse()
                    .map_err(|_| format!("size must be a number: {v:?}"))?
            }
            "type" => d.media_type = v,
            _ => return Err(format!("unknown key {k:?}: use uri, sha256, size, type")),
        }
    }
    Ok(d)
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

impl From<KindArg> for i32 {
    fn from(k: KindArg) -> i32 {
        match k {
            KindArg::Full => pb::InspectionKind::Full as i32,
            KindArg::Lpmv => pb::InspectionKind::Lpmv as i32,
        }
    }
}

/// A command-line enum standing for a wire enum (converted with `i32::from`).
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident => $pb:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl From<$name> for i32 {
            fn from(v: $name) -> i32 {
                match v { $($name::$variant => pb::$pb::$wire as i32),+ }
            }
        }
    };
}

wire_enum!(
    /// A contract (R6).
    ContractArg => Contract { #[value(name = "ECF", alias = "ecf")] Ecf = Ecf, #[value(name = "NPQ", alias = "npq")] Npq = Npq }
);
wire_enum!(
    /// Framework version (R8).
    FrameworkArg => FrameworkVersion { #[value(name = "2024")] V2024 = FrameworkVersion2024 }
);
wire_enum!(
    /// Deferral reason category (R13).
    DeferralCategoryArg => DeferralCategory {
        LeaderUnderPoliceInvestigation = LeaderUnderPoliceInvestigation,
        MajorIncident = MajorIncident,
        MergerClosureOrMove = MergerClosureOrMove,
        LocalSecurityIncident = LocalSecurityIncident,
        PublicHealthClosure = PublicHealthClosure,
        ClosedHalfInspectionTime = ClosedHalfInspectionTime,
        StaffAbsence = StaffAbsence,
        SeniorLeaderWellbeing = SeniorLeaderWellbeing,
        Other = Other,
    }
);
wire_enum!(
    /// Evidence item (R15 items 1–8, R16 items 1–8).
    EvidenceItemArg => EvidenceItem {
        DeliveryPartners = DeliveryPartners,
        DeliveryPartnerDetails = DeliveryPartnerDetails,
        EctsPerPartner = EctsPerPartner,
        NpqParticipantsPerCourse = NpqParticipantsPerCourse,
        NpqParticipantsPerPartner = NpqParticipantsPerPartner,
        TrainingDuringInspectionWeek = TrainingDuringInspectionWeek,
        GeneralInformation = GeneralInformation,
        EqualitiesDuties = EqualitiesDuties,
        TrainingCurriculum = TrainingCurriculum,
        MentorTrainingCurriculum = MentorTrainingCurriculum,
        ProgrammeHandbooks = ProgrammeHandbooks,
        TrainerAndMentorExpertise = TrainerAndMentorExpertise,
        DeliveryPartnerQualityMonitoring = DeliveryPartnerQualityMonitoring,
        TrainerDevelopment = TrainerDevelopment,
        StrategicOversight = StrategicOversight,
        SelfEvaluation = SelfEvaluation,
    }
);
wire_enum!(
    /// Stakeholder survey group (R20).
    StakeholderGroupArg => StakeholderGroup {
        DeliveryPartners = DeliveryPartners,
        SchoolLeaders = SchoolLeaders,
        Participants = Participants,
        Mentors = Mentors,
    }
);
wire_enum!(
    /// Group met on site (R18).
    MeetingGroupArg => MeetingGroup {
        Ects = Ects,
        NpqParticipants = NpqParticipants,
        Mentors = Mentors,
        DeliveryPartners = DeliveryPartners,
        SchoolLeaders = SchoolLeaders,
        LeadProviderStaff = LeadProviderStaff,
    }
);
wire_enum!(
    /// A grade (R23): 1 outstanding, 2 good, 3 requires improvement, 4 inadequate.
    GradeArg => Grade {
        #[value(name = "1", alias = "outstanding")] Outstanding = Outstanding,
        #[value(name = "2", alias = "good")] Good = Good,
        #[value(name = "3", alias = "requires-improvement")] RequiresImprovement = RequiresImprovement,
        #[value(name = "4", alias = "inadequate")] Inadequate = Inadequate,
    }
);
wire_enum!(
    /// Judgement area (R23).
    JudgementAreaArg => JudgementArea {
        OverallEffectiveness = OverallEffectiveness,
        QualityOfTraining = QualityOfTraining,
        LeadershipAndManagement = LeadershipAndManagement,
    }
);
wire_enum!(
    /// LPMV outcome (R23).
    LpmvOutcomeArg => LpmvOutcome { Effective = Effective, NotEffective = NotEffective }
);
wire_enum!(
    /// Which report (R24).
    ReportArg => ReportKey { EcfReport = EcfReport, NpqReport = NpqReport, LpmvLetter = LpmvLetter }
);
wire_enum!(
    /// Report stage (R26).
    StageArg => ReportStage { Draft = Draft, Final = Final }
);
wire_enum!(
    /// Inspection state (list filter).
    StateArg => InspectionState {
        Planned = Planned,
        Notified = Notified,
        OnSite = OnSite,
        Paused = Paused,
        Incomplete = Incomplete,
        Ended = Ended,
        Cancelled = Cancelled,
        Published = Published,
    }
);
wire_enum!(
    /// Deadline status (R29).
    DeadlineStatusArg => DeadlineStatus {
        Pending = Pending,
        Met = Met,
        Missed = Missed,
        Closed = Closed,
        Superseded = Superseded,
    }
);
wire_enum!(
    /// Report progress (R24–R28).
    ProgressArg => ReportProgress {
        AwaitingJudgements = AwaitingJudgements,
        Judged = Judged,
        Moderated = Moderated,
        QualityAssured = QualityAssured,
        InReview = InReview,
        DraftIssued = DraftIssued,
        FinalIssued = FinalIssued,
        Published = Published,
    }
);

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

    #[test]
    fn people_and_documents_parse_from_key_value_pairs() {
        let p = person("name=Ada Lovelace,email=ada@example.org").unwrap();
        assert_eq!(p.name, "Ada Lovelace");
        assert_eq!(p.email.as_deref(), Some("ada@example.org"));
        assert!(uuid::Uuid::parse_str(&p.person_id).is_ok());
        assert!(person("nom=x").is_err());
        let d = document("uri=https://x/y.pdf,sha256=ab,size=10,type=application/pdf").unwrap();
        assert_eq!(d.size_bytes, 10);
        assert!(document("size=ten").is_err());
    }

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(duration("90s"), Ok(std::time::Duration::from_secs(90)));
        assert_eq!(duration("2h"), Ok(std::time::Duration::from_secs(7200)));
        assert!(duration("2").is_err());
        assert!(duration("x").is_err());
    }
}
