//! `artmls client`: one group member as a process, with its own SQLite store, talking to
//! `artmls serve` over HTTP.
//!
//! Every command opens the member from its directory (see [`home`]), does one thing and
//! exits; the store remembers where the member is in each group's log. `chat` and
//! `receive --follow` stay connected to the server's stream (see [`live`]). How the log is
//! read and how own messages and commits are put into it is in [`sync`].

mod home;
mod live;
mod sync;

use std::io::Write;
use std::path::{Path, PathBuf};

use artmls::group::{GroupConfig, GroupError};
use artmls::messages::KeyPackage;
use artmls::{AnyGroup, AnyGroupError, AnyPendingCommit};
use artmls_service::api::ErrorCode;
use artmls_service::{ClientError, DeliveryClient};
use clap::{Args, Subcommand};
use serde::Serialize;

use home::{Member, NewMember};
use sync::{CommitPolicy, Committed, Names, Read};

/// Where `init` points a member when no `--server` is given.
const DEFAULT_SERVER: &str = "http://127.0.0.1:7878";

/// The exit status of `update --no-retry` when another commit took the epoch first.
const EXIT_STALE: i32 = 3;

const AFTER_HELP: &str = "\
A member lives in its directory:
  DIR/client.json    name, suite, backend, server
  DIR/identity.key   the signing key of its credential (mode 0600)
  DIR/storage.key    the key its store's records are sealed with (mode 0600)
  DIR/store.sqlite   its groups and unused KeyPackages
The key files stand in for the platform's keystore (Keychain, Credential Manager, Secret
Service, Android Keystore), where a real application keeps both keys.

A store is held by one process at a time. To chat from two terminals, run one `chat` per
member, each with its own directory:
  artmls serve --listen 127.0.0.1:7878 --db server.sqlite
  artmls client --dir alice init --name alice
  artmls client --dir bob init --name bob
  artmls client --dir alice create team
  artmls client --dir alice invite team bob
  artmls client --dir bob join
  artmls client --dir alice chat team      (first terminal)
  artmls client --dir bob chat team        (second terminal)
In a chat, a typed line is sent; /update updates your leaf; /quit leaves. A chat that
loses the server (a restart) reads what it missed and follows again, for a minute.

When a member is removed, the member that sponsors its tombstone must update soon (the
seal); `receive` and `status` say when this member should.

`update --no-retry` exits with status 3 when another commit took the epoch first.";

/// The arguments of `artmls client`.
#[derive(Args)]
#[command(after_long_help = AFTER_HELP)]
pub(crate) struct ClientArgs {
    /// The member's directory: its settings, its keys and its store.
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// The server (`http://HOST:PORT`). `init` keeps it in DIR/client.json; other commands
    /// use it instead of the kept one, for this run.
    #[arg(long, global = true, value_name = "URL")]
    server: Option<String>,
    #[command(subcommand)]
    command: ClientCommand,
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Make a new member in DIR: an identity, a storage key, a store; publish KeyPackages.
    Init {
        /// The member's name: what others invite and remove it by.
        #[arg(long)]
        name: String,
        /// The cipher suite, by id or name.
        #[arg(long, default_value = "0xF001")]
        suite: String,
        /// The backend (the first that serves the suite by default).
        #[arg(long)]
        backend: Option<String>,
        /// How many KeyPackages to publish.
        #[arg(long, default_value_t = 5)]
        key_packages: usize,
    },
    /// Publish more KeyPackages (each lets one group add this member).
    Publish {
        /// How many.
        #[arg(long, default_value_t = 5)]
        count: usize,
    },
    /// Create a group whose id is GROUP, with this member alone in it.
    Create {
        /// The group.
        group: String,
    },
    /// Add members, each by one of the KeyPackages they published; they then run `join`.
    Invite {
        /// The group.
        group: String,
        /// Who to add.
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Join every group whose Welcome waits for this member on the server.
    Join,
    /// Send a message to the group.
    Send {
        /// The group.
        group: String,
        /// The message (several words are joined with spaces).
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// Read what is new in the group: messages, commits, and whether this member was removed.
    Receive {
        /// The group.
        group: String,
        /// Stay connected and print entries as they come, until ctrl-c.
        #[arg(long)]
        follow: bool,
    },
    /// Update this member's leaf: new keys for it and its path (this seals tombstones it
    /// sponsors).
    Update {
        /// The group.
        group: String,
        /// Commit for the epoch in the store, without reading the log first.
        #[arg(long)]
        no_catch_up: bool,
        /// Do not commit again when another commit took the epoch: exit with status 3.
        #[arg(long)]
        no_retry: bool,
    },
    /// Remove a member from the group.
    Remove {
        /// The group.
        group: String,
        /// Who.
        name: String,
    },
    /// This member and its groups: epoch, log position, members, whether it should update,
    /// and the fingerprint of the epoch authenticator (equal for all members of an epoch).
    Status {
        /// One group only.
        group: Option<String>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Chat in the group: lines typed are sent, messages print as they come; /update, /quit.
    Chat {
        /// The group.
        group: String,
    },
}

/// How a command ended, when it did not fail.
enum Outcome {
    Done,
    /// `update --no-retry` lost the epoch to another commit.
    Stale,
}

pub(crate) fn run(args: &ClientArgs) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the async runtime: {e}"))?;
    let outcome = runtime.block_on(dispatch(args));
    drop(runtime);
    match outcome? {
        Outcome::Done => Ok(()),
        Outcome::Stale => {
            // main() turns an error into exit status 1 and has no other status; a lost race
            // for the epoch is not an error, and a script must tell it apart, hence exit here.
            // The member and its store were dropped with the future above, so the store is
            // closed; only stdout is left to flush.
            let _ = std::io::stdout().flush();
            std::process::exit(EXIT_STALE)
        }
    }
}

async fn dispatch(args: &ClientArgs) -> Result<Outcome, String> {
    let dir = args.dir.as_path();
    let server = args.server.as_deref();
    match &args.command {
        ClientCommand::Init {
            name,
            suite,
            backend,
            key_packages,
        } => init(dir, name, suite, backend.as_deref(), server, *key_packages).await,
        ClientCommand::Publish { count } => {
            Member::open(dir, server)?.publish(*count).await?;
            Ok(Outcome::Done)
        }
        ClientCommand::Create { group } => create(&Member::open(dir, server)?, group).await,
        ClientCommand::Invite { group, names } => {
            invite(&Member::open(dir, server)?, group, names).await
        }
        ClientCommand::Join => join(&Member::open(dir, server)?).await,
        ClientCommand::Send { group, text } => {
            let member = Member::open(dir, server)?;
            let mut loaded = member.load(group.as_bytes())?;
            let position = sync::send(&member, &mut loaded, &text.join(" ")).await?;
            println!("sent to {group} at position {position}");
            Ok(Outcome::Done)
        }
        ClientCommand::Receive { group, follow } => {
            let member = Member::open(dir, server)?;
            let mut loaded = member.load(group.as_bytes())?;
            if sync::catch_up(&member, &mut loaded).await? == Read::Removed {
                return Ok(Outcome::Done);
            }
            sync::print_update_hint(&loaded);
            if *follow {
                live::follow(&member, &mut loaded).await?;
            }
            Ok(Outcome::Done)
        }
        ClientCommand::Update {
            group,
            no_catch_up,
            no_retry,
        } => {
            let member = Member::open(dir, server)?;
            let mut loaded = member.load(group.as_bytes())?;
            let policy = CommitPolicy {
                catch_up: !no_catch_up,
                retry: !no_retry,
            };
            match sync::commit(&member, &mut loaded, policy, update_commit).await? {
                Committed::Merged { .. } => Ok(Outcome::Done),
                Committed::Stale { epoch } => {
                    println!("stale: another commit took epoch {epoch}");
                    Ok(Outcome::Stale)
                }
            }
        }
        ClientCommand::Remove { group, name } => {
            remove(&Member::open(dir, server)?, group, name).await
        }
        ClientCommand::Status { group, json } => {
            status(&Member::open(dir, server)?, group.as_deref(), *json)
        }
        ClientCommand::Chat { group } => {
            let member = Member::open(dir, server)?;
            let mut loaded = member.load(group.as_bytes())?;
            live::chat(&member, &mut loaded).await?;
            Ok(Outcome::Done)
        }
    }
}

/// A group id for people: its bytes as text.
pub(super) fn group_label(group_id: &[u8]) -> String {
    String::from_utf8_lossy(group_id).into_owned()
}

/// A failed call to the server, for people: a refusal with the server's code and message.
pub(super) fn describe(server: &DeliveryClient, error: &ClientError) -> String {
    match error {
        ClientError::Refused { status, body } => {
            let code = serde_json::to_value(body.error)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_else(|| format!("{:?}", body.error));
            format!("the server refused ({status} {code}): {}", body.message)
        }
        ClientError::Transport(error) => {
            format!("cannot reach the server at {}: {error}", server.base())
        }
        other => format!("the server at {}: {other}", server.base()),
    }
}

/// A commit the group would not make, with what to do about it.
fn commit_failed(what: &str, error: GroupError) -> String {
    match error {
        GroupError::UpdateRequired => format!(
            "{what}: this member must update first (the member who added it chose its leaf key); run `update`"
        ),
        other => format!("{what}: {other}"),
    }
}

/// A newcomer's first commit is an update (the group refuses any other), so an add or a
/// remove is refused before anything is claimed from the server.
fn must_have_updated(group: &AnyGroup) -> Result<(), String> {
    if group.adder_knows_leaf_key() {
        return Err(format!(
            "this member must update first (the member who added it chose its leaf key): run `artmls client update {}`",
            group_label(group.group_id())
        ));
    }
    Ok(())
}

/// Makes an update of this member's leaf.
pub(super) fn update_commit(group: &AnyGroup) -> Result<AnyPendingCommit, String> {
    group
        .commit_update_with_rng(&mut rand::rng())
        .map_err(|e| commit_failed("updating", e))
}

async fn init(
    dir: &Path,
    name: &str,
    suite: &str,
    backend: Option<&str>,
    server: Option<&str>,
    key_packages: usize,
) -> Result<Outcome, String> {
    let new = NewMember {
        name,
        suite,
        backend,
        server: server.unwrap_or(DEFAULT_SERVER),
    };
    let member = Member::init(dir, &new)?;
    println!(
        "{name} lives in {} (suite {}, backend {}, server {})",
        dir.display(),
        member.config.suite,
        member.config.backend,
        member.config.server
    );
    member.publish(key_packages).await.map_err(|error| {
        format!(
            "{error}\n{name} is made, but its KeyPackages are not all published: run `artmls client --dir {} publish` once the server answers",
            dir.display()
        )
    })?;
    Ok(Outcome::Done)
}

async fn create(member: &Member, group: &str) -> Result<Outcome, String> {
    let group_id = group.as_bytes();
    if group_id.is_empty() {
        return Err("a group needs a name".into());
    }
    if member.group_ids()?.iter().any(|id| id == group_id) {
        return Err(format!("{group} is in this member's store already"));
    }
    let identity = member
        .provider
        .identity_from_signing_key(
            member.suite,
            member.config.name.as_bytes(),
            member.identity.signing_key_bytes().as_bytes(),
        )
        .map_err(|e| format!("reading the identity: {e}"))?;
    let mut created = AnyGroup::create_with_rng(
        identity,
        group_id.to_vec(),
        GroupConfig::default(),
        &mut rand::rng(),
    )
    .map_err(|e| format!("creating {group}: {e}"))?;
    let group_info = created
        .public_group_info()
        .map_err(|e| format!("signing the GroupInfo: {e}"))?;
    // Registered first: a group the server refused (a taken id) is not kept.
    let registered = member
        .server
        .create_group(&group_info)
        .await
        .map_err(|e| describe(&member.server, &e))?;
    created
        .attach_storage(&member.storage)
        .map_err(|e| format!("writing {group} to the store: {e}"))?;
    created
        .set_log_position(registered.next_position)
        .map_err(|e| format!("writing the store: {e}"))?;
    println!("created {group} at epoch {}", created.epoch());
    Ok(Outcome::Done)
}

async fn invite(member: &Member, group: &str, names: &[String]) -> Result<Outcome, String> {
    let mut loaded = member.load(group.as_bytes())?;
    if sync::catch_up(member, &mut loaded).await? == Read::Removed {
        return Err(format!("{} was removed from {group}", member.config.name));
    }
    must_have_updated(&loaded)?;
    for (index, name) in names.iter().enumerate() {
        if loaded.leaf_of(name.as_bytes()).is_some() {
            return Err(format!("{name} is a member of {group} already"));
        }
        if names[..index].contains(name) {
            return Err(format!("{name} is named twice"));
        }
    }
    let suite = loaded.suite();
    let mut key_packages: Vec<KeyPackage> = Vec::new();
    for name in names {
        let message = member
            .server
            .claim_key_package(name.as_bytes(), suite.0)
            .await
            .map_err(|error| match error.code() {
                Some(ErrorCode::NoKeyPackage) => format!(
                    "{name} has no KeyPackage of suite {:#06x} on the server: they run `artmls client publish`",
                    suite.0
                ),
                _ => describe(&member.server, &error),
            })?;
        let key_package = artmls::erased::key_package_from_message(&message)
            .map_err(|e: AnyGroupError| format!("the KeyPackage of {name} does not decode: {e}"))?;
        key_packages.push(key_package);
    }
    let policy = CommitPolicy {
        catch_up: false,
        retry: true,
    };
    let committed = sync::commit(member, &mut loaded, policy, |group| {
        group
            .commit_add_with_rng(&key_packages, &mut rand::rng())
            .map_err(|e| commit_failed("adding", e))
    })
    .await?;
    if let Committed::Merged {
        welcome: Some(welcome),
    } = committed
    {
        member
            .server
            .post_welcome(loaded.group_id(), &welcome)
            .await
            .map_err(|e| describe(&member.server, &e))?;
        println!(
            "invited {}; they run `artmls client join`",
            names.join(", ")
        );
    }
    Ok(Outcome::Done)
}

async fn join(member: &Member) -> Result<Outcome, String> {
    let claimed = member
        .server
        .claim_welcomes(member.config.name.as_bytes())
        .await
        .map_err(|e| describe(&member.server, &e))?;
    if claimed.welcomes.is_empty() {
        println!("no Welcome waits for {}", member.config.name);
        return Ok(Outcome::Done);
    }
    let mut failed = 0;
    for entry in &claimed.welcomes {
        let label = group_label(&entry.group_id.0);
        let mut joined = match member.provider.join_from_storage(
            &member.storage,
            &entry.welcome.0,
            GroupConfig::default(),
        ) {
            Ok(joined) => joined,
            Err(error) => {
                eprintln!("warning: the Welcome to {label} does not open: {error}");
                failed += 1;
                continue;
            }
        };
        // The member reads the log from the first entry of the epoch it joined in: the
        // entries before are of epochs it has no keys for.
        let page = member
            .server
            .fetch_from_epoch(joined.group_id(), joined.epoch())
            .await
            .map_err(|e| describe(&member.server, &e))?;
        let start = page
            .entries
            .first()
            .map_or(page.next, |entry| entry.position);
        joined
            .set_log_position(start)
            .map_err(|e| format!("writing the store: {e}"))?;
        println!(
            "joined {} at epoch {} with {} members",
            group_label(joined.group_id()),
            joined.epoch(),
            joined.member_count()
        );
        sync::print_update_hint(&joined);
    }
    if failed == claimed.welcomes.len() {
        return Err(
            "no Welcome could be opened (were the KeyPackages made in this directory?)".into(),
        );
    }
    Ok(Outcome::Done)
}

async fn remove(member: &Member, group: &str, name: &str) -> Result<Outcome, String> {
    let mut loaded = member.load(group.as_bytes())?;
    if sync::catch_up(member, &mut loaded).await? == Read::Removed {
        return Err(format!("{} was removed from {group}", member.config.name));
    }
    must_have_updated(&loaded)?;
    let leaf = loaded
        .leaf_of(name.as_bytes())
        .ok_or_else(|| format!("{name} is not a member of {group}"))?;
    if leaf == loaded.own_leaf() {
        return Err("a member does not remove itself: another member removes it".into());
    }
    let policy = CommitPolicy {
        catch_up: false,
        retry: true,
    };
    // After a retry the name may sit at another leaf (or be gone): look it up each time.
    sync::commit(member, &mut loaded, policy, |group| {
        let leaf = group.leaf_of(name.as_bytes()).ok_or_else(|| {
            format!(
                "{name} is not a member of {group_label} any more",
                group_label = group_label(group.group_id())
            )
        })?;
        group
            .commit_remove_with_rng(&[leaf], &mut rand::rng())
            .map_err(|e| commit_failed("removing", e))
    })
    .await?;
    Ok(Outcome::Done)
}

/// One group, as `status` shows it.
#[derive(Serialize)]
struct GroupReport {
    group: String,
    suite: String,
    epoch: u64,
    log_position: u64,
    members: Vec<String>,
    needs_update: bool,
    /// The first 8 bytes of the epoch authenticator, in hex: members compare it out of band
    /// to see that they are in the same epoch of the same group (not a fork).
    authenticator: String,
}

/// The member, as `status --json` shows it.
#[derive(Serialize)]
struct StatusReport {
    name: String,
    suite: String,
    backend: String,
    server: String,
    key_packages: usize,
    groups: Vec<GroupReport>,
}

fn status(member: &Member, group: Option<&str>, json: bool) -> Result<Outcome, String> {
    let ids = match group {
        Some(group) => vec![group.as_bytes().to_vec()],
        None => member.group_ids()?,
    };
    let mut groups = Vec::new();
    for id in &ids {
        let loaded = member.load(id)?;
        let authenticator = loaded.epoch_authenticator().as_bytes();
        groups.push(GroupReport {
            group: group_label(id),
            suite: format!("{:#06x}", loaded.suite().0),
            epoch: loaded.epoch(),
            log_position: loaded.log_position(),
            members: Names::of(&loaded).sorted(),
            needs_update: loaded.needs_update(),
            authenticator: hex::encode(&authenticator[..authenticator.len().min(8)]),
        });
    }
    let report = StatusReport {
        name: member.config.name.clone(),
        suite: member.config.suite.clone(),
        backend: member.config.backend.clone(),
        server: member.config.server.clone(),
        key_packages: member.stored_key_packages()?,
        groups,
    };
    if json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(Outcome::Done);
    }
    println!(
        "{} (suite {}, backend {}, server {}), {} KeyPackages unused",
        report.name, report.suite, report.backend, report.server, report.key_packages
    );
    if report.groups.is_empty() {
        println!("in no group");
    }
    for group in &report.groups {
        println!(
            "{}: epoch {}, log position {}, authenticator {}, {} members: {}",
            group.group,
            group.epoch,
            group.log_position,
            group.authenticator,
            group.members.len(),
            group.members.join(", ")
        );
        if group.needs_update {
            println!(
                "  this member should update: `artmls client update {}`",
                group.group
            );
        }
    }
    Ok(Outcome::Done)
}
