//! `bench`: see the library's docs. `make bench` builds it with the services and runs it.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = bench::run::Options::parse();
    bench::run::run(options).await
}
