//! gRPC clients of both services and the actors of DOMAIN.md, carried as request metadata
//! (`x-actor-subject`, `x-actor-role`, `x-lead-provider-id`; see `command_service::auth`).

use std::net::SocketAddr;

use proto::pb::inspection_command_service_client::InspectionCommandServiceClient;
use proto::pb::inspection_query_service_client::InspectionQueryServiceClient;
use tonic::Request;
use tonic::transport::Channel;
use uuid::Uuid;

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Ofsted scheduling.
    Scheduler,
    /// The lead inspector.
    Inspector,
    /// A senior HMI.
    QualityAssurer,
    /// A user of one lead provider.
    LeadProvider(Uuid),
    /// The stakeholder survey system.
    SurveySystem,
    /// An operator (reads only).
    Operator,
}

impl Who {
    /// The role name and a subject for it.
    fn identity(self) -> (&'static str, &'static str) {
        match self {
            Who::Scheduler => ("scheduler", "e2e-scheduler"),
            Who::Inspector => ("inspector", "e2e-inspector"),
            Who::QualityAssurer => ("quality_assurer", "e2e-senior-hmi"),
            Who::LeadProvider(_) => ("lead_provider", "e2e-provider-user"),
            Who::SurveySystem => ("survey_system", "e2e-survey-system"),
            Who::Operator => ("operator", "e2e-operator"),
        }
    }

    /// `body` as a request from this actor.
    pub fn request<T>(self, body: T) -> Request<T> {
        let (role, subject) = self.identity();
        let mut request = Request::new(body);
        let m = request.metadata_mut();
        m.insert(
            command_service::auth::SUBJECT_HEADER,
            subject.parse().expect("ascii"),
        );
        m.insert(
            command_service::auth::ROLE_HEADER,
            role.parse().expect("ascii"),
        );
        if let Who::LeadProvider(lp) = self {
            m.insert(
                command_service::auth::LEAD_PROVIDER_HEADER,
                lp.to_string().parse().expect("ascii"),
            );
        }
        request
    }
}

/// Clients of the command and query services (cheap to clone).
#[derive(Debug, Clone)]
pub struct Api {
    commands: InspectionCommandServiceClient<Channel>,
    queries: InspectionQueryServiceClient<Channel>,
}

impl Api {
    /// Clients of the services at these addresses (connected lazily, reconnecting as needed).
    pub fn new(command_addr: SocketAddr, query_addr: SocketAddr) -> Api {
        Api {
            commands: InspectionCommandServiceClient::new(channel(command_addr)),
            queries: InspectionQueryServiceClient::new(channel(query_addr)),
        }
    }

    /// A command client.
    pub fn commands(&self) -> InspectionCommandServiceClient<Channel> {
        self.commands.clone()
    }

    /// A query client.
    pub fn queries(&self) -> InspectionQueryServiceClient<Channel> {
        self.queries.clone()
    }
}

/// A lazily connected channel to `addr`.
pub fn channel(addr: SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .expect("valid uri")
        .connect_timeout(std::time::Duration::from_secs(5))
        .connect_lazy()
}
