//! `welcome`: joining from an RFC 9420 Welcome (mlswg test-vectors.md, "Welcome").
//!
//! `key_package` and `welcome` decode as MLSMessages (and re-encode to the same bytes); the
//! key package verifies; the Welcome's entry for the key package decrypts with `init_priv`;
//! the GroupInfo decrypts with the welcome key of the joiner secret (no PSKs), its signature
//! verifies under `signer_pub`, and its confirmation tag matches the epoch derived from the
//! joiner secret and its GroupContext. Then the other direction: the GroupInfo is sealed again
//! in a fresh Welcome to the same key package, which joins the same way. Suites 4-7 are skipped.

use artmls::codec::{Decode, Encode};
use artmls::internals::welcome::{NewMember, join, seal_welcome};
use artmls::messages::{KeyPackage, MlsMessage, Welcome};
use artmls::{CipherSuite, Secret, SignatureScheme};
use serde::Deserialize;

use crate::rng::seeded;
use crate::runner::FileRun;
use crate::runner::common::{CheckResult, SuiteCheck, expect_bytes, unhex};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    cipher_suite: u16,
    init_priv: String,
    signer_pub: String,
    key_package: String,
    welcome: String,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let cases: Vec<Case> = serde_json::from_str(text)?;
    for (index, case) in cases.iter().enumerate() {
        if let Some(suite) = run.mls_suite(index, case.cipher_suite) {
            run.run_suite(index, suite, "joins, and a re-sealed Welcome joins", case);
        }
    }
    Ok(())
}

fn decode_message(what: &str, hex: &str) -> Result<MlsMessage, String> {
    let bytes = unhex(what, hex)?;
    let message = MlsMessage::<artmls::messages::Commit>::decode_exact(&bytes)
        .map_err(|error| format!("decoding {what}: {error}"))?;
    let encoded = message
        .encode_to_vec()
        .map_err(|error| format!("re-encoding {what}: {error}"))?;
    expect_bytes(&format!("re-encoded {what}"), &encoded, &bytes)?;
    Ok(message)
}

impl SuiteCheck for Case {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let MlsMessage::<artmls::messages::Commit>::KeyPackage(key_package) =
            decode_message("key_package", &self.key_package)?
        else {
            return Err("key_package: not a KeyPackage".to_owned());
        };
        let MlsMessage::<artmls::messages::Commit>::Welcome(welcome) =
            decode_message("welcome", &self.welcome)?
        else {
            return Err("welcome: not a Welcome".to_owned());
        };
        key_package
            .verify::<S>()
            .map_err(|error| format!("key package: {error}"))?;
        let init_priv = Secret::new(unhex("init_priv", &self.init_priv)?);
        let signer =
            S::Signature::verifying_key_from_bytes(&unhex("signer_pub", &self.signer_pub)?)
                .map_err(|error| format!("signer_pub: {error}"))?;

        let joined = join_with::<S>(&welcome, &key_package, &init_priv, &signer)
            .map_err(|error| format!("joining the vector's Welcome: {error}"))?;

        let mut rng = seeded(u64::from(S::ID.0));
        let resealed = seal_welcome::<S, _>(
            &joined.group_info,
            &joined.group_secrets.joiner_secret,
            &[],
            &[NewMember {
                key_package: &key_package,
                path_secret: joined
                    .group_secrets
                    .path_secret
                    .as_ref()
                    .map(|path| path.path_secret.clone()),
            }],
            &mut rng,
        )
        .map_err(|error| format!("sealing a fresh Welcome: {error}"))?;
        let bytes = MlsMessage::<artmls::messages::Commit>::Welcome(resealed)
            .encode_to_vec()
            .map_err(|error| format!("encoding the fresh Welcome: {error}"))?;
        let MlsMessage::<artmls::messages::Commit>::Welcome(resealed) =
            MlsMessage::<artmls::messages::Commit>::decode_exact(&bytes)
                .map_err(|error| format!("decoding the fresh Welcome: {error}"))?
        else {
            return Err("the fresh Welcome decodes as something else".to_owned());
        };
        let rejoined = join_with::<S>(&resealed, &key_package, &init_priv, &signer)
            .map_err(|error| format!("joining the fresh Welcome: {error}"))?;
        if rejoined.group_info != joined.group_info
            || rejoined.group_secrets != joined.group_secrets
            || rejoined.epoch_secrets.epoch_authenticator
                != joined.epoch_secrets.epoch_authenticator
        {
            return Err("the fresh Welcome gives another group state".to_owned());
        }
        Ok(())
    }
}

fn join_with<S: CipherSuite>(
    welcome: &Welcome,
    key_package: &KeyPackage,
    init_priv: &Secret,
    signer: &<S::Signature as SignatureScheme>::VerifyingKey,
) -> Result<artmls::internals::welcome::Joined<S>, artmls::internals::welcome::WelcomeError> {
    join::<S>(
        welcome,
        key_package,
        init_priv,
        |_| None,
        |_| Some(signer.clone()),
    )
}
