//! gRPC clients of both services and the actors of DOMAIN.md, each proving who it is with a
//! development bearer token (`auth::dev`, trusted by the services in `OFSTED_ENV=test`).

use std::net::SocketAddr;

use auth::Identity;
use auth::grpc::Bearer;
use domain::ids::LeadProviderId;
use domain::permissions::Role;
use proto::pb::inspection_command_service_client::InspectionCommandServiceClient;
use proto::pb::inspection_query_service_client::InspectionQueryServiceClient;
use tonic::Request;
use tonic::service::interceptor::InterceptedService;
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

    /// The verified identity this actor's token carries.
    pub fn verified(self) -> Identity {
        let (role, subject) = self.identity();
        let role: Role = role.parse().expect("a role of DOMAIN.md");
        let lead_provider = match self {
            Who::LeadProvider(lp) => Some(LeadProviderId::new(lp).expect("lead provider id")),
            _ => None,
        };
        Identity::new(subject, role, lead_provider).expect("identity")
    }

    /// The bearer interceptor of this actor.
    pub fn bearer(self) -> Bearer {
        Bearer::new(&auth::dev::token_for(&self.verified())).expect("ascii token")
    }

    /// `body` as a request from this actor.
    pub fn request<T>(self, body: T) -> Request<T> {
        let mut request = Request::new(body);
        self.bearer().apply(&mut request);
        request
    }
}

/// A query client acting as an operator (who reads everything).
pub type QueryClient = InspectionQueryServiceClient<InterceptedService<Channel, Bearer>>;

/// Clients of the command and query services (cheap to clone). Commands carry the identity of
/// each request ([`Who::request`]); queries are an operator's unless made with
/// [`Api::queries_as`].
#[derive(Debug, Clone)]
pub struct Api {
    commands: InspectionCommandServiceClient<Channel>,
    query_channel: Channel,
    queries: QueryClient,
}

impl Api {
    /// Clients of the services at these addresses (connected lazily, reconnecting as needed).
    pub fn new(command_addr: SocketAddr, query_addr: SocketAddr) -> Api {
        let query_channel = channel(query_addr);
        Api {
            commands: InspectionCommandServiceClient::new(channel(command_addr)),
            queries: InspectionQueryServiceClient::with_interceptor(
                query_channel.clone(),
                Who::Operator.bearer(),
            ),
            query_channel,
        }
    }

    /// A command client.
    pub fn commands(&self) -> InspectionCommandServiceClient<Channel> {
        self.commands.clone()
    }

    /// A query client acting as an operator.
    pub fn queries(&self) -> QueryClient {
        self.queries.clone()
    }

    /// A query client acting as `who`.
    pub fn queries_as(&self, who: Who) -> QueryClient {
        InspectionQueryServiceClient::with_interceptor(self.query_channel.clone(), who.bearer())
    }
}

/// A lazily connected channel to `addr`.
pub fn channel(addr: SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .expect("valid uri")
        .tcp_nodelay(true)
        .connect_timeout(std::time::Duration::from_secs(5))
        .connect_lazy()
}
