//! `rfc7748`: X25519 of RFC 7748 §5.2 (single and iterated) and §6.1 (Diffie-Hellman).
//!
//! Cases, by index: each `x25519_single` entry, then each `x25519_iterated.after` entry in
//! increasing iteration count, then `diffie_hellman`. Everything goes through the suite's
//! [`DhGroup`] (`private_key_from_bytes`, `public_key_from_bytes`, `dh`, `public_key`), on
//! suite 1 (ART 0xF001, whose DH group suite 3 shares).
//!
//! The iterated cases are costly (a million X25519 operations); when two backends use the same
//! DH group type (ring composes dalek's X25519), the iteration runs once for that type and both
//! backends are judged on its result.

use std::any::TypeId;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use artmls::{CipherSuite, DhGroup, SuiteId};
use serde::Deserialize;

use crate::runner::FileRun;
use crate::runner::common::{
    CheckResult, SuiteCheck, expect_bytes, step, unhex, x25519_u_is_canonical,
};

const SUITE: SuiteId = SuiteId::X25519_AES128GCM_SHA256_ED25519;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // schema fields: kept so that unknown fields are rejected
struct File {
    source: String,
    x25519_single: Vec<Single>,
    x25519_iterated: Iterated,
    diffie_hellman: DiffieHellman,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Single {
    id: String,
    scalar: String,
    u: String,
    output: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Iterated {
    description: String,
    start: String,
    after: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffieHellman {
    alice_private: String,
    alice_public: String,
    bob_private: String,
    bob_public: String,
    shared_secret: String,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let file: File = serde_json::from_str(text)?;
    let mut index = 0usize;
    for single in &file.x25519_single {
        run.run_suite(
            index,
            SUITE,
            &format!("{}: output matches", single.id),
            single,
        );
        index += 1;
    }
    let mut iterated: Vec<(&String, &String)> = file.x25519_iterated.after.iter().collect();
    iterated.sort_by_key(|(count, _)| (count.len(), count.as_str()));
    for (count, expected) in iterated {
        match count.parse::<u64>() {
            Ok(iterations) => {
                let case = IteratedCase {
                    start: &file.x25519_iterated.start,
                    iterations,
                    expected,
                    computed: Mutex::default(),
                };
                run.run_suite(
                    index,
                    SUITE,
                    &format!("{iterations} iterations: output matches"),
                    &case,
                );
            }
            Err(_) => run.fail(
                index,
                Some(1),
                format!("malformed vector: iteration count `{count}` is not a number"),
            ),
        }
        index += 1;
    }
    run.run_suite(
        index,
        SUITE,
        "Diffie-Hellman: public keys and shared secret match",
        &file.diffie_hellman,
    );
    Ok(())
}

/// X25519(scalar, u) through the DH group's interface.
fn x25519<D: DhGroup>(scalar: &[u8], u: &[u8]) -> Result<Vec<u8>, String> {
    let private = step("private_key_from_bytes", D::private_key_from_bytes(scalar))?;
    let public = step("public_key_from_bytes", D::public_key_from_bytes(u))?;
    let shared = step("dh", D::dh(&private, &public))?;
    Ok(shared.as_bytes().to_vec())
}

impl SuiteCheck for Single {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let scalar = unhex("scalar", &self.scalar)?;
        let u = unhex("u", &self.u)?;
        let output = unhex("output", &self.output)?;
        if x25519_u_is_canonical(&u) {
            return expect_bytes("X25519 output", &x25519::<S::Dh>(&scalar, &u)?, &output);
        }
        // A non-canonical encoding is refused (profile revision 2 §2); the RFC's output is
        // that of the u-coordinate with the top bit cleared, which must be canonical then.
        if x25519::<S::Dh>(&scalar, &u).is_ok() {
            return Err("a non-canonical public key was accepted".into());
        }
        let mut reduced = u.clone();
        if let Some(last) = reduced.last_mut() {
            *last &= 0x7f;
        }
        if !x25519_u_is_canonical(&reduced) {
            return Err("the vector's u is not canonical even with the top bit cleared".into());
        }
        expect_bytes(
            "X25519 output",
            &x25519::<S::Dh>(&scalar, &reduced)?,
            &output,
        )
    }
}

/// The result of an iteration, shared by the backends that use the same DH group type.
type Shared = Arc<OnceLock<Result<Vec<u8>, String>>>;

struct IteratedCase<'a> {
    start: &'a str,
    iterations: u64,
    expected: &'a str,
    computed: Mutex<HashMap<TypeId, Shared>>,
}

impl IteratedCase<'_> {
    fn iterate<D: DhGroup>(&self) -> Result<Vec<u8>, String> {
        let mut k = unhex("start", self.start)?;
        let mut u = k.clone();
        for _ in 0..self.iterations {
            let next = x25519::<D>(&k, &u)?;
            u = std::mem::replace(&mut k, next);
        }
        Ok(k)
    }
}

impl SuiteCheck for IteratedCase<'_> {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let expected = unhex("after", self.expected)?;
        let cell: Shared = {
            let mut computed = self
                .computed
                .lock()
                .map_err(|_| "runner error: a backend panicked while iterating".to_owned())?;
            computed.entry(TypeId::of::<S::Dh>()).or_default().clone()
        };
        let k = cell.get_or_init(|| self.iterate::<S::Dh>()).clone()?;
        expect_bytes(
            &format!("k after {} iterations", self.iterations),
            &k,
            &expected,
        )
    }
}

impl SuiteCheck for DiffieHellman {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let alice_private = unhex("alice_private", &self.alice_private)?;
        let alice_public = unhex("alice_public", &self.alice_public)?;
        let bob_private = unhex("bob_private", &self.bob_private)?;
        let bob_public = unhex("bob_public", &self.bob_public)?;
        let shared = unhex("shared_secret", &self.shared_secret)?;
        for (who, private, public) in [
            ("alice", &alice_private, &alice_public),
            ("bob", &bob_private, &bob_public),
        ] {
            let key = step(
                "private_key_from_bytes",
                S::Dh::private_key_from_bytes(private),
            )?;
            expect_bytes(
                &format!("{who}'s public key"),
                S::Dh::public_key(&key).as_ref(),
                public,
            )?;
        }
        expect_bytes(
            "shared secret (alice's side)",
            &x25519::<S::Dh>(&alice_private, &bob_public)?,
            &shared,
        )?;
        expect_bytes(
            "shared secret (bob's side)",
            &x25519::<S::Dh>(&bob_private, &alice_public)?,
            &shared,
        )
    }
}
