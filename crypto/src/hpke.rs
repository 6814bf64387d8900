//! HPKE (RFC 9180) written once over any [`DhGroup`], [`Kdf`] and [`Aead`].
//!
//! Backends whose library has no HPKE (ring, aws-lc-rs) use [`DhKemHpke`] as their [`Hpke`]
//! component; the others may bring their own and are checked against this one and against the
//! RFC 9180 vectors. All four modes are here, so the vector runner checks every case.

use core::marker::PhantomData;

use rand_core::CryptoRng;

use crate::error::CryptoError;
use crate::secret::Secret;
use crate::traits::{Aead, DhGroup, Hpke, HpkeCiphertext, Kdf};

const VERSION_LABEL: &[u8] = b"HPKE-v1";

/// `LabeledExtract(salt, label, ikm)` under the given HPKE suite id.
fn labeled_extract<K: Kdf>(suite_id: &[u8], salt: &[u8], label: &[u8], ikm: &[u8]) -> Secret {
    let mut labeled_ikm =
        Vec::with_capacity(VERSION_LABEL.len() + suite_id.len() + label.len() + ikm.len());
    labeled_ikm.extend_from_slice(VERSION_LABEL);
    labeled_ikm.extend_from_slice(suite_id);
    labeled_ikm.extend_from_slice(label);
    labeled_ikm.extend_from_slice(ikm);
    let prk = K::extract(salt, &labeled_ikm);
    zeroize::Zeroize::zeroize(&mut labeled_ikm);
    prk
}

/// `LabeledExpand(prk, label, info, length)` under the given HPKE suite id.
fn labeled_expand<K: Kdf>(
    suite_id: &[u8],
    prk: &[u8],
    label: &[u8],
    info: &[u8],
    length: usize,
) -> Result<Secret, CryptoError> {
    let length16 = u16::try_from(length).map_err(|_| CryptoError::KdfOutputTooLong(length))?;
    let mut labeled_info =
        Vec::with_capacity(2 + VERSION_LABEL.len() + suite_id.len() + label.len() + info.len());
    labeled_info.extend_from_slice(&length16.to_be_bytes());
    labeled_info.extend_from_slice(VERSION_LABEL);
    labeled_info.extend_from_slice(suite_id);
    labeled_info.extend_from_slice(label);
    labeled_info.extend_from_slice(info);
    K::expand(prk, &labeled_info, length)
}

/// DHKEM(D, K) of RFC 9180 §4.1.
pub struct DhKem<D, K>(PhantomData<fn() -> (D, K)>);

impl<D: DhGroup, K: Kdf> core::fmt::Debug for DhKem<D, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DhKem({}, {})", D::NAME, K::NAME)
    }
}

impl<D: DhGroup, K: Kdf> DhKem<D, K> {
    fn suite_id() -> [u8; 5] {
        let [hi, lo] = D::KEM_ID.to_be_bytes();
        [b'K', b'E', b'M', hi, lo]
    }

    /// DeriveKeyPair(ikm), RFC 9180 §7.1.3.
    pub fn derive_key_pair(ikm: &[u8]) -> Result<(D::PrivateKey, D::PublicKey), CryptoError> {
        let suite_id = Self::suite_id();
        let dkp_prk = labeled_extract::<K>(&suite_id, &[], b"dkp_prk", ikm);
        let private = match D::DERIVE_KEY_PAIR_BITMASK {
            None => {
                let sk = labeled_expand::<K>(
                    &suite_id,
                    dkp_prk.as_bytes(),
                    b"sk",
                    &[],
                    D::PRIVATE_KEY_LEN,
                )?;
                D::private_key_from_bytes(sk.as_bytes())?
            }
            Some(bitmask) => Self::rejection_sample(&suite_id, &dkp_prk, bitmask)?,
        };
        let public = D::public_key(&private);
        Ok((private, public))
    }

    fn rejection_sample(
        suite_id: &[u8],
        dkp_prk: &Secret,
        bitmask: u8,
    ) -> Result<D::PrivateKey, CryptoError> {
        for counter in 0..=255u8 {
            let mut candidate = labeled_expand::<K>(
                suite_id,
                dkp_prk.as_bytes(),
                b"candidate",
                &[counter],
                D::PRIVATE_KEY_LEN,
            )?;
            if let Some(first) = candidate.as_mut_bytes().first_mut() {
                *first &= bitmask;
            }
            if let Ok(private) = D::private_key_from_bytes(candidate.as_bytes()) {
                return Ok(private);
            }
        }
        Err(CryptoError::DeriveKeyPairFailed)
    }

    fn extract_and_expand(dh: &[u8], kem_context: &[u8]) -> Result<Secret, CryptoError> {
        let suite_id = Self::suite_id();
        let eae_prk = labeled_extract::<K>(&suite_id, &[], b"eae_prk", dh);
        labeled_expand::<K>(
            &suite_id,
            eae_prk.as_bytes(),
            b"shared_secret",
            kem_context,
            K::HASH_LEN,
        )
    }

    /// Encap(pkR) with the ephemeral key pair `DeriveKeyPair(ikm_e)`; returns (shared_secret, enc).
    pub fn encap(recipient: &D::PublicKey, ikm_e: &[u8]) -> Result<(Secret, Vec<u8>), CryptoError> {
        Self::encap_inner(recipient, None, ikm_e)
    }

    /// AuthEncap(pkR, skS) with the ephemeral key pair `DeriveKeyPair(ikm_e)`.
    pub fn auth_encap(
        recipient: &D::PublicKey,
        sender: &D::PrivateKey,
        ikm_e: &[u8],
    ) -> Result<(Secret, Vec<u8>), CryptoError> {
        Self::encap_inner(recipient, Some(sender), ikm_e)
    }

    fn encap_inner(
        recipient: &D::PublicKey,
        sender: Option<&D::PrivateKey>,
        ikm_e: &[u8],
    ) -> Result<(Secret, Vec<u8>), CryptoError> {
        let (sk_e, pk_e) = Self::derive_key_pair(ikm_e)?;
        let mut dh = D::dh(&sk_e, recipient)?.as_bytes().to_vec();
        let enc = pk_e.as_ref().to_vec();
        let mut kem_context = [enc.as_slice(), recipient.as_ref()].concat();
        if let Some(sender) = sender {
            dh.extend_from_slice(D::dh(sender, recipient)?.as_bytes());
            kem_context.extend_from_slice(D::public_key(sender).as_ref());
        }
        let dh = Secret::new(dh);
        Ok((Self::extract_and_expand(dh.as_bytes(), &kem_context)?, enc))
    }

    /// Decap(enc, skR).
    pub fn decap(enc: &[u8], recipient: &D::PrivateKey) -> Result<Secret, CryptoError> {
        Self::decap_inner(enc, recipient, None)
    }

    /// AuthDecap(enc, skR, pkS).
    pub fn auth_decap(
        enc: &[u8],
        recipient: &D::PrivateKey,
        sender: &D::PublicKey,
    ) -> Result<Secret, CryptoError> {
        Self::decap_inner(enc, recipient, Some(sender))
    }

    fn decap_inner(
        enc: &[u8],
        recipient: &D::PrivateKey,
        sender: Option<&D::PublicKey>,
    ) -> Result<Secret, CryptoError> {
        let pk_e = D::public_key_from_bytes(enc)?;
        let mut dh = D::dh(recipient, &pk_e)?.as_bytes().to_vec();
        let mut kem_context = [enc, D::public_key(recipient).as_ref()].concat();
        if let Some(sender) = sender {
            dh.extend_from_slice(D::dh(recipient, sender)?.as_bytes());
            kem_context.extend_from_slice(sender.as_ref());
        }
        let dh = Secret::new(dh);
        Self::extract_and_expand(dh.as_bytes(), &kem_context)
    }
}

/// The HPKE modes (RFC 9180 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `mode_base`.
    Base = 0,
    /// `mode_psk`.
    Psk = 1,
    /// `mode_auth`.
    Auth = 2,
    /// `mode_auth_psk`.
    AuthPsk = 3,
}

impl Mode {
    /// The mode of its RFC 9180 number.
    pub fn from_u8(mode: u8) -> Option<Mode> {
        match mode {
            0 => Some(Mode::Base),
            1 => Some(Mode::Psk),
            2 => Some(Mode::Auth),
            3 => Some(Mode::AuthPsk),
            _ => None,
        }
    }

    fn uses_psk(self) -> bool {
        matches!(self, Mode::Psk | Mode::AuthPsk)
    }
}

/// An HPKE encryption context (RFC 9180 §5.2): the key, base nonce and exporter secret.
pub struct Context<K, A> {
    key: Secret,
    base_nonce: Vec<u8>,
    exporter_secret: Secret,
    suite_id: [u8; 10],
    sequence: u64,
    _suite: PhantomData<fn() -> (K, A)>,
}

impl<K: Kdf, A: Aead> core::fmt::Debug for Context<K, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Context")
            .field("sequence", &self.sequence)
            .finish_non_exhaustive()
    }
}

impl<K: Kdf, A: Aead> Context<K, A> {
    /// The AEAD key.
    pub fn key(&self) -> &Secret {
        &self.key
    }

    /// The base nonce.
    pub fn base_nonce(&self) -> &[u8] {
        &self.base_nonce
    }

    /// The exporter secret.
    pub fn exporter_secret(&self) -> &Secret {
        &self.exporter_secret
    }

    /// The sequence number of the next message.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// Moves to sequence number `sequence` (for a receiver that lost messages, or a test).
    pub fn set_sequence(&mut self, sequence: u64) {
        self.sequence = sequence;
    }

    fn nonce(&self) -> Vec<u8> {
        let mut nonce = self.base_nonce.clone();
        let sequence = self.sequence.to_be_bytes();
        let offset = nonce.len().saturating_sub(sequence.len());
        for (byte, seq_byte) in nonce[offset..].iter_mut().zip(sequence) {
            *byte ^= seq_byte;
        }
        nonce
    }

    fn advance(&mut self) -> Result<(), CryptoError> {
        self.sequence = self
            .sequence
            .checked_add(1)
            .ok_or(CryptoError::MessageLimitReached)?;
        Ok(())
    }

    /// ContextS.Seal(aad, pt).
    pub fn seal(&mut self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let ciphertext = A::seal(self.key.as_bytes(), &self.nonce(), aad, plaintext)?;
        self.advance()?;
        Ok(ciphertext)
    }

    /// ContextR.Open(aad, ct).
    pub fn open(&mut self, aad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let plaintext = A::open(self.key.as_bytes(), &self.nonce(), aad, ciphertext)?;
        self.advance()?;
        Ok(plaintext)
    }

    /// Context.Export(exporter_context, L).
    pub fn export(&self, exporter_context: &[u8], length: usize) -> Result<Secret, CryptoError> {
        labeled_expand::<K>(
            &self.suite_id,
            self.exporter_secret.as_bytes(),
            b"sec",
            exporter_context,
            length,
        )
    }
}

/// The inputs of the HPKE key schedule besides the shared secret.
#[derive(Clone, Copy, Debug)]
pub struct KeyScheduleInput<'a> {
    /// The mode.
    pub mode: Mode,
    /// `info`.
    pub info: &'a [u8],
    /// The pre-shared key (empty unless the mode uses one).
    pub psk: &'a [u8],
    /// The pre-shared key's id (empty unless the mode uses one).
    pub psk_id: &'a [u8],
}

/// The whole of HPKE over `D`, `K` and `A`, and an [`Hpke`] component built from them.
pub struct DhKemHpke<D, K, A>(PhantomData<Marker<D, K, A>>);

impl<D: DhGroup, K: Kdf, A: Aead> core::fmt::Debug for DhKemHpke<D, K, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DhKemHpke({}, {}, {})", D::NAME, K::NAME, A::NAME)
    }
}

/// A marker that owns nothing, so the type is `Send`, `Sync` and `'static` whatever `D`, `K`, `A`.
type Marker<D, K, A> = fn() -> (D, K, A);

impl<D: DhGroup, K: Kdf, A: Aead> DhKemHpke<D, K, A> {
    fn suite_id() -> [u8; 10] {
        let mut id = [0u8; 10];
        id[..4].copy_from_slice(b"HPKE");
        id[4..6].copy_from_slice(&D::KEM_ID.to_be_bytes());
        id[6..8].copy_from_slice(&K::KDF_ID.to_be_bytes());
        id[8..10].copy_from_slice(&A::AEAD_ID.to_be_bytes());
        id
    }

    /// KeySchedule(mode, shared_secret, info, psk, psk_id), RFC 9180 §5.1.
    pub fn key_schedule(
        shared_secret: &Secret,
        input: KeyScheduleInput<'_>,
    ) -> Result<Context<K, A>, CryptoError> {
        if input.mode.uses_psk() == input.psk.is_empty()
            || input.psk.is_empty() != input.psk_id.is_empty()
        {
            return Err(CryptoError::Hpke("inconsistent PSK inputs for the mode"));
        }
        let context = Self::schedule_context(input.mode, input.psk_id, input.info);
        Self::key_schedule_from_context(shared_secret, input.psk, &context)
    }

    /// `mode || psk_id_hash || info_hash`: the part of the key schedule that does not depend on
    /// the shared secret, so a sender sealing to many recipients with one `info` hashes it once.
    fn schedule_context(mode: Mode, psk_id: &[u8], info: &[u8]) -> Vec<u8> {
        let suite_id = Self::suite_id();
        let psk_id_hash = labeled_extract::<K>(&suite_id, &[], b"psk_id_hash", psk_id);
        let info_hash = labeled_extract::<K>(&suite_id, &[], b"info_hash", info);
        let mut context = Vec::with_capacity(1 + 2 * K::HASH_LEN);
        context.push(mode as u8);
        context.extend_from_slice(psk_id_hash.as_bytes());
        context.extend_from_slice(info_hash.as_bytes());
        context
    }

    fn key_schedule_from_context(
        shared_secret: &Secret,
        psk: &[u8],
        context: &[u8],
    ) -> Result<Context<K, A>, CryptoError> {
        let suite_id = Self::suite_id();
        let secret = labeled_extract::<K>(&suite_id, shared_secret.as_bytes(), b"secret", psk);
        Ok(Context {
            key: labeled_expand::<K>(&suite_id, secret.as_bytes(), b"key", context, A::KEY_LEN)?,
            base_nonce: labeled_expand::<K>(
                &suite_id,
                secret.as_bytes(),
                b"base_nonce",
                context,
                A::NONCE_LEN,
            )?
            .as_bytes()
            .to_vec(),
            exporter_secret: labeled_expand::<K>(
                &suite_id,
                secret.as_bytes(),
                b"exp",
                context,
                K::HASH_LEN,
            )?,
            suite_id,
            sequence: 0,
            _suite: PhantomData,
        })
    }

    /// The sender's setup in any mode: `sender` is the sender's key for the auth modes.
    /// Returns `enc` and the context.
    pub fn setup_sender(
        recipient: &D::PublicKey,
        sender: Option<&D::PrivateKey>,
        input: KeyScheduleInput<'_>,
        ikm_e: &[u8],
    ) -> Result<(Vec<u8>, Context<K, A>), CryptoError> {
        let (shared_secret, enc) = match (input.mode, sender) {
            (Mode::Base | Mode::Psk, None) => DhKem::<D, K>::encap(recipient, ikm_e)?,
            (Mode::Auth | Mode::AuthPsk, Some(sender)) => {
                DhKem::<D, K>::auth_encap(recipient, sender, ikm_e)?
            }
            _ => {
                return Err(CryptoError::Hpke(
                    "a sender key goes with the auth modes only",
                ));
            }
        };
        Ok((enc, Self::key_schedule(&shared_secret, input)?))
    }

    /// The recipient's setup in any mode: `sender` is the sender's public key for the auth modes.
    pub fn setup_receiver(
        enc: &[u8],
        recipient: &D::PrivateKey,
        sender: Option<&D::PublicKey>,
        input: KeyScheduleInput<'_>,
    ) -> Result<Context<K, A>, CryptoError> {
        let shared_secret = match (input.mode, sender) {
            (Mode::Base | Mode::Psk, None) => DhKem::<D, K>::decap(enc, recipient)?,
            (Mode::Auth | Mode::AuthPsk, Some(sender)) => {
                DhKem::<D, K>::auth_decap(enc, recipient, sender)?
            }
            _ => {
                return Err(CryptoError::Hpke(
                    "a sender key goes with the auth modes only",
                ));
            }
        };
        Self::key_schedule(&shared_secret, input)
    }
}

impl<D: DhGroup, K: Kdf, A: Aead> Hpke for DhKemHpke<D, K, A> {
    const NAME: &'static str = "artmls generic HPKE";
    const KEM_ID: u16 = D::KEM_ID;
    const KDF_ID: u16 = K::KDF_ID;
    const AEAD_ID: u16 = A::AEAD_ID;

    fn seal_base<R: CryptoRng + ?Sized>(
        recipient: &[u8],
        info: &[u8],
        aad: &[u8],
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<HpkeCiphertext, CryptoError> {
        let recipient = D::public_key_from_bytes(recipient)?;
        let mut ikm_e = Secret::zero(D::PRIVATE_KEY_LEN);
        rng.fill_bytes(ikm_e.as_mut_bytes());
        let input = KeyScheduleInput {
            mode: Mode::Base,
            info,
            psk: &[],
            psk_id: &[],
        };
        let (kem_output, mut context) =
            Self::setup_sender(&recipient, None, input, ikm_e.as_bytes())?;
        let ciphertext = context.seal(aad, plaintext)?;
        Ok(HpkeCiphertext {
            kem_output,
            ciphertext,
        })
    }

    fn seal_base_many<R: CryptoRng + ?Sized>(
        recipients: &[&[u8]],
        info: &[u8],
        aad: &[u8],
        plaintexts: &[&[u8]],
        rng: &mut R,
    ) -> Result<Vec<HpkeCiphertext>, CryptoError> {
        if recipients.len() != plaintexts.len() {
            return Err(CryptoError::Hpke("one plaintext per recipient"));
        }
        // The key schedule's context hashes `info`: once for all recipients.
        let context = Self::schedule_context(Mode::Base, &[], info);
        // Draw every ephemeral key's bytes first, on this thread and in the order (and
        // amounts) of sealing one recipient after the other: recipient i's key parsed, then
        // its `Nsk` bytes drawn. The seals themselves are independent of each other and of
        // `rng`, so they may then run on all cores and still give the same bytes.
        let mut jobs = Vec::with_capacity(recipients.len());
        for (recipient, plaintext) in recipients.iter().zip(plaintexts) {
            let recipient = D::public_key_from_bytes(recipient)?;
            let mut ikm_e = Secret::zero(D::PRIVATE_KEY_LEN);
            rng.fill_bytes(ikm_e.as_mut_bytes());
            jobs.push((recipient, ikm_e, *plaintext));
        }
        // (Encap fails only on a zero DH output, which validated keys rule out; so stopping at
        // the first failure after drawing every ikm, not before, changes nothing in practice.)
        crate::parallel::try_map(&jobs, |(recipient, ikm_e, plaintext)| {
            let (shared_secret, kem_output) = DhKem::<D, K>::encap(recipient, ikm_e.as_bytes())?;
            let mut context = Self::key_schedule_from_context(&shared_secret, &[], &context)?;
            let ciphertext = context.seal(aad, plaintext)?;
            Ok(HpkeCiphertext {
                kem_output,
                ciphertext,
            })
        })
    }

    fn open_base(
        private_key: &[u8],
        kem_output: &[u8],
        info: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let recipient = D::private_key_from_bytes(private_key)?;
        let input = KeyScheduleInput {
            mode: Mode::Base,
            info,
            psk: &[],
            psk_id: &[],
        };
        let mut context = Self::setup_receiver(kem_output, &recipient, None, input)?;
        context.open(aad, ciphertext)
    }
}
