//! `rfc9180`: HPKE test vectors (RFC 9180 appendix A) in the official JSON layout, plus a
//! `sequence_number` on each encryption.
//!
//! For each case, on each backend:
//! - `DeriveKeyPair(ikmE)`, `DeriveKeyPair(ikmR)` (and `ikmS`) give `skEm`/`pkEm`, ... through
//!   the DH group's `derive_key_pair`;
//! - Encap / AuthEncap with the ephemeral key of `ikmE` give `enc` and `shared_secret`, and
//!   Decap / AuthDecap recover the shared secret;
//! - `key_schedule_context` and `secret` are recomputed here independently (LabeledExtract over
//!   the suite's KDF), and the generic [`DhKemHpke`] sender and receiver contexts of every mode
//!   must hold `key`, `base_nonce` and `exporter_secret`;
//! - every encryption is sealed and opened at its `sequence_number` (its nonce is checked
//!   too), and every export is recomputed on both contexts;
//! - for mode 0 in a suite, the backend's own `S::Hpke` must reproduce the sequence-0
//!   encryption from a random source that yields `ikmE` (the [`artmls::Hpke`] contract), and
//!   open it.
//!
//! The KEM/KDF/AEAD triple selects the ART suite with those HPKE ids. DHKEM(P-256) with
//! ChaCha20Poly1305 is in no suite: it runs on backends serving both suite 2 (for the DH group
//! and KDF) and suite 3 (for the AEAD), with the generic HPKE only, and shows suite `-`.

use core::marker::PhantomData;

use artmls::hpke::{DhKem, DhKemHpke, KeyScheduleInput, Mode};
use artmls::suite::SUITES;
use artmls::{Aead, CipherSuite, DhGroup, Hpke, Kdf, SuiteId, SuiteVisitor};
use serde::Deserialize;

use crate::rng::FixedRng;
use crate::runner::FileRun;
use crate::runner::common::{CheckResult, SuiteCheck, expect_bytes, mls_number, step, unhex};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)] // the official field names
struct Case {
    #[serde(rename = "_section", default)]
    _section: Option<String>,
    mode: u8,
    kem_id: u16,
    kdf_id: u16,
    aead_id: u16,
    info: String,
    ikmE: String,
    pkEm: String,
    skEm: String,
    ikmR: String,
    pkRm: String,
    skRm: String,
    #[serde(default)]
    ikmS: Option<String>,
    #[serde(default)]
    pkSm: Option<String>,
    #[serde(default)]
    skSm: Option<String>,
    #[serde(default)]
    psk: Option<String>,
    #[serde(default)]
    psk_id: Option<String>,
    enc: String,
    shared_secret: String,
    key_schedule_context: String,
    secret: String,
    key: String,
    base_nonce: String,
    exporter_secret: String,
    encryptions: Vec<Encryption>,
    exports: Vec<Export>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Encryption {
    sequence_number: u64,
    pt: String,
    aad: String,
    nonce: String,
    ct: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Export {
    exporter_context: String,
    #[serde(rename = "L")]
    length: usize,
    exported_value: String,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let cases: Vec<Case> = serde_json::from_str(text)?;
    for (index, case) in cases.iter().enumerate() {
        let ids = (case.kem_id, case.kdf_id, case.aead_id);
        let note = format!(
            "mode {} KEM {:#06x} KDF {:#06x} AEAD {:#06x}: all values match",
            case.mode, case.kem_id, case.kdf_id, case.aead_id
        );
        if let Some(info) = SUITES.iter().find(|info| info.hpke_ids == ids) {
            run.run_suite(index, info.id, &note, case);
            continue;
        }
        // No suite has this triple: borrow the DH group and KDF from one suite and the AEAD
        // from another, on the same backend.
        let dh_suite = SUITES
            .iter()
            .find(|info| info.hpke_ids.0 == case.kem_id && info.hpke_ids.1 == case.kdf_id);
        let aead_suite = SUITES.iter().find(|info| info.hpke_ids.2 == case.aead_id);
        match (dh_suite, aead_suite) {
            (Some(dh_suite), Some(aead_suite)) => {
                let (dh_id, aead_id) = (dh_suite.id, aead_suite.id);
                run.run(index, None, &[dh_id, aead_id], &note, |backend| {
                    artmls_providers::visit(
                        backend,
                        dh_id,
                        BorrowDh {
                            case,
                            backend,
                            aead_suite: aead_id,
                        },
                    )
                    .flatten()
                });
            }
            _ => run.skip(
                index,
                None,
                format!(
                    "unsupported suite: no ART suite has KEM {:#06x} with KDF {:#06x}, or AEAD {:#06x}",
                    case.kem_id, case.kdf_id, case.aead_id
                ),
            ),
        }
    }
    Ok(())
}

impl SuiteCheck for Case {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        check_case::<S::Dh, S::Kdf, S::Aead, S::Hpke>(self, true).map_err(
            |message| match mls_number(S::ID) {
                Some(number) => format!("suite {number}: {message}"),
                None => message,
            },
        )
    }
}

/// Visits the suite that supplies the DH group and KDF, then the one that supplies the AEAD.
struct BorrowDh<'a> {
    case: &'a Case,
    backend: &'static str,
    aead_suite: SuiteId,
}

impl SuiteVisitor for BorrowDh<'_> {
    type Output = Option<CheckResult>;

    fn visit<S: CipherSuite>(self) -> Option<CheckResult> {
        artmls_providers::visit(
            self.backend,
            self.aead_suite,
            BorrowAead::<S::Dh, S::Kdf> {
                case: self.case,
                _dh: PhantomData,
            },
        )
    }
}

struct BorrowAead<'a, D, K> {
    case: &'a Case,
    _dh: PhantomData<fn() -> (D, K)>,
}

impl<D: DhGroup, K: Kdf> SuiteVisitor for BorrowAead<'_, D, K> {
    type Output = CheckResult;

    fn visit<S: CipherSuite>(self) -> CheckResult {
        check_case::<D, K, S::Aead, DhKemHpke<D, K, S::Aead>>(self.case, false)
    }
}

fn optional_hex(field: &str, value: &Option<String>) -> Result<Option<Vec<u8>>, String> {
    value.as_deref().map(|text| unhex(field, text)).transpose()
}

/// RFC 9180 `LabeledExtract`, written here independently of the library's.
fn labeled_extract<K: Kdf>(suite_id: &[u8], salt: &[u8], label: &[u8], ikm: &[u8]) -> Vec<u8> {
    let input = [b"HPKE-v1".as_slice(), suite_id, label, ikm].concat();
    K::extract(salt, &input).as_bytes().to_vec()
}

/// The nonce of sequence number `sequence`: `base_nonce XOR I2OSP(sequence, Nn)`.
fn nonce_for(base_nonce: &[u8], sequence: u64) -> Vec<u8> {
    let mut nonce = base_nonce.to_vec();
    for (byte, seq_byte) in nonce.iter_mut().rev().zip(sequence.to_le_bytes()) {
        *byte ^= seq_byte;
    }
    nonce
}

fn check_case<D: DhGroup, K: Kdf, A: Aead, P: Hpke>(case: &Case, own_hpke: bool) -> CheckResult {
    if (D::KEM_ID, K::KDF_ID, A::AEAD_ID) != (case.kem_id, case.kdf_id, case.aead_id) {
        return Err(format!(
            "runner error: suite ids ({:#06x}, {:#06x}, {:#06x}) do not match the case",
            D::KEM_ID,
            K::KDF_ID,
            A::AEAD_ID
        ));
    }
    let mode = Mode::from_u8(case.mode)
        .ok_or_else(|| format!("malformed vector: unknown mode {}", case.mode))?;
    let info = unhex("info", &case.info)?;
    let psk = optional_hex("psk", &case.psk)?.unwrap_or_default();
    let psk_id = optional_hex("psk_id", &case.psk_id)?.unwrap_or_default();
    let enc = unhex("enc", &case.enc)?;
    let shared_secret = unhex("shared_secret", &case.shared_secret)?;

    // Key pairs.
    let derive = |who: &str, ikm: &str, sk: &str, pk: &str| {
        let ikm = unhex(&format!("ikm{who}"), ikm)?;
        let (private, public) = step(
            &format!("DeriveKeyPair(ikm{who})"),
            D::derive_key_pair::<K>(&ikm),
        )?;
        expect_bytes(
            &format!("sk{who}m"),
            D::private_key_to_bytes(&private).as_bytes(),
            &unhex(&format!("sk{who}m"), sk)?,
        )?;
        expect_bytes(
            &format!("pk{who}m"),
            public.as_ref(),
            &unhex(&format!("pk{who}m"), pk)?,
        )?;
        Ok::<_, String>((ikm, private, public))
    };
    let (ikm_e, _, _) = derive("E", &case.ikmE, &case.skEm, &case.pkEm)?;
    let (_, sk_r, pk_r) = derive("R", &case.ikmR, &case.skRm, &case.pkRm)?;
    let sender = match (&case.ikmS, &case.skSm, &case.pkSm) {
        (Some(ikm), Some(sk), Some(pk)) => {
            let (_, sk_s, pk_s) = derive("S", ikm, sk, pk)?;
            Some((sk_s, pk_s))
        }
        (None, None, None) => None,
        _ => return Err("malformed vector: ikmS, skSm and pkSm go together".to_owned()),
    };
    let auth = matches!(mode, Mode::Auth | Mode::AuthPsk);
    if auth != sender.is_some() {
        return Err("malformed vector: the sender key pair goes with the auth modes".to_owned());
    }

    // KEM.
    let (encap_secret, encap_enc) = match &sender {
        Some((sk_s, _)) => step("AuthEncap", DhKem::<D, K>::auth_encap(&pk_r, sk_s, &ikm_e))?,
        None => step("Encap", DhKem::<D, K>::encap(&pk_r, &ikm_e))?,
    };
    expect_bytes("enc", &encap_enc, &enc)?;
    expect_bytes(
        "shared_secret (Encap)",
        encap_secret.as_bytes(),
        &shared_secret,
    )?;
    let decap_secret = match &sender {
        Some((_, pk_s)) => step("AuthDecap", DhKem::<D, K>::auth_decap(&enc, &sk_r, pk_s))?,
        None => step("Decap", DhKem::<D, K>::decap(&enc, &sk_r))?,
    };
    expect_bytes(
        "shared_secret (Decap)",
        decap_secret.as_bytes(),
        &shared_secret,
    )?;

    // Key schedule, recomputed independently.
    let suite_id = [
        b"HPKE".as_slice(),
        &case.kem_id.to_be_bytes(),
        &case.kdf_id.to_be_bytes(),
        &case.aead_id.to_be_bytes(),
    ]
    .concat();
    let context = [
        vec![case.mode],
        labeled_extract::<K>(&suite_id, &[], b"psk_id_hash", &psk_id),
        labeled_extract::<K>(&suite_id, &[], b"info_hash", &info),
    ]
    .concat();
    expect_bytes(
        "key_schedule_context",
        &context,
        &unhex("key_schedule_context", &case.key_schedule_context)?,
    )?;
    expect_bytes(
        "secret",
        &labeled_extract::<K>(&suite_id, &shared_secret, b"secret", &psk),
        &unhex("secret", &case.secret)?,
    )?;

    // Contexts of the generic HPKE.
    let input = KeyScheduleInput {
        mode,
        info: &info,
        psk: &psk,
        psk_id: &psk_id,
    };
    let key = unhex("key", &case.key)?;
    let base_nonce = unhex("base_nonce", &case.base_nonce)?;
    let exporter_secret = unhex("exporter_secret", &case.exporter_secret)?;
    let (sender_enc, mut sender_context) = step(
        "SetupS",
        DhKemHpke::<D, K, A>::setup_sender(
            &pk_r,
            sender.as_ref().map(|(sk_s, _)| sk_s),
            input,
            &ikm_e,
        ),
    )?;
    expect_bytes("enc (SetupS)", &sender_enc, &enc)?;
    let mut receiver_context = step(
        "SetupR",
        DhKemHpke::<D, K, A>::setup_receiver(
            &enc,
            &sk_r,
            sender.as_ref().map(|(_, pk_s)| pk_s),
            input,
        ),
    )?;
    for (side, context) in [("sender", &sender_context), ("receiver", &receiver_context)] {
        expect_bytes(&format!("key ({side})"), context.key().as_bytes(), &key)?;
        expect_bytes(
            &format!("base_nonce ({side})"),
            context.base_nonce(),
            &base_nonce,
        )?;
        expect_bytes(
            &format!("exporter_secret ({side})"),
            context.exporter_secret().as_bytes(),
            &exporter_secret,
        )?;
    }

    for encryption in &case.encryptions {
        let sequence = encryption.sequence_number;
        let pt = unhex("pt", &encryption.pt)?;
        let aad = unhex("aad", &encryption.aad)?;
        let ct = unhex("ct", &encryption.ct)?;
        expect_bytes(
            &format!("nonce of sequence {sequence}"),
            &nonce_for(&base_nonce, sequence),
            &unhex("nonce", &encryption.nonce)?,
        )?;
        sender_context.set_sequence(sequence);
        let sealed = step(
            &format!("Seal at sequence {sequence}"),
            sender_context.seal(&aad, &pt),
        )?;
        expect_bytes(&format!("ct of sequence {sequence}"), &sealed, &ct)?;
        receiver_context.set_sequence(sequence);
        let opened = step(
            &format!("Open at sequence {sequence}"),
            receiver_context.open(&aad, &ct),
        )?;
        expect_bytes(&format!("pt of sequence {sequence}"), &opened, &pt)?;
    }

    for (index, export) in case.exports.iter().enumerate() {
        let exporter_context = unhex("exporter_context", &export.exporter_context)?;
        let value = unhex("exported_value", &export.exported_value)?;
        for (side, context) in [("sender", &sender_context), ("receiver", &receiver_context)] {
            let exported = step(
                &format!("Export {index} ({side})"),
                context.export(&exporter_context, export.length),
            )?;
            expect_bytes(
                &format!("exported_value {index} ({side})"),
                exported.as_bytes(),
                &value,
            )?;
        }
    }

    if own_hpke && mode == Mode::Base {
        check_own_hpke::<D, P>(case, &ikm_e, &info, &enc)?;
    }
    Ok(())
}

/// The backend's own single-shot HPKE on the sequence-0 encryption.
fn check_own_hpke<D: DhGroup, P: Hpke>(
    case: &Case,
    ikm_e: &[u8],
    info: &[u8],
    enc: &[u8],
) -> CheckResult {
    let Some(first) = case
        .encryptions
        .iter()
        .find(|encryption| encryption.sequence_number == 0)
    else {
        return Ok(());
    };
    let pt = unhex("pt", &first.pt)?;
    let aad = unhex("aad", &first.aad)?;
    let ct = unhex("ct", &first.ct)?;
    let pk_r = unhex("pkRm", &case.pkRm)?;
    let sk_r = unhex("skRm", &case.skRm)?;
    let mut rng = FixedRng::new(ikm_e);
    let sealed = step(
        &format!("{} seal_base", P::NAME),
        P::seal_base(&pk_r, info, &aad, &pt, &mut rng),
    )?;
    expect_bytes(
        &format!("{} seal_base enc", P::NAME),
        &sealed.kem_output,
        enc,
    )?;
    expect_bytes(
        &format!("{} seal_base ct", P::NAME),
        &sealed.ciphertext,
        &ct,
    )?;
    if rng.drawn() < D::PRIVATE_KEY_LEN {
        return Err(format!(
            "{} seal_base drew {} random bytes, fewer than Nsk",
            P::NAME,
            rng.drawn()
        ));
    }
    let opened = step(
        &format!("{} open_base", P::NAME),
        P::open_base(&sk_r, enc, info, &aad, &ct),
    )?;
    expect_bytes(&format!("{} open_base pt", P::NAME), &opened, &pt)
}
