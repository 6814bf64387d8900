//! `rfc5869`: HKDF-SHA256 test cases of RFC 5869 appendix A, through the suite's [`Kdf`]:
//! `prk == Extract(salt, ikm)` (an empty salt is "not provided", i.e. HashLen zero bytes, as
//! the trait defines it) and `okm == Expand(prk, info, length)`. Suite 1 (ART 0xF001); every
//! ART suite uses HKDF-SHA256.

use artmls::{CipherSuite, Kdf, SuiteId};
use serde::Deserialize;

use crate::runner::FileRun;
use crate::runner::common::{CheckResult, SuiteCheck, expect_bytes, step, unhex};

const SUITE: SuiteId = SuiteId::X25519_AES128GCM_SHA256_ED25519;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // schema fields: kept so that unknown fields are rejected
struct File {
    source: String,
    tests: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    ikm: String,
    salt: String,
    info: String,
    length: usize,
    prk: String,
    okm: String,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let file: File = serde_json::from_str(text)?;
    for (index, case) in file.tests.iter().enumerate() {
        run.run_suite(
            index,
            SUITE,
            &format!("{}: PRK and OKM match", case.id),
            case,
        );
    }
    Ok(())
}

impl SuiteCheck for Case {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let ikm = unhex("ikm", &self.ikm)?;
        let salt = unhex("salt", &self.salt)?;
        let info = unhex("info", &self.info)?;
        let prk = unhex("prk", &self.prk)?;
        let okm = unhex("okm", &self.okm)?;
        let computed_prk = S::Kdf::extract(&salt, &ikm);
        expect_bytes("PRK", computed_prk.as_bytes(), &prk)?;
        let computed_okm = step("expand", S::Kdf::expand(&prk, &info, self.length))?;
        expect_bytes("OKM", computed_okm.as_bytes(), &okm)
    }
}
