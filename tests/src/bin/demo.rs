//! `make demo`: a private pair of services (databases, stream and subject prefix of their own,
//! the test/demo clock) takes a full inspection (ECF + NPQ) and an LPMV through their whole
//! lifecycles over gRPC, the clock moving through the weeks, and prints the read models after
//! each stage. Needs Postgres and NATS (`make services`); leaves nothing behind.

use e2e::journey::Journey;
use e2e::script::{FullInspection, Lpmv};
use e2e::show;
use e2e::stack::{Stack, StackOptions};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::at(e2e::clock::london(2026, 12, 1, 10, 0))).await;
    println!("demo services (clock replaced: OFSTED_CLOCK test/demo setting, moved by the demo)");
    println!("  commands  grpc://{}", stack.command_addr());
    println!("  queries   grpc://{}", stack.query_addr());
    println!(
        "  databases {} (events), {} (read models); stream {}, subjects {}.>",
        stack.events.name(),
        stack.views.name(),
        stack.bus.stream_name,
        stack.bus.subject_prefix
    );
    let result = run(&stack).await;
    stack.stop().await;
    result
}

async fn run(stack: &Stack) -> anyhow::Result<()> {
    println!("\n=== Full inspection, ECF + NPQ, starting Mon 2027-01-11 ===");
    let mut full = FullInspection::plan(stack).await?;
    stage(&full.journey, "planned (R7, R8)").await;
    full.notification_call().await?;
    stage(
        &full.journey,
        "notification call and confirmation (R10, R11); surveys open (R20)",
    )
    .await;
    let n = full.conversation_day_information().await?;
    println!("  submitted {n} R15 items on the conversation day");
    full.links_and_start_information().await?;
    stage(
        &full.journey,
        "information in (R15, R16), survey links sent (R21)",
    )
    .await;
    full.on_site().await?;
    stage(&full.journey, "on site: day 2").await;
    stack.clocks.set(e2e::clock::london(2027, 1, 13, 9, 5));
    stage(&full.journey, "day 3, 09:05: the survey window has closed").await;
    full.end().await?;
    stage(&full.journey, "ended, follow-up call made (R19)").await;
    full.judgements().await?;
    full.moderation_and_qa().await?;
    stage(
        &full.journey,
        "judged (R23), moderated (R24) and quality assured (R25)",
    )
    .await;
    full.drafts().await?;
    stage(
        &full.journey,
        "drafts issued (R25), ECF draft shared with DfE (R26)",
    )
    .await;
    full.comments().await?;
    full.finals().await?;
    stage(
        &full.journey,
        "comments in time (R27); finals issued and published (R28)",
    )
    .await;
    next_inspection(&full.journey).await;

    println!("\n=== LPMV, NPQ, starting Tue 2027-03-30 (Easter, BST) ===");
    let mut lpmv = Lpmv::plan(stack).await?;
    stage(&lpmv.journey, "planned").await;
    lpmv.notification_and_information().await?;
    stage(
        &lpmv.journey,
        "call on Fri 2027-03-19, information in, links sent",
    )
    .await;
    lpmv.on_site().await?;
    stage(
        &lpmv.journey,
        "on site 30 Mar - 1 Apr, ended, follow-up call",
    )
    .await;
    lpmv.outcome().await?;
    lpmv.draft().await?;
    stage(
        &lpmv.journey,
        "not taking effective action; draft letter issued",
    )
    .await;
    lpmv.final_letter().await?;
    stage(&lpmv.journey, "final letter issued and published").await;
    next_inspection(&lpmv.journey).await;
    Ok(())
}

async fn stage(journey: &Journey, title: &str) {
    println!("\n--- {} | {title}", show::london(journey.clocks.now()));
    println!("  inspection: {}", show::summary(&journey.summary().await));
    println!("  survey window: {}", show::survey(&journey.survey().await));
    print!(
        "  deadlines:\n{}",
        show::deadlines(&journey.deadlines().await)
    );
    print!("  reports:\n{}", show::reports(&journey.reports().await));
}

async fn next_inspection(journey: &Journey) {
    let view = journey.provider_view().await;
    match &view.next_inspection {
        Some(d) => print!(
            "  {} — next inspection (R30):\n{}",
            view.name,
            show::deadlines(std::slice::from_ref(d))
        ),
        None => println!("  {} — no next-inspection deadline", view.name),
    }
}
