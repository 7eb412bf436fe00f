//! Who the load generator acts as, and how that identity travels with a request.
//!
//! The one place that knows how the services authenticate callers: today the command
//! service takes the actor from `x-actor-*` headers (`command_service::auth`); when bearer
//! JWTs replace them, only [`Who::request`] changes.

use tonic::Request;
use tonic::metadata::MetadataValue;
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

    /// `body` as a request from this actor.
    pub fn request<T>(self, body: T) -> Request<T> {
        let (role, subject) = self.role_and_subject();
        let mut request = Request::new(body);
        let m = request.metadata_mut();
        m.insert("x-actor-subject", MetadataValue::from_static(subject));
        m.insert("x-actor-role", MetadataValue::from_static(role));
        if let Who::LeadProvider(lp) = self
            && let Ok(v) = lp.to_string().parse()
        {
            m.insert("x-lead-provider-id", v);
        }
        request
    }
}
