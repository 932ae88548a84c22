use clap::Parser;
use task_dashboard::{
    config::{Cli, Command},
    startup::{Application, connect_and_migrate},
    telemetry,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env is fine; a malformed one is worth saying so.
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("warning: ignoring .env: {e}");
    }
    let cli = Cli::parse();
    telemetry::init();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            connect_and_migrate(&cli.settings).await?;
            tracing::info!("migrations applied");
        }
        Command::Seed(args) => {
            let store = connect_and_migrate(&cli.settings).await?;
            task_dashboard::seed::run(&cli.settings, store, &args).await?;
        }
        Command::Serve => {
            let app = Application::build(&cli.settings).await?;
            tracing::info!("open http://{}", app.addr());
            app.run().await?;
            tracing::info!("stopped: in-flight requests drained");
        }
    }
    Ok(())
}
