//! Who the load generator acts as, and how that identity travels with a request.
//!
//! The one place that knows how the services authenticate callers: a development bearer token
//! (`auth::dev`, trusted by services in development and test) per actor, minted once and
//! re-used while it is valid.

use auth::Identity;
use domain::ids::LeadProviderId;
use domain::permissions::Role;
use tonic::Request;
use uuid::Uuid;

/// An actor of DOMAIN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Scheduler,
    Inspector,
    QualityAssurer,
    /// A user of this lead provider.
    LeadProvider(Uuid),
    SurveySystem,
    Operator,
}

impl Who {
    fn role_and_subject(self) -> (&'static str, &'static str) {
        match self {
            Who::Scheduler => ("scheduler", "bench-scheduler"),
            Who::Inspector => ("inspector", "bench-inspector"),
            Who::QualityAssurer => ("quality_assurer", "bench-senior-hmi"),
            Who::LeadProvider(_) => ("lead_provider", "bench-provider-user"),
            Who::SurveySystem => ("survey_system", "bench-survey-system"),
            Who::Operator => ("operator", "bench-operator"),
        }
    }

    /// The identity this actor's token carries.
    pub fn identity(self) -> Identity {
        let (role, subject) = self.role_and_subject();
        let role: Role = role.parse().expect("a role of DOMAIN.md");
        let lead_provider = match self {
            Who::LeadProvider(lp) => LeadProviderId::new(lp).ok(),
            _ => None,
        };
        Identity::new(subject, role, lead_provider).expect("a valid identity")
    }

    /// `body` as a request from this actor.
    pub fn request<T>(self, body: T) -> Request<T> {
        let mut request = Request::new(body);
        if let Some(bearer) = auth::grpc::Bearer::new(&auth::dev::token_for(&self.identity())) {
            bearer.apply(&mut request);
        }
        request
    }
}
