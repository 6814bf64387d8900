//! `message-protection`: RFC 9420 PublicMessage and PrivateMessage protection (mlswg
//! test-vectors.md, "Message Protection").
//!
//! The GroupContext is built from the case (its RFC 9420 `cipher_suite` as data, no
//! extensions) and the secret tree has two leaves, rooted at `encryption_secret`. For the
//! proposal and the commit:
//! - `*_pub` decodes as an MLSMessage (and re-encodes to the same bytes), its membership tag
//!   verifies under `membership_key`, its signature under `signature_pub`, and it carries
//!   exactly the raw `proposal`/`commit`;
//! - `*_priv` decrypts with the secret tree and `sender_data_secret`, its signature verifies,
//!   and it carries the raw value;
//! - the raw value signed with `signature_priv` (the commit with the confirmation tag of
//!   `commit_pub`) and protected both ways opens again (ECDSA signatures and the reuse guard
//!   are randomised, so fresh messages cannot equal the vector's).
//!
//! The application data goes through the private checks only (it is never a PublicMessage).
//! Suites 4-7 are skipped.

use artmls::codec::{Decode, Encode};
use artmls::internals::framing::{
    Padding, decrypt_private, encrypt_private, open_public, protect_public, sign_content,
};
use artmls::internals::secret_tree::SecretTree;
use artmls::messages::{
    Commit, Content, FramedContent, GroupContext, MlsMessage, Proposal, Sender, WireFormat,
};
use artmls::tree_math::LeafIndex;
use artmls::{CipherSuite, Secret, SignatureScheme};
use serde::Deserialize;

use crate::rng::seeded;
use crate::runner::FileRun;
use crate::runner::common::{CheckResult, SuiteCheck, expect_bytes, unhex};

/// The width of the secret tree of the vectors: two members, the sender at leaf 1.
const N_LEAVES: u32 = 2;
const SENDER: LeafIndex = LeafIndex(1);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    cipher_suite: u16,
    group_id: String,
    epoch: u64,
    tree_hash: String,
    confirmed_transcript_hash: String,
    signature_priv: String,
    signature_pub: String,
    encryption_secret: String,
    sender_data_secret: String,
    membership_key: String,
    proposal: String,
    proposal_pub: String,
    proposal_priv: String,
    commit: String,
    commit_pub: String,
    commit_priv: String,
    application: String,
    application_priv: String,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let cases: Vec<Case> = serde_json::from_str(text)?;
    for (index, case) in cases.iter().enumerate() {
        if let Some(suite) = run.mls_suite(index, case.cipher_suite) {
            run.run_suite(
                index,
                suite,
                "proposal, commit and application open and re-protect",
                case,
            );
        }
    }
    Ok(())
}

type SigningKey<S> = <<S as CipherSuite>::Signature as SignatureScheme>::SigningKey;
type VerifyingKey<S> = <<S as CipherSuite>::Signature as SignatureScheme>::VerifyingKey;

struct Setup<S: CipherSuite> {
    context: GroupContext,
    signing_key: SigningKey<S>,
    verifying_key: VerifyingKey<S>,
    encryption_secret: Secret,
    sender_data_secret: Secret,
    membership_key: Secret,
}

impl<S: CipherSuite> Setup<S> {
    fn tree(&self) -> Result<SecretTree<S>, String> {
        SecretTree::new(self.encryption_secret.clone(), N_LEAVES)
            .map_err(|error| format!("building the secret tree: {error}"))
    }

    fn framed(&self, content: Content) -> FramedContent {
        FramedContent {
            group_id: self.context.group_id.clone(),
            epoch: self.context.epoch,
            sender: Sender::Member(SENDER),
            authenticated_data: Vec::new(),
            content,
        }
    }

    /// Opens an encoded PublicMessage and returns its content and confirmation tag.
    fn open_public(&self, what: &str, bytes: &[u8]) -> Result<(Content, Option<Vec<u8>>), String> {
        let message = MlsMessage::<Commit>::decode_exact(bytes)
            .map_err(|error| format!("{what}: decoding: {error}"))?;
        let encoded = message
            .encode_to_vec()
            .map_err(|error| format!("{what}: re-encoding: {error}"))?;
        expect_bytes(&format!("{what} re-encoded"), &encoded, bytes)?;
        let MlsMessage::<Commit>::PublicMessage(message) = message else {
            return Err(format!("{what}: not a PublicMessage"));
        };
        let content = open_public::<S, _>(
            &message,
            &self.context,
            &self.membership_key,
            &self.verifying_key,
        )
        .map_err(|error| format!("{what}: {error}"))?;
        Ok((content.content.content, content.auth.confirmation_tag))
    }

    /// Decrypts an encoded PrivateMessage with a fresh tree.
    fn open_private(&self, what: &str, bytes: &[u8]) -> Result<Content, String> {
        let message = MlsMessage::<Commit>::decode_exact(bytes)
            .map_err(|error| format!("{what}: decoding: {error}"))?;
        let encoded = message
            .encode_to_vec()
            .map_err(|error| format!("{what}: re-encoding: {error}"))?;
        expect_bytes(&format!("{what} re-encoded"), &encoded, bytes)?;
        let MlsMessage::<Commit>::PrivateMessage(message) = message else {
            return Err(format!("{what}: not a PrivateMessage"));
        };
        let mut tree = self.tree()?;
        let content = decrypt_private::<S, _>(
            &message,
            &mut tree,
            &self.sender_data_secret,
            &self.context,
            |_| Some(self.verifying_key.clone()),
        )
        .map_err(|error| format!("{what}: {error}"))?;
        Ok(content.content.content)
    }

    /// Signs `content` and protects it as a PublicMessage, then opens it again.
    fn reprotect_public(&self, what: &str, content: Content, tag: Option<Vec<u8>>) -> CheckResult {
        let signed = sign_content::<S, _>(
            WireFormat::PublicMessage,
            self.framed(content.clone()),
            &self.context,
            &self.signing_key,
            tag,
        )
        .map_err(|error| format!("{what}: signing: {error}"))?;
        let message = protect_public::<S, _>(signed, &self.context, &self.membership_key)
            .map_err(|error| format!("{what}: protecting: {error}"))?;
        let bytes = MlsMessage::<Commit>::PublicMessage(message)
            .encode_to_vec()
            .map_err(|error| format!("{what}: encoding: {error}"))?;
        let (opened, _) = self.open_public(&format!("{what} (fresh)"), &bytes)?;
        same(what, &opened, &content)
    }

    /// Signs `content` and encrypts it as a PrivateMessage, then decrypts it again.
    fn reprotect_private(
        &self,
        what: &str,
        content: Content,
        tag: Option<Vec<u8>>,
        seed: u64,
    ) -> CheckResult {
        let signed = sign_content::<S, _>(
            WireFormat::PrivateMessage,
            self.framed(content.clone()),
            &self.context,
            &self.signing_key,
            tag,
        )
        .map_err(|error| format!("{what}: signing: {error}"))?;
        let mut sender_tree = self.tree()?;
        let mut rng = seeded(seed);
        let message = encrypt_private::<S, _, _>(
            &signed,
            &mut sender_tree,
            &self.sender_data_secret,
            Padding::Multiple(32),
            &mut rng,
        )
        .map_err(|error| format!("{what}: encrypting: {error}"))?;
        let bytes = MlsMessage::<Commit>::PrivateMessage(message)
            .encode_to_vec()
            .map_err(|error| format!("{what}: encoding: {error}"))?;
        let opened = self.open_private(&format!("{what} (fresh)"), &bytes)?;
        same(what, &opened, &content)
    }
}

fn same(what: &str, got: &Content, want: &Content) -> CheckResult {
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "{what}: the opened content differs from the raw value"
        ))
    }
}

impl SuiteCheck for Case {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let signing_key =
            S::Signature::signing_key_from_bytes(&unhex("signature_priv", &self.signature_priv)?)
                .map_err(|error| format!("signature_priv: {error}"))?;
        let verifying_key =
            S::Signature::verifying_key_from_bytes(&unhex("signature_pub", &self.signature_pub)?)
                .map_err(|error| format!("signature_pub: {error}"))?;
        let setup = Setup::<S> {
            context: GroupContext::new(
                artmls::SuiteId(self.cipher_suite),
                unhex("group_id", &self.group_id)?,
                self.epoch,
                unhex("tree_hash", &self.tree_hash)?,
                unhex("confirmed_transcript_hash", &self.confirmed_transcript_hash)?,
            ),
            signing_key,
            verifying_key,
            encryption_secret: Secret::new(unhex("encryption_secret", &self.encryption_secret)?),
            sender_data_secret: Secret::new(unhex("sender_data_secret", &self.sender_data_secret)?),
            membership_key: Secret::new(unhex("membership_key", &self.membership_key)?),
        };
        let seed = u64::from(S::ID.0);

        let proposal = Proposal::decode_exact(&unhex("proposal", &self.proposal)?)
            .map_err(|error| format!("decoding proposal: {error}"))?;
        let proposal = Content::Proposal(proposal);
        let (opened, _) =
            setup.open_public("proposal_pub", &unhex("proposal_pub", &self.proposal_pub)?)?;
        same("proposal_pub", &opened, &proposal)?;
        let opened = setup.open_private(
            "proposal_priv",
            &unhex("proposal_priv", &self.proposal_priv)?,
        )?;
        same("proposal_priv", &opened, &proposal)?;
        setup.reprotect_public("proposal", proposal.clone(), None)?;
        setup.reprotect_private("proposal", proposal, None, seed)?;

        let commit = Commit::decode_exact(&unhex("commit", &self.commit)?)
            .map_err(|error| format!("decoding commit: {error}"))?;
        let commit = Content::Commit(Box::new(commit));
        let (opened, tag) =
            setup.open_public("commit_pub", &unhex("commit_pub", &self.commit_pub)?)?;
        same("commit_pub", &opened, &commit)?;
        let opened =
            setup.open_private("commit_priv", &unhex("commit_priv", &self.commit_priv)?)?;
        same("commit_priv", &opened, &commit)?;
        setup.reprotect_public("commit", commit.clone(), tag.clone())?;
        setup.reprotect_private("commit", commit, tag, seed + 1)?;

        let application = Content::Application(unhex("application", &self.application)?);
        let opened = setup.open_private(
            "application_priv",
            &unhex("application_priv", &self.application_priv)?,
        )?;
        same("application_priv", &opened, &application)?;
        setup.reprotect_private("application", application, None, seed + 2)
    }
}
