//! The aws-lc provider passes the artmls-crypto test suite: every suite it serves, every
//! component, the known answers of the standards and the refusal of bad input, in one call.
//! aws-lc signs ECDSA with random nonces; the suite sees that and checks RFC 6979's signature
//! by verification only.

use artmls_aws_lc::AwsLc;
use artmls_crypto::{Backend, SuiteId};

#[test]
fn passes_the_artmls_crypto_test_suite() {
    artmls_crypto::test_suite::verify_provider(&artmls_aws_lc::PROVIDER);
}

#[test]
fn is_called_aws_lc_and_serves_every_suite() {
    assert_eq!(AwsLc::NAME, "aws-lc");
    assert_eq!(AwsLc::SUITES, SuiteId::ALL);
}
