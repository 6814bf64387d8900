//! Sealing to many recipients at once gives exactly what sealing to each in turn gives.

use artmls::{CipherSuite, CryptoError, DhGroup, Hpke, SuiteVisitor};
use artmls_conformance::rng::seeded;
use artmls_providers::{all as providers, visit};

struct Check;

impl SuiteVisitor for Check {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        let mut rng = seeded(9);
        let keys: Vec<_> = (0..5).map(|_| S::Dh::generate_key_pair(&mut rng)).collect();
        let publics: Vec<Vec<u8>> = keys
            .iter()
            .map(|(_, public)| public.as_ref().to_vec())
            .collect();
        let recipients: Vec<&[u8]> = publics.iter().map(Vec::as_slice).collect();
        let plaintexts: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 40 + usize::from(i)]).collect();
        let plaintext_refs: Vec<&[u8]> = plaintexts.iter().map(Vec::as_slice).collect();
        let info = vec![0x17; 70_000];

        let many =
            S::Hpke::seal_base_many(&recipients, &info, b"aad", &plaintext_refs, &mut seeded(3))
                .unwrap();
        let mut one_rng = seeded(3);
        let one_by_one: Vec<_> = recipients
            .iter()
            .zip(&plaintext_refs)
            .map(|(recipient, plaintext)| {
                S::Hpke::seal_base(recipient, &info, b"aad", plaintext, &mut one_rng).unwrap()
            })
            .collect();
        assert_eq!(many, one_by_one, "{}", S::ID);
        for ((private, _), (sealed, plaintext)) in keys.iter().zip(many.iter().zip(&plaintexts)) {
            let private = S::Dh::private_key_to_bytes(private);
            let opened = S::Hpke::open_base(
                private.as_bytes(),
                &sealed.kem_output,
                &info,
                b"aad",
                &sealed.ciphertext,
            )
            .unwrap();
            assert_eq!(&opened, plaintext);
        }
        assert!(matches!(
            S::Hpke::seal_base_many(
                &recipients,
                &info,
                b"",
                &plaintext_refs[..2],
                &mut seeded(3)
            ),
            Err(CryptoError::Hpke(_))
        ));
    }
}

#[test]
fn seal_base_many_equals_seal_base_in_order_on_every_backend() {
    let mut ran = 0;
    for entry in providers() {
        for suite in entry.suites() {
            assert!(visit(entry.name(), *suite, Check).is_some());
            ran += 1;
        }
    }
    assert_eq!(
        ran,
        providers().iter().map(|p| p.suites().len()).sum::<usize>(),
        "every (provider, suite) pair of the list ran"
    );
}
