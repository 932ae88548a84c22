//! The command line: parse it, then start the server or run a one-off command. Everything
//! else lives in the library, so that integration tests can start the real application.

use clap::{Parser, Subcommand};
use task_dashboard::{
    config::Settings,
    seed::{self, SeedArgs},
    startup::{Application, connect_and_migrate},
    telemetry,
};

#[derive(Debug, Parser)]
#[command(name = "task-dashboard", version, about = "A secure task dashboard")]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
enum Command {
    /// Migrate the database, then serve HTTP (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Fill the database with sample accounts and tasks (demo data, or the benchmark's set).
    Seed(SeedArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env is fine; a malformed one is worth saying so.
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("warning: ignoring .env: {e}");
    }
    let cli = Cli::parse();
    // Held until the end of main, so that the last lines are written out.
    let _log = telemetry::init();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            connect_and_migrate(&cli.settings).await?;
            tracing::info!("migrations applied");
        }
        Command::Seed(args) => {
            seed::check(&cli.settings, &args)?;
            let store = connect_and_migrate(&cli.settings).await?;
            seed::run(&cli.settings, store, &args).await?;
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
