//! The command line: parse it, then start the server or run a one-off command. Everything
//! else lives in the library, so that integration tests can start the real application.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use task_dashboard::{
    backup,
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
    /// Copy the SQLite database to FILE while the server runs: one consistent snapshot
    /// (`VACUUM INTO`), compact, checked, and given FILE's name only once complete.
    ///
    /// Reads the database without changing it (no migrations) and never overwrites FILE.
    /// On PostgreSQL, use `pg_dump --format=custom` instead (and `pg_restore` to bring a
    /// dump back).
    Backup {
        /// Where to write the copy: a file that does not exist yet (it is readable by its
        /// owner only, as it holds password hashes).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Replace the SQLite database with a backup. Stop the service first.
    ///
    /// FILE must pass SQLite's integrity check and be this app's database, or nothing is
    /// changed. The replaced database is kept as `<database>.before-restore`; restoring from
    /// that file swaps the two back. A server on this machine with the database open is
    /// detected and the restore refused, but one that has no connection open at that moment
    /// (or runs on another machine) cannot be: stop the service before restoring, and start
    /// it after. On PostgreSQL, use `pg_restore`.
    Restore {
        /// The backup to restore (made by `backup --to FILE`).
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
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
    let _log = telemetry::init(cli.settings.log_format);
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
        Command::Backup { to } => {
            println!(
                "backed up to {}",
                backup::backup(&cli.settings.database_url, &to).await?
            );
        }
        Command::Restore { from } => {
            println!(
                "{}",
                backup::restore(&cli.settings.database_url, &from).await?
            );
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
