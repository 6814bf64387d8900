//! PrivateMessage protection of a 1 KiB application message, for every backend and suite.
//!
//! `cargo bench -p artmls-benches --bench messages`; ids are `<group>/<backend>/<suite>`:
//! - `private_message_encrypt_1KiB`: sign the content (`FramedContentTBS`) and encrypt it with
//!   the next key of the sender's application ratchet (one ratchet step, content and sender-data
//!   AEAD), as a member sending application data does;
//! - `private_message_decrypt_1KiB`: decrypt and authenticate it on a receiver whose ratchet for
//!   the sender is already set up (sender data, one ratchet step, content AEAD, signature).

use std::hint::black_box;
use std::time::Duration;

use artmls::internals::framing::{Padding, decrypt_private, encrypt_private, sign_content};
use artmls::internals::key_schedule::EpochSecrets;
use artmls::internals::secret_tree::{RatchetKind, SecretTree};
use artmls::messages::{Content, FramedContent, GroupContext, Sender, WireFormat};
use artmls::tree_math::LeafIndex;
use artmls::{CipherSuite, Secret, SignatureScheme, SuiteId, SuiteVisitor};
use artmls_benches::{backend_suites, suite_label};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;

const N_LEAVES: u32 = 8;
const SENDER: LeafIndex = LeafIndex(3);

struct Messages<'a> {
    c: &'a mut Criterion,
    backend: &'static str,
    suite: SuiteId,
}

impl SuiteVisitor for Messages<'_> {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        let label = format!("{}/{}", self.backend, suite_label(self.suite));
        let mut rng = StdRng::seed_from_u64(11);
        let c = self.c;

        let context =
            GroupContext::new(S::ID, b"bench group".to_vec(), 1, vec![1; 32], vec![2; 32]);
        let epoch = EpochSecrets::<S>::derive(
            &Secret::new(vec![3; 32]),
            &Secret::new(vec![4; 32]),
            None,
            &context,
        )
        .expect("key schedule");
        let signing_key = S::Signature::generate_signing_key(&mut rng);
        let verifying_key = S::Signature::verifying_key(&signing_key);
        let content = FramedContent {
            group_id: context.group_id.clone(),
            epoch: context.epoch,
            sender: Sender::Member(SENDER),
            authenticated_data: Vec::new(),
            content: Content::<artmls::messages::Commit>::Application(vec![0x5a; 1024]),
        };
        let new_tree =
            || SecretTree::<S>::new(epoch.encryption_secret.clone(), N_LEAVES).expect("tree");

        let mut sender_tree = new_tree();
        c.benchmark_group("private_message_encrypt_1KiB")
            .bench_function(&label, |b| {
                b.iter(|| {
                    let signed = sign_content::<S, _>(
                        WireFormat::PrivateMessage,
                        black_box(content.clone()),
                        &context,
                        &signing_key,
                        None,
                    )
                    .expect("sign");
                    encrypt_private::<S, _, _>(
                        &signed,
                        &mut sender_tree,
                        &epoch.sender_data_secret,
                        Padding::None,
                        &mut rng,
                    )
                    .expect("encrypt")
                })
            });

        // The message of generation 1; each receiver has consumed generation 0, so its
        // ratchet for the sender exists and the measured decryption is the steady state.
        let signed = sign_content::<S, _>(
            WireFormat::PrivateMessage,
            content.clone(),
            &context,
            &signing_key,
            None,
        )
        .expect("sign");
        let mut tree = new_tree();
        tree.next_send_key(SENDER, RatchetKind::Application)
            .expect("generation 0");
        let message = encrypt_private::<S, _, _>(
            &signed,
            &mut tree,
            &epoch.sender_data_secret,
            Padding::None,
            &mut rng,
        )
        .expect("encrypt");
        c.benchmark_group("private_message_decrypt_1KiB")
            .bench_function(&label, |b| {
                b.iter_batched(
                    || {
                        let mut receiver = new_tree();
                        receiver
                            .take_key(SENDER, RatchetKind::Application, 0)
                            .expect("generation 0");
                        receiver
                    },
                    |mut receiver| {
                        decrypt_private::<S, artmls::messages::Commit>(
                            black_box(&message),
                            &mut receiver,
                            &epoch.sender_data_secret,
                            &context,
                            |_| Some(verifying_key.clone()),
                        )
                        .expect("decrypt")
                    },
                    BatchSize::SmallInput,
                )
            });
    }
}

fn messages(c: &mut Criterion) {
    for (backend, suite) in backend_suites(&[]) {
        artmls_providers::visit(
            backend,
            suite,
            Messages {
                c: &mut *c,
                backend,
                suite,
            },
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
    targets = messages
}
criterion_main!(benches);
