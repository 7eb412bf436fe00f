//! Value types that cannot hold invalid values: parse, don't validate.
//!
//! Each type has one fallible constructor; serde goes through it too
//! (`#[serde(try_from = …)]`), so an event read back from the store is as valid as one made
//! by `decide`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

use crate::error::ValueError;

/// Bounded, trimmed, non-empty free text (reasons, rationales, summaries).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text(String);

impl Text {
    /// The longest text accepted, in characters.
    pub const MAX_CHARS: usize = 4000;

    /// Trimmed, 1 to [`Text::MAX_CHARS`] characters, no control characters except newlines
    /// and tabs.
    pub fn new(s: impl Into<String>) -> Result<Self, ValueError> {
        let s: String = s.into();
        let t = s.trim();
        if t.is_empty() {
            return Err(ValueError::new("TEXT_EMPTY", "must not be empty"));
        }
        let n = t.chars().count();
        if n > Self::MAX_CHARS {
            return Err(ValueError::new(
                "TEXT_TOO_LONG",
                format!("is {n} characters; at most {} allowed", Self::MAX_CHARS),
            ));
        }
        if t.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            return Err(ValueError::new(
                "TEXT_CONTROL_CHARACTER",
                "contains a control character",
            ));
        }
        Ok(Text(t.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Text {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Text::new(s)
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a rule was overridden (R5 backdating, R10 call timing, R27 late comments, R8 days).
/// Recorded in the event and shown wherever the exception matters.
pub type OverrideReason = Text;

/// A contract a lead provider may hold (R6). The set belongs to the framework version so that
/// a new contract (e.g. `ECTE`) can be added without rewriting history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Contract {
    /// Early career framework.
    #[serde(rename = "ECF")]
    Ecf,
    /// National professional qualifications.
    #[serde(rename = "NPQ")]
    Npq,
}

impl Contract {
    /// Every contract, in display order.
    pub const ALL: [Contract; 2] = [Contract::Ecf, Contract::Npq];

    /// Wire name: `ECF` or `NPQ`.
    pub fn as_str(self) -> &'static str {
        match self {
            Contract::Ecf => "ECF",
            Contract::Npq => "NPQ",
        }
    }
}

impl std::str::FromStr for Contract {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "ECF" => Ok(Contract::Ecf),
            "NPQ" => Ok(Contract::Npq),
            other => Err(ValueError::new(
                "CONTRACT_UNKNOWN",
                format!("unknown contract {other:?}: expected ECF or NPQ"),
            )),
        }
    }
}

impl fmt::Display for Contract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-empty set of contracts (R7: an inspection covers at least one).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<Contract>", into = "Vec<Contract>")]
pub struct ContractSet(BTreeSet<Contract>);

impl ContractSet {
    /// At least one contract; duplicates are refused rather than silently merged.
    pub fn new(contracts: impl IntoIterator<Item = Contract>) -> Result<Self, ValueError> {
        let mut set = BTreeSet::new();
        for c in contracts {
            if !set.insert(c) {
                return Err(ValueError::new(
                    "CONTRACT_DUPLICATE",
                    format!("contract {c} is listed twice"),
                ));
            }
        }
        if set.is_empty() {
            return Err(ValueError::new(
                "CONTRACTS_EMPTY",
                "at least one contract is required",
            ));
        }
        Ok(ContractSet(set))
    }

    /// Whether `c` is in the set.
    pub fn contains(&self, c: Contract) -> bool {
        self.0.contains(&c)
    }

    /// Contracts in order.
    pub fn iter(&self) -> impl Iterator<Item = Contract> + '_ {
        self.0.iter().copied()
    }

    /// Whether every contract of `self` is in `other`.
    pub fn is_subset(&self, other: &ContractSet) -> bool {
        self.0.is_subset(&other.0)
    }
}

impl TryFrom<Vec<Contract>> for ContractSet {
    type Error = ValueError;
    fn try_from(v: Vec<Contract>) -> Result<Self, Self::Error> {
        ContractSet::new(v)
    }
}

impl From<ContractSet> for Vec<Contract> {
    fn from(s: ContractSet) -> Self {
        s.0.into_iter().collect()
    }
}

impl fmt::Display for ContractSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Contract::as_str).collect();
        f.write_str(&names.join("+"))
    }
}

/// The inspection framework an inspection is held under (R8). Grades mean what the framework
/// says they mean, so the version travels with every judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FrameworkVersion {
    /// The 2024 ECF and NPQ inspection framework: grades 1–4 [H].
    #[serde(rename = "2024")]
    V2024,
}

impl FrameworkVersion {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameworkVersion::V2024 => "2024",
        }
    }

    /// The contracts that exist under this framework (R6).
    pub fn contracts(self) -> &'static [Contract] {
        match self {
            FrameworkVersion::V2024 => &Contract::ALL,
        }
    }
}

impl std::str::FromStr for FrameworkVersion {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "2024" => Ok(FrameworkVersion::V2024),
            other => Err(ValueError::new(
                "FRAMEWORK_UNKNOWN",
                format!("unknown framework version {other:?}: expected 2024"),
            )),
        }
    }
}

/// A graded judgement under the 2024 framework (R23) [H].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Grade {
    /// 1: outstanding.
    Outstanding = 1,
    /// 2: good.
    Good = 2,
    /// 3: requires improvement.
    RequiresImprovement = 3,
    /// 4: inadequate.
    Inadequate = 4,
}

impl Grade {
    /// From the number 1–4.
    pub fn from_number(n: u8) -> Result<Self, ValueError> {
        match n {
            1 => Ok(Grade::Outstanding),
            2 => Ok(Grade::Good),
            3 => Ok(Grade::RequiresImprovement),
            4 => Ok(Grade::Inadequate),
            other => Err(ValueError::new(
                "GRADE_OUT_OF_RANGE",
                format!("grade {other} is not 1 to 4"),
            )),
        }
    }

    /// The number 1–4.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The grade's words.
    pub fn label(self) -> &'static str {
        match self {
            Grade::Outstanding => "outstanding",
            Grade::Good => "good",
            Grade::RequiresImprovement => "requires improvement",
            Grade::Inadequate => "inadequate",
        }
    }
}

impl TryFrom<u8> for Grade {
    type Error = ValueError;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Grade::from_number(n)
    }
}

impl From<Grade> for u8 {
    fn from(g: Grade) -> u8 {
        g.number()
    }
}

/// The key judgement areas of a full inspection (R23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JudgementArea {
    /// Overall effectiveness.
    OverallEffectiveness,
    /// Quality of professional development and training.
    QualityOfTraining,
    /// Leadership and management.
    LeadershipAndManagement,
}

impl JudgementArea {
    /// Every area.
    pub const ALL: [JudgementArea; 3] = [
        JudgementArea::OverallEffectiveness,
        JudgementArea::QualityOfTraining,
        JudgementArea::LeadershipAndManagement,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            JudgementArea::OverallEffectiveness => "overall_effectiveness",
            JudgementArea::QualityOfTraining => "quality_of_training",
            JudgementArea::LeadershipAndManagement => "leadership_and_management",
        }
    }
}

/// The grades of one contract's full inspection (R23): one per key judgement area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grades {
    /// Overall effectiveness.
    pub overall_effectiveness: Grade,
    /// Quality of professional development and training.
    pub quality_of_training: Grade,
    /// Leadership and management.
    pub leadership_and_management: Grade,
}

impl Grades {
    /// The grade for an area.
    pub fn get(&self, area: JudgementArea) -> Grade {
        match area {
            JudgementArea::OverallEffectiveness => self.overall_effectiveness,
            JudgementArea::QualityOfTraining => self.quality_of_training,
            JudgementArea::LeadershipAndManagement => self.leadership_and_management,
        }
    }

    /// Replace the grade for an area.
    pub fn set(&mut self, area: JudgementArea, grade: Grade) {
        match area {
            JudgementArea::OverallEffectiveness => self.overall_effectiveness = grade,
            JudgementArea::QualityOfTraining => self.quality_of_training = grade,
            JudgementArea::LeadershipAndManagement => self.leadership_and_management = grade,
        }
    }

    /// R30: whether any area is graded 3 or 4.
    pub fn any_below_good(&self) -> bool {
        JudgementArea::ALL
            .iter()
            .any(|a| self.get(*a) >= Grade::RequiresImprovement)
    }
}

/// LPMV outcome (R23) [H].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LpmvOutcome {
    /// The provider is taking effective action.
    Effective,
    /// The provider is not taking effective action.
    NotEffective,
}

/// Which report of an inspection (R24): one per contract for a full inspection, one letter
/// for an LPMV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKey {
    /// The ECF report of a full inspection.
    EcfReport,
    /// The NPQ report of a full inspection.
    NpqReport,
    /// The LPMV letter.
    LpmvLetter,
}

impl ReportKey {
    /// The report of a contract in a full inspection.
    pub fn for_contract(c: Contract) -> Self {
        match c {
            Contract::Ecf => ReportKey::EcfReport,
            Contract::Npq => ReportKey::NpqReport,
        }
    }

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKey::EcfReport => "ecf_report",
            ReportKey::NpqReport => "npq_report",
            ReportKey::LpmvLetter => "lpmv_letter",
        }
    }

    /// The contract a report is about (none for the LPMV letter, which covers all).
    pub fn contract(self) -> Option<Contract> {
        match self {
            ReportKey::EcfReport => Some(Contract::Ecf),
            ReportKey::NpqReport => Some(Contract::Npq),
            ReportKey::LpmvLetter => None,
        }
    }
}

impl std::str::FromStr for ReportKey {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ecf_report" => Ok(ReportKey::EcfReport),
            "npq_report" => Ok(ReportKey::NpqReport),
            "lpmv_letter" => Ok(ReportKey::LpmvLetter),
            other => Err(ValueError::new(
                "REPORT_UNKNOWN",
                format!("unknown report {other:?}: expected ecf_report, npq_report or lpmv_letter"),
            )),
        }
    }
}

/// An NPQ course identifier such as `npq-headship` (R15 item 4): lowercase letters, digits and
/// hyphens, starting `npq-`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NpqCourse(String);

impl NpqCourse {
    /// Validate an identifier.
    pub fn new(s: impl Into<String>) -> Result<Self, ValueError> {
        let s: String = s.into();
        let ok = s.len() <= 64
            && s.starts_with("npq-")
            && s.len() > 4
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.ends_with('-')
            && !s.contains("--");
        if !ok {
            return Err(ValueError::new(
                "NPQ_COURSE_MALFORMED",
                format!(
                    "NPQ course {s:?} must look like npq-headship (npq- then lowercase words joined by hyphens, at most 64 characters)"
                ),
            ));
        }
        Ok(NpqCourse(s))
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NpqCourse {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        NpqCourse::new(s)
    }
}

impl From<NpqCourse> for String {
    fn from(c: NpqCourse) -> String {
        c.0
    }
}

/// An early career teacher's phase (R15 item 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EctPhase {
    /// Early years.
    EarlyYears,
    /// Primary.
    Primary,
    /// Secondary.
    Secondary,
    /// All-through schools.
    AllThrough,
    /// Special schools and alternative provision.
    Special,
    /// Further education.
    FurtherEducation,
}

/// Stakeholder groups surveyed (R20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StakeholderGroup {
    /// Delivery partners.
    DeliveryPartners,
    /// School leaders.
    SchoolLeaders,
    /// ECTs and/or NPQ participants.
    Participants,
    /// Mentors for ECTs.
    Mentors,
}

impl StakeholderGroup {
    /// Every group.
    pub const ALL: [StakeholderGroup; 4] = [
        StakeholderGroup::DeliveryPartners,
        StakeholderGroup::SchoolLeaders,
        StakeholderGroup::Participants,
        StakeholderGroup::Mentors,
    ];
}

/// Who an inspector met on site (R18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingGroup {
    /// Early career teachers: no leaders or ECF mentors present (R18).
    Ects,
    /// NPQ participants: no leaders or ECF mentors present (R18).
    NpqParticipants,
    /// Mentors.
    Mentors,
    /// Delivery partners.
    DeliveryPartners,
    /// School leaders.
    SchoolLeaders,
    /// The lead provider's own leaders and staff.
    LeadProviderStaff,
}

impl MeetingGroup {
    /// R18: whether the group must be met without leaders or ECF mentors present.
    pub fn requires_no_leaders_present(self) -> bool {
        matches!(self, MeetingGroup::Ects | MeetingGroup::NpqParticipants)
    }
}

/// How a delivery partner trains (R15 item 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    /// In person.
    InPerson,
    /// Remotely.
    Remote,
    /// Both.
    Blended,
}

/// R13 [H]: why a provider asks for deferral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeferralCategory {
    /// A leader is under police investigation.
    LeaderUnderPoliceInvestigation,
    /// A major incident.
    MajorIncident,
    /// Merger, closure or move.
    MergerClosureOrMove,
    /// A local security incident.
    LocalSecurityIncident,
    /// Closure on public-health grounds.
    PublicHealthClosure,
    /// Closed for at least half the inspection time.
    ClosedHalfInspectionTime,
    /// Three quarters or more of staff absent for half the period.
    StaffAbsence,
    /// Senior leader well-being.
    SeniorLeaderWellbeing,
    /// Anything else (explained in the free text).
    Other,
}

/// A document held elsewhere (R16 [D], R25): a reference, never the contents.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "DocumentRefWire", into = "DocumentRefWire")]
pub struct DocumentRef {
    uri: String,
    sha256: String,
    size_bytes: u64,
    media_type: String,
}

/// The unchecked wire form of [`DocumentRef`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocumentRefWire {
    /// Where the document is.
    pub uri: String,
    /// Lowercase hex SHA-256 of its bytes.
    pub sha256: String,
    /// Its size.
    pub size_bytes: u64,
    /// Its media type, e.g. `application/pdf`.
    pub media_type: String,
}

impl DocumentRef {
    /// The largest document accepted (1 GiB): larger is almost certainly a mistake.
    pub const MAX_SIZE: u64 = 1 << 30;

    /// Validate a reference.
    pub fn new(
        uri: &str,
        sha256: &str,
        size_bytes: u64,
        media_type: &str,
    ) -> Result<Self, ValueError> {
        let uri = uri.trim();
        let scheme_ok = ["https://", "s3://", "portal://", "urn:"]
            .iter()
            .any(|p| uri.starts_with(p));
        if !scheme_ok || uri.len() > 2048 || uri.chars().any(char::is_whitespace) {
            return Err(ValueError::new(
                "DOCUMENT_URI_INVALID",
                format!(
                    "document uri {uri:?} must be an https://, s3://, portal:// or urn: reference without spaces, at most 2048 characters"
                ),
            ));
        }
        let sha = sha256.trim().to_ascii_lowercase();
        if sha.len() != 64 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ValueError::new(
                "DOCUMENT_SHA256_INVALID",
                format!("sha256 {sha256:?} must be 64 hexadecimal characters"),
            ));
        }
        if size_bytes == 0 || size_bytes > Self::MAX_SIZE {
            return Err(ValueError::new(
                "DOCUMENT_SIZE_INVALID",
                format!(
                    "size {size_bytes} bytes must be between 1 and {}",
                    Self::MAX_SIZE
                ),
            ));
        }
        let mt = media_type.trim();
        let mt_ok = mt.len() <= 127
            && mt
                .split_once('/')
                .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty());
        if !mt_ok {
            return Err(ValueError::new(
                "DOCUMENT_MEDIA_TYPE_INVALID",
                format!("media type {media_type:?} must look like application/pdf"),
            ));
        }
        Ok(DocumentRef {
            uri: uri.to_owned(),
            sha256: sha,
            size_bytes,
            media_type: mt.to_owned(),
        })
    }

    /// Where the document is.
    pub fn uri(&self) -> &str {
        &self.uri
    }
    /// Lowercase hex SHA-256.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
    /// Size in bytes.
    pub fn size_bytes(&self) -> u64 {
        self.size_bytes
    }
    /// Media type.
    pub fn media_type(&self) -> &str {
        &self.media_type
    }
}

impl TryFrom<DocumentRefWire> for DocumentRef {
    type Error = ValueError;
    fn try_from(w: DocumentRefWire) -> Result<Self, Self::Error> {
        DocumentRef::new(&w.uri, &w.sha256, w.size_bytes, &w.media_type)
    }
}

impl From<DocumentRef> for DocumentRefWire {
    fn from(d: DocumentRef) -> Self {
        DocumentRefWire {
            uri: d.uri,
            sha256: d.sha256,
            size_bytes: d.size_bytes,
            media_type: d.media_type,
        }
    }
}

/// How a draft or final report was shared with DfE (R26): whole, or the parts named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "parts")]
pub enum ShareScope {
    /// The whole report.
    Whole,
    /// Only the parts described.
    Part(Text),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(Text::new("  hi ").unwrap().as_str(), "hi");
        assert_eq!(Text::new("   ").unwrap_err().code, "TEXT_EMPTY");
        assert_eq!(
            Text::new("x".repeat(Text::MAX_CHARS + 1)).unwrap_err().code,
            "TEXT_TOO_LONG"
        );
        assert_eq!(
            Text::new("a\u{0}b").unwrap_err().code,
            "TEXT_CONTROL_CHARACTER"
        );
    }

    #[test]
    fn r07_contract_set_is_non_empty_without_duplicates() {
        assert_eq!(ContractSet::new([]).unwrap_err().code, "CONTRACTS_EMPTY");
        assert_eq!(
            ContractSet::new([Contract::Ecf, Contract::Ecf])
                .unwrap_err()
                .code,
            "CONTRACT_DUPLICATE"
        );
        let s = ContractSet::new([Contract::Npq, Contract::Ecf]).unwrap();
        assert_eq!(s.to_string(), "ECF+NPQ");
        assert_eq!(serde_json::to_string(&s).unwrap(), r#"["ECF","NPQ"]"#);
        assert!(serde_json::from_str::<ContractSet>("[]").is_err());
    }

    #[test]
    fn r23_grades_are_one_to_four() {
        assert!(Grade::from_number(0).is_err());
        assert!(Grade::from_number(5).is_err());
        assert_eq!(Grade::from_number(3).unwrap(), Grade::RequiresImprovement);
        assert!(serde_json::from_str::<Grade>("7").is_err());
    }

    #[test]
    fn r15_npq_course_identifiers_are_checked() {
        assert!(NpqCourse::new("npq-headship").is_ok());
        assert!(NpqCourse::new("npq-senior-leadership").is_ok());
        for bad in [
            "headship",
            "npq-",
            "NPQ-Headship",
            "npq--x",
            "npq-x-",
            "npq x",
        ] {
            assert_eq!(
                NpqCourse::new(bad).unwrap_err().code,
                "NPQ_COURSE_MALFORMED",
                "{bad}"
            );
        }
    }

    #[test]
    fn r16_document_refs_need_uri_sha256_size_and_media_type() {
        let sha = "a".repeat(64);
        assert!(
            DocumentRef::new("https://portal.example/doc/1", &sha, 10, "application/pdf").is_ok()
        );
        assert_eq!(
            DocumentRef::new("ftp://x", &sha, 10, "application/pdf")
                .unwrap_err()
                .code,
            "DOCUMENT_URI_INVALID"
        );
        assert_eq!(
            DocumentRef::new("https://x", "abc", 10, "application/pdf")
                .unwrap_err()
                .code,
            "DOCUMENT_SHA256_INVALID"
        );
        assert_eq!(
            DocumentRef::new("https://x", &sha, 0, "application/pdf")
                .unwrap_err()
                .code,
            "DOCUMENT_SIZE_INVALID"
        );
        assert_eq!(
            DocumentRef::new("https://x", &sha, 1, "pdf")
                .unwrap_err()
                .code,
            "DOCUMENT_MEDIA_TYPE_INVALID"
        );
        let bad = r#"{"uri":"https://x","sha256":"zz","size_bytes":1,"media_type":"a/b"}"#;
        assert!(serde_json::from_str::<DocumentRef>(bad).is_err());
    }
}
