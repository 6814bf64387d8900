//! The deployment end to end, with real processes on loopback: `artmls serve` as a child
//! process, and each member an `artmls client` process with its own directory and store.
//!
//! Every client command is a process of its own, so every step also checks that a member
//! resumes from its store: its groups, its keys and its position in each group's log.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_artmls");

/// How long a live process (a server starting, a stream delivering) may take.
const PATIENCE: Duration = Duration::from_secs(15);

/// Lines a child prints, read on a thread of their own so the child never blocks on a
/// full pipe, and so a test can wait for a line with a time limit.
struct Lines(mpsc::Receiver<String>);

impl Lines {
    fn of(stdout: ChildStdout) -> Lines {
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Lines(receiver)
    }

    /// Waits for a line that contains `text`; returns every line read meanwhile.
    fn wait_for(&self, text: &str) -> Vec<String> {
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.0.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(text);
                    seen.push(line);
                    if found {
                        return seen;
                    }
                }
                Err(_) => panic!("no line with {text:?} came; lines so far: {seen:#?}"),
            }
        }
    }
}

/// A running `artmls serve`, killed (and waited for) when dropped. What it writes on stderr
/// goes to a file, printed if the test fails.
struct Server {
    child: Child,
    url: String,
    log: PathBuf,
    _lines: Lines,
}

impl Server {
    /// Starts a server on a free port of 127.0.0.1 with the given storage arguments
    /// (`--db FILE` or `--postgres URL`), and reads the address it says it listens on. Its
    /// stderr goes to `log`.
    fn start(storage: &[&str], log: &Path) -> Server {
        let stderr = std::fs::File::create(log).expect("the server's log file");
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(storage)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start artmls serve");
        let stdout = child.stdout.take().expect("the server's stdout");
        let lines = Lines::of(stdout);
        let first = match lines.0.recv_timeout(PATIENCE) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let status = child.wait();
                panic!("the server printed no address (it ended with {status:?})");
            }
        };
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the server's first line is {first:?}"))
            .trim()
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Server {
            child,
            url,
            log: log.to_path_buf(),
            _lines: lines,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("the server at {} wrote:\n{log}", self.url);
        }
    }
}

/// One member: its directory, and the server it talks to.
struct Member {
    name: String,
    dir: PathBuf,
    server: String,
}

impl Member {
    fn new(root: &Path, name: &str, server: &Server) -> Member {
        Member {
            name: name.to_owned(),
            dir: root.join(name),
            server: server.url.clone(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .arg("client")
            .arg("--dir")
            .arg(&self.dir)
            .args(["--server", &self.server])
            .args(args);
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run artmls client")
    }

    /// Runs a command that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{} {args:?} failed ({}):\n{stdout}\n{stderr}",
            self.name,
            output.status
        );
        stdout
    }

    /// Runs a command that must succeed and print a line containing each of `texts`.
    fn ok_with(&self, args: &[&str], texts: &[&str]) -> String {
        let stdout = self.ok(args);
        for text in texts {
            assert!(
                stdout.contains(text),
                "{} {args:?} did not print {text:?}:\n{stdout}",
                self.name
            );
        }
        stdout
    }

    fn init(&self) {
        self.ok_with(
            &["init", "--name", &self.name],
            &["published 5 KeyPackages"],
        );
    }

    fn receive(&self, group: &str) -> String {
        self.ok(&["receive", group])
    }

    fn send(&self, group: &str, text: &str) {
        self.ok_with(&["send", group, text], &["sent to"]);
    }

    fn status(&self) -> Value {
        let stdout = self.ok(&["status", "--json"]);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("status --json: {e}\n{stdout}"))
    }

    /// The member's view of one group from `status --json`.
    fn group(&self, group: &str) -> Value {
        let status = self.status();
        status["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .find(|g| g["group"] == group)
            .unwrap_or_else(|| panic!("{} is not in {group}: {status:#}", self.name))
            .clone()
    }

    fn needs_update(&self, group: &str) -> bool {
        self.group(group)["needs_update"]
            .as_bool()
            .expect("needs_update")
    }
}

/// Every member reads the log to its end; then all must be in the same epoch with the same
/// authenticator and the same members, and none needs an update. Returns the epoch.
fn all_agree(members: &[&Member], group: &str) -> u64 {
    for member in members {
        member.receive(group);
    }
    let views: Vec<Value> = members.iter().map(|m| m.group(group)).collect();
    for (member, view) in members.iter().zip(&views) {
        assert_eq!(
            view["epoch"], views[0]["epoch"],
            "{}: {view:#}",
            member.name
        );
        assert_eq!(
            view["authenticator"], views[0]["authenticator"],
            "{} disagrees on the authenticator: {views:#?}",
            member.name
        );
        assert_eq!(view["members"], views[0]["members"], "{}", member.name);
        assert_eq!(view["needs_update"], false, "{}: {view:#}", member.name);
    }
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let mut listed: Vec<&str> = views[0]["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|name| name.as_str().expect("a name"))
        .collect();
    listed.sort_unstable();
    let mut expected = names.clone();
    expected.sort_unstable();
    assert_eq!(listed, expected);
    let fingerprint = views[0]["authenticator"].as_str().expect("authenticator");
    assert_eq!(fingerprint.len(), 16, "{fingerprint}");
    views[0]["epoch"].as_u64().expect("epoch")
}

/// After a removal, exactly one remaining member sponsors the tombstone (needs an update);
/// its update seals it.
fn seal(members: &[&Member], group: &str) {
    let hinted: Vec<bool> = members
        .iter()
        .map(|m| {
            m.receive(group)
                .contains("you sponsor a removed member's tombstone")
        })
        .collect();
    let sponsors: Vec<&&Member> = members.iter().filter(|m| m.needs_update(group)).collect();
    assert_eq!(sponsors.len(), 1, "one sponsor of the tombstone");
    // `receive` told the sponsor, and only the sponsor.
    for (member, hinted) in members.iter().zip(hinted) {
        assert_eq!(hinted, member.name == sponsors[0].name, "{}", member.name);
    }
    sponsors[0].ok_with(&["update", group], &["updated (sealing"]);
}

#[test]
fn one_server_three_clients() {
    let root = tempfile::tempdir().unwrap();
    let db = root.path().join("server.sqlite");
    let server = Server::start(
        &["--db", db.to_str().unwrap()],
        &root.path().join("server.log"),
    );
    let alice = Member::new(root.path(), "alice", &server);
    let bob = Member::new(root.path(), "bob", &server);
    let carol = Member::new(root.path(), "carol", &server);
    for member in [&alice, &bob, &carol] {
        member.init();
    }
    // A directory holds one member.
    let again = alice.run(&["init", "--name", "alice"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("holds a member already"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in ["identity.key", "storage.key"] {
            let mode = std::fs::metadata(alice.dir.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }

    alice.ok_with(&["create", "chat"], &["created chat at epoch 0"]);
    alice.ok_with(&["invite", "chat", "bob"], &["epoch 1: alice added bob"]);
    bob.ok_with(
        &["join"],
        &["joined chat at epoch 1 with 2 members", "hint: run"],
    );
    // A newcomer's first commit is an update.
    let early = bob.run(&["remove", "chat", "alice"]);
    assert!(!early.status.success());
    assert!(String::from_utf8_lossy(&early.stderr).contains("must update first"));
    alice.ok_with(
        &["invite", "chat", "carol"],
        &["epoch 2: alice added carol"],
    );
    carol.ok_with(&["join"], &["joined chat at epoch 2 with 3 members"]);
    bob.ok_with(&["receive", "chat"], &["epoch 2: alice added carol"]);

    alice.send("chat", "hello from alice");
    bob.ok_with(&["receive", "chat"], &["alice: hello from alice"]);
    carol.ok_with(&["receive", "chat"], &["alice: hello from alice"]);
    bob.send("chat", "bob here");
    carol.send("chat", "carol too");
    alice.ok_with(&["receive", "chat"], &["bob: bob here", "carol: carol too"]);
    // Read once only: a second receive prints nothing new.
    assert!(!alice.receive("chat").contains("bob here"));

    // The newcomers replace the leaf keys their adder chose.
    bob.ok_with(&["update", "chat"], &["epoch 3: bob updated"]);
    carol.ok_with(
        &["update", "chat"],
        &["epoch 3: bob updated", "epoch 4: carol updated"],
    );
    alice.ok_with(
        &["receive", "chat"],
        &["epoch 3: bob updated", "epoch 4: carol updated"],
    );
    assert_eq!(all_agree(&[&alice, &bob, &carol], "chat"), 4);

    // A member following the stream sees a message as it is sent.
    let mut follower = carol
        .command(&["receive", "chat", "--follow"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Lines::of(follower.stdout.take().unwrap());
    alice.send("chat", "live from alice");
    lines.wait_for("alice: live from alice");
    follower.kill().unwrap();
    follower.wait().unwrap();

    alice.ok_with(&["remove", "chat", "bob"], &["epoch 5: alice removed bob"]);
    bob.ok_with(
        &["receive", "chat"],
        &[
            "alice: live from alice",
            "epoch 5: alice removed bob",
            "removed from chat",
        ],
    );
    carol.ok_with(&["receive", "chat"], &["epoch 5: alice removed bob"]);
    seal(&[&alice, &carol], "chat");
    assert_eq!(all_agree(&[&alice, &carol], "chat"), 6);

    alice.send("chat", "bob must not read this");
    carol.ok_with(&["receive", "chat"], &["alice: bob must not read this"]);
    carol.send("chat", "nor this");
    alice.ok_with(&["receive", "chat"], &["carol: nor this"]);
    // Bob's store no longer holds the group: he has nothing to read it with.
    let late = bob.run(&["receive", "chat"]);
    assert!(!late.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&late.stdout),
        String::from_utf8_lossy(&late.stderr)
    );
    assert!(said.contains("not a member of chat"), "{said}");
    assert!(!said.contains("must not read") && !said.contains("nor this"));
    assert_eq!(bob.status()["groups"], Value::Array(Vec::new()));

    // Bob cannot be added back with a KeyPackage he used, and removing him again fails.
    let gone = alice.run(&["remove", "chat", "bob"]);
    assert!(!gone.status.success());
    assert!(String::from_utf8_lossy(&gone.stderr).contains("bob is not a member of chat"));

    assert_eq!(all_agree(&[&alice, &carol], "chat"), 6);
}

#[test]
fn server_restart_loses_nothing() {
    let root = tempfile::tempdir().unwrap();
    let db = root.path().join("server.sqlite");
    let db = db.to_str().unwrap();
    let server = Server::start(&["--db", db], &root.path().join("server-1.log"));
    let mut alice = Member::new(root.path(), "alice", &server);
    let mut bob = Member::new(root.path(), "bob", &server);
    let mut carol = Member::new(root.path(), "carol", &server);
    let mut dave = Member::new(root.path(), "dave", &server);
    for member in [&alice, &bob, &carol, &dave] {
        member.init();
    }
    alice.ok(&["create", "chat"]);
    alice.ok_with(
        &["invite", "chat", "bob", "carol"],
        &["epoch 1: alice added bob", "epoch 1: alice added carol"],
    );
    bob.ok_with(&["join"], &["joined chat at epoch 1 with 3 members"]);
    carol.ok_with(&["join"], &["joined chat at epoch 1 with 3 members"]);
    bob.ok_with(&["update", "chat"], &["epoch 2: bob updated"]);
    carol.ok_with(&["update", "chat"], &["epoch 3: carol updated"]);
    alice.send("chat", "before the restart, one");
    bob.ok_with(&["receive", "chat"], &["alice: before the restart, one"]);
    bob.ok_with(&["update", "chat"], &["epoch 4: bob updated"]);
    alice.send("chat", "before the restart, two");
    // Carol reads nothing of this before the restart.
    let carol_before = carol.group("chat");

    drop(server);
    let server = Server::start(&["--db", db], &root.path().join("server-2.log"));
    for member in [&mut alice, &mut bob, &mut carol, &mut dave] {
        member.server = server.url.clone();
    }

    // Each member resumes from the position its store recorded.
    assert_eq!(carol.group("chat"), carol_before);
    carol.ok_with(
        &["receive", "chat"],
        &[
            "alice: before the restart, one",
            "epoch 4: bob updated",
            "alice: before the restart, two",
        ],
    );
    bob.ok_with(&["receive", "chat"], &["alice: before the restart, two"]);
    // Alice read Bob's update when she sent her second message.
    assert!(!alice.receive("chat").contains("bob updated"));
    assert_eq!(all_agree(&[&alice, &bob, &carol], "chat"), 4);

    // Dave's KeyPackages, published to the first server process, are still there.
    alice.ok_with(&["invite", "chat", "dave"], &["epoch 5: alice added dave"]);
    dave.ok_with(&["join"], &["joined chat at epoch 5 with 4 members"]);
    dave.ok_with(&["update", "chat"], &["epoch 6: dave updated"]);
    carol.send("chat", "after the restart");
    for member in [&alice, &bob, &dave] {
        member.ok_with(&["receive", "chat"], &["carol: after the restart"]);
    }

    // A chat: a line typed is sent; /quit ends it.
    let mut chat = bob
        .command(&["chat", "chat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Lines::of(chat.stdout.take().unwrap());
    lines.wait_for("bob in chat");
    dave.send("chat", "dave to the chat");
    lines.wait_for("dave: dave to the chat");
    let mut stdin = chat.stdin.take().unwrap();
    stdin.write_all(b"typed in a chat\n/quit\n").unwrap();
    drop(stdin);
    assert!(chat.wait().unwrap().success());
    for member in [&alice, &carol, &dave] {
        member.ok_with(&["receive", "chat"], &["bob: typed in a chat"]);
    }

    alice.ok_with(
        &["remove", "chat", "carol"],
        &["epoch 7: alice removed carol"],
    );
    carol.ok_with(&["receive", "chat"], &["removed from chat"]);
    seal(&[&alice, &bob, &dave], "chat");
    assert_eq!(all_agree(&[&alice, &bob, &dave], "chat"), 8);
}

/// A member's exit status and stdout, from a process spawned earlier.
fn finish(child: Child) -> (i32, String) {
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().expect("an exit status"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn two_servers_on_postgres() {
    let postgres = match artmls_service::testing::TempPostgres::start() {
        Ok(postgres) => postgres,
        // Where PostgreSQL is expected (CI), its absence fails the test.
        Err(error) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("skipped: no PostgreSQL ({error})");
            return;
        }
        Err(error) => panic!("PostgreSQL is needed on CI: {error}"),
    };
    let connection = postgres.connection_string();
    let root = tempfile::tempdir().unwrap();
    let server_a = Server::start(&["--postgres", &connection], &root.path().join("a.log"));
    let server_b = Server::start(&["--postgres", &connection], &root.path().join("b.log"));
    let alice = Member::new(root.path(), "alice", &server_a);
    let bob = Member::new(root.path(), "bob", &server_a);
    let carol = Member::new(root.path(), "carol", &server_b);
    for member in [&alice, &bob, &carol] {
        member.init();
    }
    alice.ok(&["create", "chat"]);
    alice.ok_with(&["invite", "chat", "bob", "carol"], &["epoch 1"]);
    bob.ok_with(&["join"], &["joined chat at epoch 1 with 3 members"]);
    carol.ok_with(&["join"], &["joined chat at epoch 1 with 3 members"]);
    bob.ok(&["update", "chat"]);
    carol.ok_with(
        &["update", "chat"],
        &["epoch 2: bob updated", "epoch 3: carol updated"],
    );
    let mut epoch = all_agree(&[&alice, &bob, &carol], "chat");
    assert_eq!(epoch, 3);

    // Bob through server A and Carol through server B commit for the same epoch at once:
    // the database gives the epoch to exactly one of them.
    for round in 0..4 {
        let racers = [&bob, &carol];
        let children: Vec<Child> = racers
            .iter()
            .map(|member| {
                member
                    .command(&["update", "chat", "--no-catch-up", "--no-retry"])
                    .stdout(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let results: Vec<(i32, String)> = children.into_iter().map(finish).collect();
        let mut codes: Vec<i32> = results.iter().map(|(code, _)| *code).collect();
        codes.sort_unstable();
        assert_eq!(codes, [0, 3], "round {round}: {results:#?}");
        for (code, stdout) in &results {
            if *code == 0 {
                assert!(
                    stdout.contains(&format!("epoch {}:", epoch + 1)),
                    "{stdout}"
                );
            } else {
                assert!(
                    stdout.contains(&format!("stale: another commit took epoch {epoch}")),
                    "{stdout}"
                );
            }
        }
        let agreed = all_agree(&[&alice, &bob, &carol], "chat");
        assert_eq!(agreed, epoch + 1, "round {round}");
        epoch = agreed;
    }

    // A message sent through one server is read through the other, both ways.
    alice.send("chat", "sent through A");
    carol.ok_with(&["receive", "chat"], &["alice: sent through A"]);
    carol.send("chat", "sent through B");
    bob.ok_with(&["receive", "chat"], &["carol: sent through B"]);
    alice.ok_with(&["receive", "chat"], &["carol: sent through B"]);
    // Carol follows the stream of server B while Alice sends through server A.
    let mut follower = carol
        .command(&["receive", "chat", "--follow"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Lines::of(follower.stdout.take().unwrap());
    alice.send("chat", "live through A");
    lines.wait_for("alice: live through A");
    follower.kill().unwrap();
    follower.wait().unwrap();
    assert_eq!(all_agree(&[&alice, &bob, &carol], "chat"), epoch);
}
