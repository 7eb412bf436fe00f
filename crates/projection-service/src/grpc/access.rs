//! Who may read what: the read rules per role, as one pure function ([`scope`]) with an
//! exhaustive `match`, so a new role or query forces a decision here.
//!
//! | role | reads |
//! |---|---|
//! | `operator`, `scheduler`, `inspector`, `quality_assurer` | everything |
//! | `lead_provider` | every query and `Watch`, confined to its own lead provider: another provider's inspection or record is NOT_FOUND, lists and `Watch` leave it out |
//! | `survey_system` | `GetInspection`, `ListInspections`, `GetSurveyWindow`, `Watch` (what it needs to send and count surveys) |
//! | `dfe` | `ListReports` only: reports shared with DfE, reduced to what the public report-shared message carries |
//!
//! Anything else is PERMISSION_DENIED (`ROLE_NOT_PERMITTED`), before the request is read.

use auth::Identity;
use domain::permissions::Role;
use uuid::Uuid;

use super::errors::QueryFailure;

/// The queries of `InspectionQueryService`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query {
    GetInspection,
    ListInspections,
    GetDeadlines,
    ListDeadlines,
    GetSurveyWindow,
    GetReportStatus,
    ListReports,
    GetEvidenceChecklist,
    GetLeadProvider,
    Watch,
}

impl Query {
    /// Every query.
    #[cfg(test)]
    pub const ALL: [Query; 10] = [
        Query::GetInspection,
        Query::ListInspections,
        Query::GetDeadlines,
        Query::ListDeadlines,
        Query::GetSurveyWindow,
        Query::GetReportStatus,
        Query::ListReports,
        Query::GetEvidenceChecklist,
        Query::GetLeadProvider,
        Query::Watch,
    ];
}

/// What a caller may see of a query's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything.
    All,
    /// Only what belongs to this lead provider.
    Provider(Uuid),
    /// Only reports shared with DfE, reduced to their public content.
    SharedReports,
}

impl Scope {
    /// Whether something of `lead_provider` may be shown.
    pub fn admits(self, lead_provider: Uuid) -> bool {
        match self {
            Scope::All => true,
            Scope::Provider(own) => own == lead_provider,
            Scope::SharedReports => false,
        }
    }

    /// The lead-provider filter of a list: the caller's own provider for provider users
    /// (`Err(())` when they asked for another one: the answer is empty), else the request's.
    pub fn provider_filter(self, requested: Option<Uuid>) -> Result<Option<Uuid>, ()> {
        match (self, requested) {
            (Scope::Provider(own), Some(asked)) if asked != own => Err(()),
            (Scope::Provider(own), _) => Ok(Some(own)),
            (Scope::All | Scope::SharedReports, requested) => Ok(requested),
        }
    }
}

/// The scope of `query` for `caller`, or PERMISSION_DENIED.
pub fn scope(caller: &Identity, query: Query) -> Result<Scope, QueryFailure> {
    use Query::*;
    let allowed = match caller.role() {
        Role::Operator | Role::Scheduler | Role::Inspector | Role::QualityAssurer => {
            return Ok(Scope::All);
        }
        Role::LeadProvider => {
            // Identity guarantees a provider user has its provider.
            return match caller.lead_provider() {
                Some(own) => Ok(Scope::Provider(own.as_uuid())),
                None => Err(QueryFailure::Denied(
                    "LEAD_PROVIDER_UNSCOPED",
                    "a lead_provider caller must be bound to one lead provider".into(),
                )),
            };
        }
        Role::SurveySystem => matches!(
            query,
            GetInspection | ListInspections | GetSurveyWindow | Watch
        )
        .then_some(Scope::All),
        Role::Dfe => matches!(query, ListReports).then_some(Scope::SharedReports),
    };
    allowed.ok_or_else(|| {
        QueryFailure::Denied(
            "ROLE_NOT_PERMITTED",
            format!("role {} may not use {query:?}", caller.role()),
        )
    })
}

/// What DfE sees of a shared report: what the public report-shared message carries (the
/// report, its stage, the judgements, when it was shared and published), nothing of the
/// moderation, QA, comments or complaints.
pub fn shared_report(status: proto::pb::ReportStatus) -> proto::pb::ReportStatus {
    proto::pb::ReportStatus {
        report: status.report,
        progress: status.progress,
        grades: status.grades,
        outcome: status.outcome,
        shared_with_dfe: status.shared_with_dfe,
        published_at: status.published_at,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role) -> Identity {
        let lp = (role == Role::LeadProvider)
            .then(|| domain::ids::LeadProviderId::new(Uuid::from_u128(9)).unwrap());
        Identity::new("u", role, lp).unwrap()
    }

    #[test]
    fn every_role_has_a_decision_for_every_query() {
        for role in Role::ALL {
            let allowed: Vec<Query> = Query::ALL
                .into_iter()
                .filter(|q| scope(&who(role), *q).is_ok())
                .collect();
            match role {
                Role::Operator
                | Role::Scheduler
                | Role::Inspector
                | Role::QualityAssurer
                | Role::LeadProvider => assert_eq!(allowed, Query::ALL, "{role}"),
                Role::SurveySystem => assert_eq!(
                    allowed,
                    [
                        Query::GetInspection,
                        Query::ListInspections,
                        Query::GetSurveyWindow,
                        Query::Watch
                    ]
                ),
                Role::Dfe => assert_eq!(allowed, [Query::ListReports]),
            }
        }
        assert_eq!(
            scope(&who(Role::LeadProvider), Query::Watch).unwrap(),
            Scope::Provider(Uuid::from_u128(9))
        );
    }

    #[test]
    fn provider_users_are_confined_to_their_own_provider() {
        let own = Uuid::from_u128(9);
        let other = Uuid::from_u128(10);
        let s = Scope::Provider(own);
        assert!(s.admits(own) && !s.admits(other));
        assert_eq!(s.provider_filter(None), Ok(Some(own)));
        assert_eq!(s.provider_filter(Some(own)), Ok(Some(own)));
        assert_eq!(s.provider_filter(Some(other)), Err(()));
        assert_eq!(Scope::All.provider_filter(Some(other)), Ok(Some(other)));
    }
}
