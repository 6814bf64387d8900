//! Providers that serve the same suite agree byte for byte: what one derives, hashes, encrypts
//! or signs, every other reproduces or accepts. A member may run any provider, so a group whose
//! members disagree here would split.

use artmls_crypto::test_suite::rng::seeded;
use artmls_crypto::{
    Aead, CipherSuite, DhGroup, HashFunction, Hpke, Kdf, SignatureScheme, SuiteId, SuiteVisitor,
};

/// Fixed inputs, the same for every provider.
const IKM: [u8; 32] = [0x42; 32];
const PEER_IKM: [u8; 32] = [0x24; 32];
/// A valid Ed25519 seed and P-256 scalar (below the group order).
const SIGNING_KEY: [u8; 32] = [0x11; 32];
const MESSAGE: &[u8] = b"providers of one suite agree";

/// Everything a provider produces from the fixed inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outputs {
    public_key: Vec<u8>,
    shared_secret: Vec<u8>,
    hash: Vec<u8>,
    mac: Vec<u8>,
    prk: Vec<u8>,
    okm: Vec<u8>,
    aead_ciphertext: Vec<u8>,
    hpke_kem_output: Vec<u8>,
    hpke_ciphertext: Vec<u8>,
    verifying_key: Vec<u8>,
    /// Not compared: ECDSA signatures of ring and aws-lc are randomised. Checked by the others.
    signature: Vec<u8>,
}

struct Produce;

impl SuiteVisitor for Produce {
    type Output = Outputs;

    fn visit<S: CipherSuite>(self) -> Outputs {
        let (private, public) =
            S::Dh::derive_key_pair::<S::Kdf>(&IKM).expect("DeriveKeyPair of fixed ikm");
        let (_, peer) = S::Dh::derive_key_pair::<S::Kdf>(&PEER_IKM).expect("peer key pair");
        let shared = S::Dh::dh(&private, &peer).expect("DH with a valid peer");
        let prk = S::Kdf::extract(b"salt", &IKM);
        let okm = S::Kdf::expand(prk.as_bytes(), b"info", 42).expect("42 bytes");
        let key = vec![7u8; S::Aead::KEY_LEN];
        let nonce = vec![9u8; S::Aead::NONCE_LEN];
        let aead_ciphertext = S::Aead::seal(&key, &nonce, b"aad", MESSAGE).expect("seal");
        // HPKE is a function of the RNG's bytes (the `Hpke` contract), so one seed gives one
        // ciphertext whichever provider seals.
        let hpke = S::Hpke::seal_base(peer.as_ref(), b"info", b"aad", MESSAGE, &mut seeded(5))
            .expect("HPKE seal to a valid key");
        let signing = S::Signature::signing_key_from_bytes(&SIGNING_KEY).expect("fixed key");
        let verifying = S::Signature::verifying_key(&signing);
        Outputs {
            public_key: public.as_ref().to_vec(),
            shared_secret: shared.as_bytes().to_vec(),
            hash: S::Hash::hash(MESSAGE),
            mac: S::Hash::mac(b"key", MESSAGE),
            prk: prk.as_bytes().to_vec(),
            okm: okm.as_bytes().to_vec(),
            aead_ciphertext,
            hpke_kem_output: hpke.kem_output,
            hpke_ciphertext: hpke.ciphertext,
            verifying_key: S::Signature::verifying_key_to_bytes(&verifying),
            signature: S::Signature::sign(&signing, MESSAGE).expect("sign"),
        }
    }
}

/// Checks another provider's outputs with this provider's code: its signature verifies and
/// its HPKE ciphertext opens.
struct Accept<'a>(&'a Outputs);

impl SuiteVisitor for Accept<'_> {
    type Output = Result<(), String>;

    fn visit<S: CipherSuite>(self) -> Result<(), String> {
        let theirs = self.0;
        let verifying = S::Signature::verifying_key_from_bytes(&theirs.verifying_key)
            .map_err(|e| format!("verifying key refused: {e}"))?;
        S::Signature::verify(&verifying, MESSAGE, &theirs.signature)
            .map_err(|e| format!("signature refused: {e}"))?;
        let (peer_private, _) =
            S::Dh::derive_key_pair::<S::Kdf>(&PEER_IKM).map_err(|e| e.to_string())?;
        let opened = S::Hpke::open_base(
            S::Dh::private_key_to_bytes(&peer_private).as_bytes(),
            &theirs.hpke_kem_output,
            b"info",
            b"aad",
            &theirs.hpke_ciphertext,
        )
        .map_err(|e| format!("HPKE open failed: {e}"))?;
        if opened != MESSAGE {
            return Err("HPKE opened to other bytes".into());
        }
        Ok(())
    }
}

fn without_signature(outputs: &Outputs) -> Outputs {
    Outputs {
        signature: Vec::new(),
        ..outputs.clone()
    }
}

#[test]
fn providers_of_a_suite_agree() {
    for suite in SuiteId::ALL {
        let providers = artmls_providers::serving(suite);
        assert!(
            providers.len() >= 2,
            "{suite}: too few providers to compare"
        );
        let outputs: Vec<(&str, Outputs)> = providers
            .iter()
            .map(|provider| {
                let name = provider.name();
                let produced = artmls_providers::visit(name, suite, Produce)
                    .unwrap_or_else(|| panic!("{name} does not visit {suite}"));
                (name, produced)
            })
            .collect();
        let (first, reference) = &outputs[0];
        for (name, produced) in &outputs {
            assert_eq!(
                without_signature(produced),
                without_signature(reference),
                "{suite}: {name} and {first} differ"
            );
            for verifier in &providers {
                let accepted = artmls_providers::visit(verifier.name(), suite, Accept(produced))
                    .unwrap_or_else(|| panic!("{} does not visit {suite}", verifier.name()));
                assert_eq!(
                    accepted,
                    Ok(()),
                    "{suite}: {} refuses what {name} produced",
                    verifier.name()
                );
            }
        }
    }
}
