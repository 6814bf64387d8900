//! `artmls transcript`: a fixed scenario, run from a seed, printed as JSON.
//!
//! The output holds every byte that went on the wire (KeyPackages, commits, Welcomes,
//! application messages) and every epoch's authenticator, in a fixed order, and nothing about
//! the backend that produced it. Every random choice comes from one generator seeded by
//! `--seed`, so the transcript is a function of (suite, seed): two backends that serve the same
//! suite must print the same bytes, and a difference points at the first message where they
//! part.
//!
//! The generator is ChaCha20 (`rand_chacha::ChaCha20Rng`) keyed with the seed as a 32-byte
//! big-endian number, which anyone can rebuild in another language.
//!
//! The scenario, with four members:
//!
//! 1. alice creates the group (epoch 0);
//! 2. alice adds bob and carol in one commit; they join from its Welcome;
//! 3. bob updates (a newcomer's first commit);
//! 4. carol sends an application message;
//! 5. carol updates;
//! 6. alice adds dave; dave joins;
//! 7. dave updates;
//! 8. bob removes carol (carol's leaf becomes a tombstone that bob owns);
//! 9. alice removes bob (the commit first transfers carol's tombstone to alice: bob's secret
//!    for it opens nothing from now on);
//! 10. alice updates (she is the sponsor of bob's tombstone: her update seals it);
//! 11. dave sends an application message;
//! 12. dave updates (he seals carol's tombstone);
//! 13. every member exports a secret.
//!
//! A commit's step lists the tombstones it `transferred` and `sealed`, when there are any.
//!
//! After each step every member processes the message and the run checks that all of them are
//! in the same epoch with the same authenticator, and that application data arrives intact; a
//! disagreement is an error, not a transcript.

use std::io::Write;

use artmls::group::{Group, GroupConfig, Identity, KeyPackageBundle, Received};
use artmls::tree_math::LeafIndex;
use artmls::{CipherSuite, Composed, Provider, SuiteId, SuiteVisitor};
use clap::Args;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use serde::Serialize;

/// Options of `artmls transcript`.
#[derive(Args, Debug, Clone)]
pub(crate) struct TranscriptArgs {
    /// Cipher suite, by name or id (see `artmls suites`).
    #[arg(long, default_value = "0xF001")]
    pub suite: String,
    /// Crypto backend (see `artmls suites`); default: the first that serves the suite.
    #[arg(long)]
    pub backend: Option<String>,
    /// Seed of the run: the transcript is a function of the suite and the seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// The format of the output, named in it so readers can tell versions apart.
const FORMAT: &str = "artmls-transcript-2";
/// The group id of the scenario.
const GROUP_ID: &[u8] = b"artmls transcript";
/// The exporter call of the last step.
const EXPORTER_LABEL: &str = "artmls transcript";
const EXPORTER_CONTEXT: &[u8] = b"end of scenario";
const EXPORTER_LENGTH: usize = 32;

pub(crate) fn run(args: &TranscriptArgs) -> Result<(), String> {
    let (suite, backend) = crate::pick(&args.suite, args.backend.as_deref())?;
    if let Some(substitute) = deterministic_substitution(backend, suite) {
        eprintln!("note: backend {backend} runs {suite} with {substitute}");
    }
    let transcript = visit_deterministic(
        backend,
        suite,
        Scenario {
            seed: args.seed,
            suite_name: suite.to_string(),
        },
    )
    .ok_or_else(|| format!("backend '{backend}' does not serve {suite}"))??;
    let json = serde_json::to_string_pretty(&transcript)
        .map_err(|e| format!("cannot write the transcript as JSON: {e}"))?;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{json}") {
        Ok(()) => Ok(()),
        // A reader that stops early (`artmls transcript | head`) is not a failure of the run.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(format!("cannot write the transcript: {error}")),
    }
}

/// ring's suite 0xF002 with ECDSA from the p256 crate, which signs deterministically (RFC 6979).
type RingP256WithRfc6979Ecdsa = Composed<
    artmls_p256::P256,
    artmls_ring::HkdfSha256,
    artmls_ring::Sha256,
    artmls_ring::Aes128Gcm,
    artmls_p256::EcdsaP256Sha256,
    artmls_providers::ring::HpkeP256Aes128Gcm,
    0xF002,
>;

/// aws-lc's suite 0xF002 with ECDSA from the p256 crate, which signs deterministically (RFC 6979).
type AwsLcP256WithRfc6979Ecdsa = Composed<
    artmls_aws_lc::P256,
    artmls_aws_lc::HkdfSha256,
    artmls_aws_lc::Sha256,
    artmls_aws_lc::Aes128Gcm,
    artmls_p256::EcdsaP256Sha256,
    artmls_aws_lc::HpkeP256Aes128Gcm,
    0xF002,
>;

/// Like `artmls_providers::visit`, but with a suite whose every output is a function of the RNG
/// the scenario passes in, so two providers that serve the same suite print the same bytes.
///
/// Only the signatures of suite 0xF002 need care: *ring* and aws-lc sign ECDSA with nonces of
/// their own choosing and offer no deterministic (RFC 6979) signing. For that suite, ring and
/// aws-lc run with ECDSA signing *and verification* taken from the p256 crate (which follows
/// RFC 6979); their DH, HPKE, KDF, hash and AEAD stay their own. Every other provider and suite
/// runs as `artmls_providers::visit` gives it.
fn visit_deterministic<V: SuiteVisitor>(
    provider: &str,
    suite: SuiteId,
    visitor: V,
) -> Option<V::Output> {
    if suite != SuiteId::P256_AES128GCM_SHA256_P256 {
        return artmls_providers::visit(provider, suite, visitor);
    }
    match provider {
        name if name == artmls_providers::RING.name() => {
            Some(visitor.visit::<RingP256WithRfc6979Ecdsa>())
        }
        name if name == artmls_providers::AWS_LC.name() => {
            Some(visitor.visit::<AwsLcP256WithRfc6979Ecdsa>())
        }
        _ => artmls_providers::visit(provider, suite, visitor),
    }
}

/// What [`visit_deterministic`] replaces in `provider`'s suite `suite`, if anything.
fn deterministic_substitution(provider: &str, suite: SuiteId) -> Option<&'static str> {
    let replaced = suite == SuiteId::P256_AES128GCM_SHA256_P256
        && (provider == artmls_providers::RING.name()
            || provider == artmls_providers::AWS_LC.name());
    replaced.then_some("ECDSA P-256 from the p256 crate (RFC 6979 deterministic signatures)")
}

/// The whole output.
#[derive(Serialize)]
struct Transcript {
    format: &'static str,
    suite: String,
    suite_id: String,
    seed: u64,
    group_id: String,
    steps: Vec<Step>,
    exporter: Exporter,
}

/// One step of the scenario. Byte strings are lowercase hex.
#[derive(Serialize)]
struct Step {
    step: usize,
    action: &'static str,
    sender: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    key_packages: Vec<NamedBytes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    welcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plaintext: Option<String>,
    /// Tombstones the commit re-keyed to its sender (profile revision 2, Transfer).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    transferred: Vec<u32>,
    /// Tombstones the commit blanked (profile revision 2, Seal).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sealed: Vec<u32>,
    epoch: u64,
    epoch_authenticator: String,
}

#[derive(Serialize)]
struct NamedBytes {
    member: &'static str,
    bytes: String,
}

#[derive(Serialize)]
struct Exporter {
    label: &'static str,
    context: String,
    length: usize,
    secret: String,
}

struct Scenario {
    seed: u64,
    suite_name: String,
}

impl SuiteVisitor for Scenario {
    type Output = Result<Transcript, String>;

    fn visit<S: CipherSuite>(self) -> Self::Output {
        Run::<S>::new(self.seed)?.play(self.seed, self.suite_name)
    }
}

fn error(context: &str) -> impl Fn(artmls::group::GroupError) -> String + '_ {
    move |e| format!("{context}: {e}")
}

/// A member who is not in the group yet: an identity and one KeyPackage.
struct Invitee<S: CipherSuite> {
    name: &'static str,
    identity: Identity<S>,
    bundle: KeyPackageBundle<S>,
}

struct Run<S: CipherSuite> {
    rng: ChaCha20Rng,
    /// The members, by name, in the order they entered.
    members: Vec<(&'static str, Group<S>)>,
    invitees: Vec<Invitee<S>>,
    steps: Vec<Step>,
}

impl<S: CipherSuite> Run<S> {
    fn new(seed: u64) -> Result<Self, String> {
        let mut key = [0u8; 32];
        key[24..].copy_from_slice(&seed.to_be_bytes());
        let mut rng = ChaCha20Rng::from_seed(key);
        let alice = Identity::<S>::new_with_rng("alice", &mut rng);
        let mut invitees = Vec::new();
        for name in ["bob", "carol", "dave"] {
            let identity = Identity::<S>::new_with_rng(name, &mut rng);
            let bundle = identity
                .key_package_with_rng(&mut rng)
                .map_err(error("key package"))?;
            invitees.push(Invitee {
                name,
                identity,
                bundle,
            });
        }
        let group =
            Group::create_with_rng(alice, GROUP_ID.to_vec(), GroupConfig::default(), &mut rng)
                .map_err(error("create"))?;
        Ok(Run {
            rng,
            members: vec![("alice", group)],
            invitees,
            steps: Vec::new(),
        })
    }

    fn play(mut self, seed: u64, suite_name: String) -> Result<Transcript, String> {
        let suite_id = format!("{:#06x}", S::ID.0);
        self.record("create", "alice", Vec::new(), None, None, None);
        self.add("alice", &["bob", "carol"])?;
        self.update("bob")?;
        self.message("carol", "hello from carol")?;
        self.update("carol")?;
        self.add("alice", &["dave"])?;
        self.update("dave")?;
        self.remove("bob", "carol")?;
        self.remove("alice", "bob")?;
        self.update("alice")?;
        self.message("dave", "hello from dave")?;
        self.update("dave")?;
        let exporter = self.export()?;
        Ok(Transcript {
            format: FORMAT,
            suite: suite_name,
            suite_id,
            seed,
            group_id: hex::encode(GROUP_ID),
            steps: self.steps,
            exporter,
        })
    }

    fn index_of(&self, name: &str) -> Result<usize, String> {
        self.members
            .iter()
            .position(|(member, _)| *member == name)
            .ok_or_else(|| format!("{name} is not a member"))
    }

    /// Adds the step to the transcript, with the epoch the group is now in.
    fn record(
        &mut self,
        action: &'static str,
        sender: &'static str,
        key_packages: Vec<NamedBytes>,
        message: Option<&[u8]>,
        welcome: Option<&[u8]>,
        plaintext: Option<&str>,
    ) {
        let group = &self.members[0].1;
        self.steps.push(Step {
            step: self.steps.len() + 1,
            action,
            sender,
            key_packages,
            message: message.map(hex::encode),
            welcome: welcome.map(hex::encode),
            plaintext: plaintext.map(str::to_owned),
            transferred: Vec::new(),
            sealed: Vec::new(),
            epoch: group.epoch(),
            epoch_authenticator: hex::encode(group.epoch_authenticator().as_bytes()),
        });
    }

    fn add(&mut self, sender: &'static str, names: &[&str]) -> Result<(), String> {
        let mut joining = Vec::new();
        for name in names {
            let position = self
                .invitees
                .iter()
                .position(|invitee| invitee.name == *name)
                .ok_or_else(|| format!("{name} has no KeyPackage"))?;
            joining.push(self.invitees.remove(position));
        }
        let key_packages: Vec<_> = joining
            .iter()
            .map(|invitee| invitee.bundle.key_package().clone())
            .collect();
        let key_package_messages = joining
            .iter()
            .map(|invitee| {
                let bytes = invitee
                    .bundle
                    .key_package_message()
                    .map_err(error("key package"))?;
                Ok(NamedBytes {
                    member: invitee.name,
                    bytes: hex::encode(bytes),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let index = self.index_of(sender)?;
        let pending = self.members[index]
            .1
            .commit_add_with_rng(&key_packages, &mut self.rng)
            .map_err(error("add"))?;
        let message = pending.message().to_vec();
        let welcome = pending
            .welcome()
            .map(<[u8]>::to_vec)
            .ok_or("an add commit came without a Welcome")?;
        self.members[index]
            .1
            .merge_pending_commit(pending)
            .map_err(error("merge"))?;
        self.deliver(index, &message, None)?;
        for invitee in joining {
            let group = Group::join(
                &welcome,
                &invitee.bundle,
                invitee.identity,
                GroupConfig::default(),
            )
            .map_err(error("join"))?;
            self.members.push((invitee.name, group));
        }
        self.check_agreement()?;
        self.record(
            "add",
            sender,
            key_package_messages,
            Some(&message),
            Some(&welcome),
            None,
        );
        Ok(())
    }

    fn update(&mut self, sender: &'static str) -> Result<(), String> {
        let index = self.index_of(sender)?;
        let pending = self.members[index]
            .1
            .commit_update_with_rng(&mut self.rng)
            .map_err(error("update"))?;
        self.finish_commit("update", sender, index, pending)
    }

    fn remove(&mut self, sender: &'static str, victim: &str) -> Result<(), String> {
        let index = self.index_of(sender)?;
        let leaf: LeafIndex = self.members[self.index_of(victim)?].1.own_leaf();
        let pending = self.members[index]
            .1
            .commit_remove_with_rng(&[leaf], &mut self.rng)
            .map_err(error("remove"))?;
        self.finish_commit("remove", sender, index, pending)
    }

    fn finish_commit(
        &mut self,
        action: &'static str,
        sender: &'static str,
        index: usize,
        pending: artmls::group::PendingCommit<S>,
    ) -> Result<(), String> {
        let message = pending.message().to_vec();
        let summary = self.members[index]
            .1
            .merge_pending_commit(pending)
            .map_err(error("merge"))?;
        self.deliver(index, &message, None)?;
        self.check_agreement()?;
        self.record(action, sender, Vec::new(), Some(&message), None, None);
        if let Some(step) = self.steps.last_mut() {
            step.transferred = summary.transferred.iter().map(|leaf| leaf.0).collect();
            step.sealed = summary.sealed.iter().map(|leaf| leaf.0).collect();
        }
        Ok(())
    }

    fn message(&mut self, sender: &'static str, text: &str) -> Result<(), String> {
        let index = self.index_of(sender)?;
        let message = self.members[index]
            .1
            .encrypt_application_with_rng(text.as_bytes(), &mut self.rng)
            .map_err(error("encrypt"))?;
        self.deliver(index, &message, Some(text.as_bytes()))?;
        self.record(
            "message",
            sender,
            Vec::new(),
            Some(&message),
            None,
            Some(text),
        );
        Ok(())
    }

    /// Every member but the sender processes `message`; removed members leave the run.
    /// Application data must arrive as `expected`.
    fn deliver(
        &mut self,
        sender: usize,
        message: &[u8],
        expected: Option<&[u8]>,
    ) -> Result<(), String> {
        let mut removed = Vec::new();
        for (index, (name, group)) in self.members.iter_mut().enumerate() {
            if index == sender {
                continue;
            }
            let received = group
                .process_message(message)
                .map_err(|e| format!("{name} rejected a message: {e}"))?;
            match (received, expected) {
                (Received::Removed { .. }, _) => removed.push(index),
                (Received::Application { data, .. }, Some(expected)) if data == expected => {}
                (Received::Application { .. }, _) => {
                    return Err(format!("{name} decrypted other application data"));
                }
                (Received::Commit(_), None) => {}
                (Received::Commit(_), Some(_)) => {
                    return Err(format!("{name} read an application message as a commit"));
                }
            }
        }
        for index in removed.into_iter().rev() {
            self.members.remove(index);
        }
        Ok(())
    }

    fn check_agreement(&self) -> Result<(), String> {
        let (_, first) = &self.members[0];
        for (name, group) in &self.members[1..] {
            if group.epoch() != first.epoch()
                || group.epoch_authenticator() != first.epoch_authenticator()
            {
                return Err(format!(
                    "{name} disagrees with {} on epoch {}",
                    self.members[0].0,
                    first.epoch()
                ));
            }
        }
        Ok(())
    }

    fn export(&self) -> Result<Exporter, String> {
        let mut secrets = self.members.iter().map(|(name, group)| {
            group
                .export_secret(EXPORTER_LABEL, EXPORTER_CONTEXT, EXPORTER_LENGTH)
                .map_err(|e| format!("{name} cannot export: {e}"))
        });
        let first = secrets.next().ok_or("the group has no members")??;
        for secret in secrets {
            if secret? != first {
                return Err("the members export different secrets".into());
            }
        }
        Ok(Exporter {
            label: EXPORTER_LABEL,
            context: hex::encode(EXPORTER_CONTEXT),
            length: EXPORTER_LENGTH,
            secret: hex::encode(first.as_bytes()),
        })
    }
}
