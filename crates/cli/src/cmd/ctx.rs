//! What every service-calling command shares: addresses, identity, output, and the calls'
//! error mapping.

use clap::Args;
use proto::pb;
use proto::pb::inspection_command_service_client::InspectionCommandServiceClient;
use proto::pb::inspection_query_service_client::InspectionQueryServiceClient;
use tonic::transport::{Channel, Endpoint};

use super::credentials::Credentials;
use super::errors::ServiceError;
use super::output::Output;

/// Default address of the command service.
pub const DEFAULT_COMMAND_ADDR: &str = "http://127.0.0.1:50051";
/// Default address of the query (projection) service.
pub const DEFAULT_QUERY_ADDR: &str = "http://127.0.0.1:50052";

/// Where the services are.
#[derive(Debug, Clone, Args)]
pub struct Addresses {
    /// Command service (the write side).
    #[arg(long, global = true, env = "INSPECTIONCTL_COMMAND_ADDR", default_value = DEFAULT_COMMAND_ADDR, value_name = "URL")]
    pub command_addr: String,
    /// Query service (the read side).
    #[arg(long, global = true, env = "INSPECTIONCTL_QUERY_ADDR", default_value = DEFAULT_QUERY_ADDR, value_name = "URL")]
    pub query_addr: String,
}

/// Everything a command needs to call a service and print the answer.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub addrs: Addresses,
    pub creds: Credentials,
    pub out: Output,
}

impl Ctx {
    /// A client of the command service.
    pub async fn commands(&self) -> anyhow::Result<InspectionCommandServiceClient<Channel>> {
        Ok(InspectionCommandServiceClient::new(
            connect("command service", &self.addrs.command_addr).await?,
        ))
    }

    /// A client of the query service.
    pub async fn queries(&self) -> anyhow::Result<InspectionQueryServiceClient<Channel>> {
        Ok(InspectionQueryServiceClient::new(
            connect("query service", &self.addrs.query_addr).await?,
        ))
    }

    /// `message` with the caller's identity attached.
    pub fn request<T>(&self, message: T) -> anyhow::Result<tonic::Request<T>> {
        self.creds.request(message)
    }

    /// Prints the result of an inspection command.
    pub fn print_command(&self, r: &pb::CommandResponse) -> anyhow::Result<()> {
        if self.out.json {
            return self
                .out
                .json_line(r, "ofsted.inspections.v1.CommandResponse");
        }
        println!(
            "inspection {} at version {} ({} new event{})",
            r.inspection_id,
            r.new_version,
            r.event_ids.len(),
            if r.event_ids.len() == 1 { "" } else { "s" }
        );
        Ok(())
    }

    /// Prints the result of a lead-provider command.
    pub fn print_lead_provider_command(
        &self,
        r: &pb::LeadProviderCommandResponse,
    ) -> anyhow::Result<()> {
        if self.out.json {
            return self
                .out
                .json_line(r, "ofsted.inspections.v1.LeadProviderCommandResponse");
        }
        println!(
            "lead provider {} at version {} ({} new event{})",
            r.lead_provider_id,
            r.new_version,
            r.event_ids.len(),
            if r.event_ids.len() == 1 { "" } else { "s" }
        );
        Ok(())
    }
}

/// A failed call as the error `main` prints (`RULE_CODE: message`).
pub fn status(s: tonic::Status) -> anyhow::Error {
    ServiceError::from_status(&s).into()
}

async fn connect(what: &str, addr: &str) -> anyhow::Result<Channel> {
    let endpoint = Endpoint::from_shared(addr.to_owned())
        .map_err(|e| anyhow::anyhow!("{addr} is not a URL such as http://127.0.0.1:50051: {e}"))?
        .connect_timeout(std::time::Duration::from_secs(5))
        // Explicit (tonic's default today): small RPCs must not wait for delayed ACKs.
        .tcp_nodelay(true);
    endpoint
        .connect()
        .await
        .map_err(|e| ServiceError::unreachable(what, addr, &e).into())
}

/// Calls `$method` of `$client` with `$req` carrying the identity of `$ctx`, mapping a failure
/// to a [`ServiceError`].
macro_rules! call {
    ($ctx:expr, $client:expr, $method:ident, $req:expr) => {
        $client
            .$method($ctx.request($req)?)
            .await
            .map_err($crate::cmd::ctx::status)?
            .into_inner()
    };
}
pub(crate) use call;
