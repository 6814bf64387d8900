//! `key-schedule`: the RFC 9420 key schedule over several epochs (mlswg test-vectors.md,
//! "Key Schedule").
//!
//! For each epoch: the GroupContext built from the case's `cipher_suite` (the RFC 9420 id, as
//! data), `group_id`, the epoch's index, `tree_hash`, `confirmed_transcript_hash` and no
//! extensions must encode to `group_context`; the schedule run from the previous epoch's
//! `init_secret` (`initial_init_secret` for epoch 0), `commit_secret` and `psk_secret` must give
//! every listed secret; `external_pub` is the public key of `DeriveKeyPair(external_secret)`;
//! `exporter.secret` is `MLS-Exporter(label, context, length)`, with `label` used as the ASCII
//! text it is (its characters happen to be hex digits). Suites 4-7 are skipped.

use artmls::codec::Encode;
use artmls::internals::key_schedule::EpochSecrets;
use artmls::messages::GroupContext;
use artmls::{CipherSuite, Secret};
use serde::Deserialize;

use crate::runner::FileRun;
use crate::runner::common::{CheckResult, SuiteCheck, expect_bytes, unhex};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    cipher_suite: u16,
    group_id: String,
    initial_init_secret: String,
    epochs: Vec<Epoch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Epoch {
    tree_hash: String,
    commit_secret: String,
    psk_secret: String,
    confirmed_transcript_hash: String,
    group_context: String,
    joiner_secret: String,
    welcome_secret: String,
    init_secret: String,
    sender_data_secret: String,
    encryption_secret: String,
    exporter_secret: String,
    epoch_authenticator: String,
    external_secret: String,
    confirmation_key: String,
    membership_key: String,
    resumption_psk: String,
    external_pub: String,
    exporter: Exporter,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Exporter {
    label: String,
    context: String,
    length: u32,
    secret: String,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let cases: Vec<Case> = serde_json::from_str(text)?;
    for (index, case) in cases.iter().enumerate() {
        if let Some(suite) = run.mls_suite(index, case.cipher_suite) {
            run.run_suite(index, suite, "every epoch matches", case);
        }
    }
    Ok(())
}

impl SuiteCheck for Case {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let group_id = unhex("group_id", &self.group_id)?;
        let mut init_secret = Secret::new(unhex("initial_init_secret", &self.initial_init_secret)?);
        for (number, epoch) in self.epochs.iter().enumerate() {
            init_secret =
                check_epoch::<S>(self.cipher_suite, &group_id, number, epoch, &init_secret)
                    .map_err(|message| format!("epoch {number}: {message}"))?;
        }
        Ok(())
    }
}

/// Checks one epoch and returns its `init_secret` (the next epoch's input).
fn check_epoch<S: CipherSuite>(
    cipher_suite: u16,
    group_id: &[u8],
    number: usize,
    epoch: &Epoch,
    init_secret: &Secret,
) -> Result<Secret, String> {
    let context = GroupContext::new(
        artmls::SuiteId(cipher_suite),
        group_id.to_vec(),
        number as u64,
        unhex("tree_hash", &epoch.tree_hash)?,
        unhex(
            "confirmed_transcript_hash",
            &epoch.confirmed_transcript_hash,
        )?,
    );
    let encoded = context
        .encode_to_vec()
        .map_err(|error| format!("encoding the GroupContext: {error}"))?;
    expect_bytes(
        "group_context",
        &encoded,
        &unhex("group_context", &epoch.group_context)?,
    )?;

    let commit_secret = Secret::new(unhex("commit_secret", &epoch.commit_secret)?);
    let psk_secret = Secret::new(unhex("psk_secret", &epoch.psk_secret)?);
    let secrets =
        EpochSecrets::<S>::derive(init_secret, &commit_secret, Some(&psk_secret), &context)
            .map_err(|error| format!("key schedule failed: {error}"))?;
    let expected: [(&str, &Secret, &str); 11] = [
        (
            "joiner_secret",
            &secrets.joiner_secret,
            &epoch.joiner_secret,
        ),
        (
            "welcome_secret",
            &secrets.welcome_secret,
            &epoch.welcome_secret,
        ),
        ("init_secret", &secrets.init_secret, &epoch.init_secret),
        (
            "sender_data_secret",
            &secrets.sender_data_secret,
            &epoch.sender_data_secret,
        ),
        (
            "encryption_secret",
            &secrets.encryption_secret,
            &epoch.encryption_secret,
        ),
        (
            "exporter_secret",
            &secrets.exporter_secret,
            &epoch.exporter_secret,
        ),
        (
            "epoch_authenticator",
            &secrets.epoch_authenticator,
            &epoch.epoch_authenticator,
        ),
        (
            "external_secret",
            &secrets.external_secret,
            &epoch.external_secret,
        ),
        (
            "confirmation_key",
            &secrets.confirmation_key,
            &epoch.confirmation_key,
        ),
        (
            "membership_key",
            &secrets.membership_key,
            &epoch.membership_key,
        ),
        (
            "resumption_psk",
            &secrets.resumption_psk,
            &epoch.resumption_psk,
        ),
    ];
    for (what, got, want) in expected {
        expect_bytes(what, got.as_bytes(), &unhex(what, want)?)?;
    }

    let (_, external_pub) = secrets
        .external_key_pair()
        .map_err(|error| format!("DeriveKeyPair(external_secret) failed: {error}"))?;
    expect_bytes(
        "external_pub",
        external_pub.as_ref(),
        &unhex("external_pub", &epoch.external_pub)?,
    )?;

    let exporter_context = unhex("exporter.context", &epoch.exporter.context)?;
    let length = usize::try_from(epoch.exporter.length)
        .map_err(|_| "exporter.length does not fit in usize".to_owned())?;
    let exported = secrets
        .export(&epoch.exporter.label, &exporter_context, length)
        .map_err(|error| format!("MLS-Exporter failed: {error}"))?;
    expect_bytes(
        "exporter.secret",
        exported.as_bytes(),
        &unhex("exporter.secret", &epoch.exporter.secret)?,
    )?;

    Ok(secrets.init_secret.clone())
}
