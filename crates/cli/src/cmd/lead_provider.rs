//! `inspectionctl lead-provider …`: register and update lead providers (R6), erase a person's
//! personal data (R31) and read one with its next-inspection deadline (R30).

use chrono::{DateTime, Utc};
use clap::Subcommand;
use proto::pb;

use super::args::{self, ContractArg, FrameworkArg};
use super::ctx::{Ctx, call};
use super::output::{enum_name, london, timestamp};

#[derive(Debug, Subcommand)]
pub enum LeadProviderCommand {
    /// Register a lead provider (R6) [scheduler].
    ///
    /// Example:
    ///   inspectionctl --as-role scheduler lead-provider register --name "Best Practice Network" \
    ///     --contract ECF --contract NPQ --representative "name=Ada Lovelace,email=ada@example.org"
    #[command(verbatim_doc_comment)]
    Register {
        /// Its id (UUID); a new one is made when omitted.
        #[arg(long, value_parser = args::uuid)]
        id: Option<String>,
        #[arg(long)]
        name: String,
        #[arg(long = "contract", value_enum, required = true)]
        contracts: Vec<ContractArg>,
        #[arg(long, value_enum, default_value = "2024")]
        framework: FrameworkArg,
        /// A named representative: name=…,email=…,phone=… (repeatable; personal data, R31).
        #[arg(long = "representative", value_parser = args::person)]
        representatives: Vec<pb::PersonalDetails>,
        /// Idempotency key.
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// Change a lead provider's name, contracts or representatives (R6) [scheduler].
    Update {
        #[arg(long, value_parser = args::uuid)]
        id: String,
        #[arg(long)]
        name: Option<String>,
        /// Replaces the contracts held (repeatable).
        #[arg(long = "contract", value_enum)]
        contracts: Vec<ContractArg>,
        /// Replaces the representatives (repeatable).
        #[arg(long = "representative", value_parser = args::person)]
        representatives: Vec<pb::PersonalDetails>,
        #[arg(long)]
        expected_version: Option<u64>,
    },
    /// Erase one person's personal data from the provider's records (R31) [quality_assurer].
    ///
    /// Deletes the person's data key: their name, email and phone become unreadable wherever
    /// the history holds them; read models and this tool show them as `erased`.
    ///
    /// Example:
    ///   inspectionctl --as-role quality_assurer lead-provider erase-personal-data \
    ///     --id 0190… --person 0190… --reason "erasure request DP-2027-042"
    #[command(verbatim_doc_comment)]
    ErasePersonalData {
        #[arg(long, value_parser = args::uuid)]
        id: String,
        /// The person's id (as given when their details were recorded).
        #[arg(long, value_parser = args::uuid)]
        person: String,
        /// Why: a request reference, not personal data.
        #[arg(long)]
        reason: String,
    },
    /// Show a lead provider and when its next inspection is due (R30).
    Get {
        #[arg(long, value_parser = args::uuid)]
        id: String,
        /// Compute deadline status at this instant instead of now.
        #[arg(long, value_parser = args::instant)]
        as_of: Option<DateTime<Utc>>,
    },
}

pub async fn run(ctx: &Ctx, cmd: LeadProviderCommand) -> anyhow::Result<()> {
    match cmd {
        LeadProviderCommand::Register {
            id,
            name,
            contracts,
            framework,
            representatives,
            idempotency_key,
        } => {
            let mut c = ctx.commands().await?;
            let lead_provider_id = id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
            let mut req = pb::RegisterLeadProviderRequest {
                meta: None,
                lead_provider_id,
                name,
                framework: framework.into(),
                contracts: contracts.into_iter().map(i32::from).collect(),
                representatives,
            };
            if idempotency_key.is_some() {
                req.meta = Some(pb::CommandMeta {
                    idempotency_key,
                    ..Default::default()
                });
            }
            let r = call!(ctx, c, register_lead_provider, req);
            ctx.print_lead_provider_command(&r)
        }
        LeadProviderCommand::Update {
            id,
            name,
            contracts,
            representatives,
            expected_version,
        } => {
            let mut c = ctx.commands().await?;
            let r = call!(
                ctx,
                c,
                update_lead_provider,
                pb::UpdateLeadProviderRequest {
                    meta: Some(pb::CommandMeta {
                        expected_version,
                        ..Default::default()
                    }),
                    lead_provider_id: id,
                    name,
                    contracts: (!contracts.is_empty()).then(|| pb::ContractList {
                        contracts: contracts.into_iter().map(i32::from).collect(),
                    }),
                    representatives: (!representatives.is_empty()).then_some(
                        pb::PersonalDetailsList {
                            people: representatives
                        }
                    ),
                }
            );
            ctx.print_lead_provider_command(&r)
        }
        LeadProviderCommand::ErasePersonalData { id, person, reason } => {
            let mut c = ctx.commands().await?;
            let r = call!(
                ctx,
                c,
                erase_personal_data,
                pb::ErasePersonalDataRequest {
                    meta: None,
                    lead_provider_id: id,
                    person_id: person,
                    reason,
                }
            );
            ctx.print_lead_provider_command(&r)
        }
        LeadProviderCommand::Get { id, as_of } => {
            let mut q = ctx.queries().await?;
            let v = call!(
                ctx,
                q,
                get_lead_provider,
                pb::GetLeadProviderRequest {
                    lead_provider_id: id,
                    as_of: as_of.map(timestamp),
                }
            );
            if ctx.out.json {
                return ctx
                    .out
                    .json_line(&v, "ofsted.inspections.v1.LeadProviderView");
            }
            println!("{} {}", ctx.out.bold(&v.name), v.lead_provider_id);
            let contracts: Vec<String> = v
                .contracts()
                .map(|c| enum_name(c.as_str_name(), "CONTRACT_").to_uppercase())
                .collect();
            println!("  contracts        {}", contracts.join(", "));
            println!(
                "  framework        {}",
                enum_name(v.framework().as_str_name(), "FRAMEWORK_VERSION_")
            );
            println!(
                "  representatives  {} (personal data not shown)",
                v.representatives
            );
            for p in &v.representative_people {
                println!("    {}  {}", p.person_id, representative_state(p));
            }
            println!("  inspections      {}", v.inspections);
            println!("  version          {}", v.version);
            match &v.next_inspection {
                Some(d) => println!(
                    "  next inspection  due {} ({})",
                    london(d.due_at.as_ref()),
                    ctx.out
                        .state(&enum_name(d.status().as_str_name(), "DEADLINE_STATUS_"))
                ),
                None => {
                    println!("  next inspection  not set (no ended inspection with an outcome)")
                }
            }
            Ok(())
        }
    }
}

/// How a representative is shown: `erased` once their data is erased (R31), else `held`.
pub fn representative_state(p: &pb::RepresentativeView) -> &'static str {
    if p.erased { "erased" } else { "held" }
}
