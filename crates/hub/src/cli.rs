//! The `parley-hub` command: serve, migrate, move data between databases, manage agents,
//! and drive the simulated carrier. The binary is [`main`]; the tests run the same command
//! as a process of their own.

use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::{Config, LogFormat};
use crate::{AgentSettings, Store};
use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use parley_proto::{Role, SimInboundRequest};

mod backup;
mod seed;
mod simulate;

#[derive(Parser)]
#[command(
    name = "parley-hub",
    version,
    about = "The Parley hub: SMS in and out, routing, and the agent API"
)]
struct Cli {
    /// The config file (TOML). `PARLEY_*` environment variables override it.
    #[arg(long, short, global = true, env = "PARLEY_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the hub.
    Serve {
        /// Seed a demo agent (login `demo`, password `demo`) and contacts into an empty database.
        #[arg(long)]
        demo: bool,
    },
    /// Creates or upgrades the database, then exits.
    Migrate,
    /// Copies a SQLite hub's database to FILE, and its pictures to FILE.media/, while it
    /// runs: the copy holds the database as of one moment. (PostgreSQL: pg_dump.)
    Backup {
        /// The backup file to write (it must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Puts a backup in place of the configured SQLite database, with its pictures. Stop
    /// the hub first. (PostgreSQL: pg_restore.)
    Restore {
        /// The backup file `parley-hub backup` wrote.
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing database (kept beside it as <database>.before-restore).
        #[arg(long)]
        replace: bool,
    },
    /// Copies every row of one database into another, empty one — a SQLite hub moving to
    /// PostgreSQL — with the pictures, ids and event log as they were. Stop the hubs on
    /// the source first.
    MigrateData {
        /// The database to copy from: sqlite:///path/to/parley.db, or postgres://…
        #[arg(long)]
        from: String,
        /// The empty database to copy into: postgres://user:password@host/database, or
        /// sqlite://…
        #[arg(long)]
        to: String,
        /// The source's media folder (default: media/ beside a SQLite source; a PostgreSQL
        /// source keeps pictures in the database).
        #[arg(long)]
        from_media: Option<PathBuf>,
        /// Where the target keeps pictures: a folder (default: media/ beside a SQLite
        /// target; a PostgreSQL target keeps them in the database).
        #[arg(long)]
        to_media: Option<PathBuf>,
    },
    /// Fills an empty database with a contact center's history, for load tests: agents
    /// `agent001`…, contacts, and their finished conversations (with their events).
    Seed {
        #[arg(long, default_value_t = 1_000)]
        contacts: usize,
        /// Messages in all, spread over the contacts.
        #[arg(long, default_value_t = 10_000)]
        messages: usize,
        #[arg(long, default_value_t = 10)]
        agents: usize,
        /// Every seeded agent's password.
        #[arg(long, env = "PARLEY_PASSWORD")]
        password: String,
        /// How far back the history goes.
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// The same number gives the same history.
        #[arg(long, default_value_t = 1)]
        random_seed: u64,
    },
    /// Manages agent accounts.
    Agent {
        #[command(subcommand)]
        command: AgentCommand,
    },
    /// Drives the built-in simulated carrier of a running hub, as one of its supervisors or
    /// admins (this command opens a short session for them in the hub's database).
    Simulate {
        /// The running hub's URL (default: the listen address of the configuration, as
        /// `PARLEY_LISTEN` or the config file sets it).
        #[arg(long, global = true, env = "PARLEY_HUB_URL")]
        hub: Option<String>,
        /// The supervisor or admin to act as (default: the first admin, else the first
        /// supervisor, by login).
        #[arg(long = "as", global = true, env = "PARLEY_SIM_AS")]
        operator: Option<String>,
        #[command(subcommand)]
        command: SimulateCommand,
    },
}

#[derive(Subcommand)]
enum AgentCommand {
    /// Adds an agent. The password is read from `PARLEY_PASSWORD` or standard input.
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_role, default_value = "agent")]
        role: Role,
        /// Accept offered interactions automatically.
        #[arg(long)]
        auto_answer: bool,
        /// How many interactions the agent can hold at once.
        #[arg(long, default_value_t = 3)]
        max_chats: u32,
        /// May save a copy of a contact's picture to their computer.
        #[arg(long)]
        save_media: bool,
    },
    /// Lists every account: login, name, role, permissions, and whether it is disabled.
    List {
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
    /// Disables an account: it cannot sign in, and its sessions end (its open streams
    /// close within a second).
    Disable { login: String },
    /// Enables a disabled account.
    Enable { login: String },
    /// Sets an account's password, read from `PARLEY_PASSWORD` or standard input; its
    /// sessions end.
    Passwd { login: String },
    /// Ends every session of an account: its desktops and browsers sign in again.
    RevokeSessions { login: String },
}

#[derive(Subcommand)]
pub(crate) enum SimulateCommand {
    /// A customer texts the contact center.
    Inbound {
        #[arg(long)]
        from: String,
        #[arg(long, default_value = "")]
        body: String,
        /// A picture (MMS): one of the carrier's samples — photo.jpg, logo.png,
        /// animation.gif, sticker.webp, and the broken corrupt.jpg, truncated.png, bomb.png,
        /// huge.jpg, document.pdf, missing.jpg. Repeat for more (up to 10).
        #[arg(long)]
        media: Vec<String>,
    },
    /// Lists what the simulated carrier was asked to send.
    Outbox {
        /// One JSON object a line (to, from, body, status).
        #[arg(long)]
        json: bool,
    },
}

/// A `--role` that is not one of ours.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not agent, supervisor or admin")]
struct UnknownRole(String);

fn parse_role(text: &str) -> Result<Role, UnknownRole> {
    Role::parse(text).ok_or_else(|| UnknownRole(text.to_owned()))
}

/// Logs to standard error (the journal, under systemd), as text or JSON lines: the
/// config's `[service] log_format`, or `PARLEY_LOG_FORMAT`.
fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PARLEY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_writer(std::io::stderr);
    if format == LogFormat::Json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        builder.init();
    }
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("PARLEY_PASSWORD") {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        eprint!("Password: ");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("the password is empty: set PARLEY_PASSWORD or pipe it on standard input");
    }
    Ok(password)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { demo } => {
            let config = Config::load(cli.config.as_deref())?;
            tracing::info!(?config, "configuration");
            let our_number = config.sim.number.clone();
            let mut hub = crate::start(config).await?;
            if demo && crate::seed_demo(&hub.store, &our_number).await? {
                tracing::info!(
                    login = crate::DEMO_LOGIN,
                    password = crate::DEMO_PASSWORD,
                    "demo data seeded"
                );
                // A customer's MMS waits in the queue: a photo, and a file that cannot be
                // shown (an attachment issue). It is offered once the demo agent is Ready.
                let mms = SimInboundRequest {
                    from: "+12015550104".into(),
                    body: "Here's a photo of the damaged box, and the receipt.".into(),
                    media: vec!["photo.jpg".into(), "corrupt.jpg".into()],
                };
                if let Err(error) = hub.simulate_inbound(mms).await {
                    tracing::warn!(%error, "the demo MMS was not delivered");
                }
            }
            tokio::select! {
                () = hub.stopped() => bail!("the HTTP server stopped unexpectedly; see the log above"),
                signal = shutdown_signal() => {
                    signal?;
                    tracing::info!("stopping: no new requests; finishing those under way");
                    let store = hub.store.clone();
                    let finished = hub.stop().await;
                    store.close().await;
                    tracing::info!(finished, "stopped");
                }
            }
            Ok(())
        }
        Command::Migrate => {
            let config = Config::load(cli.config.as_deref())?;
            let store = Store::open(&config.database).await?;
            store.close().await;
            println!("database {} is up to date", config.database);
            Ok(())
        }
        Command::Backup { to } => {
            let config = Config::load(cli.config.as_deref())?;
            let summary = backup::backup(&config, &to).await?;
            println!(
                "backed up {} messages and {} contacts to {}, {} pictures to {}",
                summary.messages,
                summary.contacts,
                to.display(),
                summary.pictures,
                backup::media_beside(&to).display()
            );
            Ok(())
        }
        Command::Restore { from, replace } => {
            let config = Config::load(cli.config.as_deref())?;
            let summary = backup::restore(&config, &from, replace).await?;
            println!(
                "restored {} messages and {} contacts into {}, and {} pictures",
                summary.messages, summary.contacts, config.database, summary.pictures
            );
            Ok(())
        }
        Command::MigrateData {
            from,
            to,
            from_media,
            to_media,
        } => migrate_data(&from, &to, from_media, to_media).await,
        Command::Seed {
            contacts,
            messages,
            agents,
            password,
            days,
            random_seed,
        } => {
            let config = Config::load(cli.config.as_deref())?;
            let store = Store::open(&config.database).await?;
            let seeded = seed::seed(
                &store,
                &seed::Seed {
                    contacts,
                    messages,
                    agents,
                    password,
                    days,
                    our_number: config
                        .twilio
                        .from
                        .clone()
                        .unwrap_or_else(|| config.sim.number.clone()),
                    random_seed,
                },
            )
            .await
            .with_context(|| format!("cannot seed {}", config.database))?;
            store.close().await;
            println!(
                "seeded {} agents, {} contacts and {} messages into {} in {:.1} s",
                seeded.agents, seeded.contacts, seeded.messages, config.database, seeded.seconds
            );
            Ok(())
        }
        Command::Agent {
            command:
                AgentCommand::Add {
                    login,
                    name,
                    role,
                    auto_answer,
                    max_chats,
                    save_media,
                },
        } => {
            let config = Config::load(cli.config.as_deref())?;
            if max_chats == 0 {
                bail!("--max-chats must be at least 1");
            }
            let password = read_password()?;
            let hash = crate::hash_password(&password)?;
            let store = Store::open(&config.database).await?;
            // The role's permissions, and saving pictures when asked.
            let mut permissions = store.role_permissions(role).await?;
            permissions.save_media |= save_media;
            let agent = store
                .create_agent(
                    login.trim(),
                    name.trim(),
                    &hash,
                    AgentSettings {
                        role,
                        auto_answer,
                        max_chats,
                        permissions: Some(permissions),
                    },
                )
                .await?;
            println!(
                "agent {} ({}) added with id {}",
                agent.login, agent.name, agent.id
            );
            Ok(())
        }
        Command::Agent { command } => {
            let config = Config::load(cli.config.as_deref())?;
            let store = Store::open(&config.database).await?;
            manage_account(&store, command).await
        }
        Command::Simulate {
            hub,
            operator,
            command,
        } => {
            let config = Config::load(cli.config.as_deref())?;
            let store = Store::open(&config.database).await?;
            let hub = hub.unwrap_or_else(|| config.local_url());
            simulate::simulate(&store, &hub, operator.as_deref(), command).await
        }
    }
}

/// `parley-hub agent list | disable | enable | passwd | revoke-sessions`.
async fn manage_account(store: &Store, command: AgentCommand) -> anyhow::Result<()> {
    let find = |login: String| async move {
        match store.agent_credentials(login.trim()).await? {
            Some((agent, _)) => Ok(agent),
            None => Err(anyhow::anyhow!("no account has the login {login:?}")),
        }
    };
    match command {
        AgentCommand::Add { .. } => unreachable!("handled before"),
        AgentCommand::List { json } => {
            for agent in store.list_agents().await? {
                if json {
                    println!("{}", serde_json::to_string(&agent)?);
                } else {
                    let permissions = agent.permissions;
                    let allowed: Vec<&str> = [
                        (permissions.save_media, "save-media"),
                        (permissions.all_contacts, "all-contacts"),
                        (permissions.edit_contacts, "edit-contacts"),
                        (
                            permissions.text_outside_interaction,
                            "text-outside-interaction",
                        ),
                    ]
                    .into_iter()
                    .filter_map(|(allowed, name)| allowed.then_some(name))
                    .collect();
                    println!(
                        "{:<16} {:<24} {:<10} {:<9} {}",
                        agent.login,
                        agent.name,
                        agent.role.as_str(),
                        if agent.disabled {
                            "disabled"
                        } else {
                            "enabled"
                        },
                        allowed.join(",")
                    );
                }
            }
        }
        AgentCommand::Disable { login } => {
            let agent = store.set_disabled(find(login).await?.id, true).await?;
            println!("{} is disabled; their sessions ended", agent.login);
        }
        AgentCommand::Enable { login } => {
            let agent = store.set_disabled(find(login).await?.id, false).await?;
            println!("{} is enabled", agent.login);
        }
        AgentCommand::Passwd { login } => {
            let agent = find(login).await?;
            let password = read_password()?;
            if password.chars().count() < 8 {
                bail!("the password must be at least 8 characters");
            }
            store
                .set_password(agent.id, &crate::hash_password(&password)?)
                .await?;
            println!("{}'s password is set; their sessions ended", agent.login);
        }
        AgentCommand::RevokeSessions { login } => {
            let agent = find(login).await?;
            let ended = store.revoke_sessions(agent.id).await?;
            println!("{} session(s) of {} ended", ended, agent.login);
        }
    }
    Ok(())
}

async fn migrate_data(
    from: &str,
    to: &str,
    from_media: Option<PathBuf>,
    to_media: Option<PathBuf>,
) -> anyhow::Result<()> {
    use crate::Pictures;
    use crate::config::Database;
    let from = Database::parse(from).context("--from")?;
    let to = Database::parse(to).context("--to")?;
    if from == to {
        bail!("--from and --to are the same database");
    }
    let from_pictures = from_media.map_or_else(|| Pictures::default_for(&from), Pictures::Folder);
    let to_pictures = to_media.map_or_else(|| Pictures::default_for(&to), Pictures::Folder);
    eprintln!("copying {from} into {to}");
    let migrated = crate::migrate_data(&from, &to, &from_pictures, &to_pictures, |table, rows| {
        println!("{table:<17} {rows:>10} rows");
    })
    .await?;
    println!("{:<17} {:>10} files", "pictures", migrated.files);
    if !migrated.missing.is_empty() {
        eprintln!(
            "warning: {} pictures were not in the source's media store (their messages say what they were): {}",
            migrated.missing.len(),
            migrated.missing.join(", ")
        );
    }
    println!("done: point the hubs' `database` at {to}");
    Ok(())
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn shutdown_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .context("cannot listen for SIGTERM")?;
        tokio::select! {
            signal = tokio::signal::ctrl_c() => signal.context("cannot listen for Ctrl-C"),
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .context("cannot listen for Ctrl-C")
    }
}

/// Runs the command line `std::env::args()` holds, and says how it ended.
#[must_use]
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // The format is read before the config is loaded for good (and its errors reported).
    let format = Config::load(cli.config.as_deref())
        .map(|config| config.service.log_format)
        .unwrap_or_else(|_| {
            if std::env::var("PARLEY_LOG_FORMAT").is_ok_and(|format| format == "json") {
                LogFormat::Json
            } else {
                LogFormat::Text
            }
        });
    init_logging(format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("parley-hub: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("parley-hub: {error:#}");
            ExitCode::FAILURE
        }
    }
}
