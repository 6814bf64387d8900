//! The seed corpus of every target, made from the fixture: real messages, KeyPackages,
//! Welcomes, GroupInfos, trees and persisted states. `make-corpus` writes it to
//! `fuzz/corpus/<target>/`; it is a function of the fixture's seed alone.

use artmls::codec::{Decode, Encode};
use artmls::group::ArtCommit;
use artmls::messages::{GroupInfo, KeyPackage, MlsMessage};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::fixture::Fixture;

/// One seed: a file name (without directory) and its bytes.
pub type Seed = (String, Vec<u8>);

/// The seeds of the target named `target` (empty for an unknown name).
pub fn seeds(target: &str) -> Vec<Seed> {
    let fixture = Fixture::get();
    let messages = || {
        fixture
            .messages
            .iter()
            .map(|sample| (sample.name.to_string(), sample.bytes.clone()))
    };
    let welcomes = || {
        fixture
            .welcomes
            .iter()
            .enumerate()
            .map(|(i, bytes)| (format!("welcome-{i}"), bytes.clone()))
    };
    match target {
        "decode_message" => {
            let mut seeds: Vec<Seed> = messages().chain(welcomes()).collect();
            for (i, bytes) in fixture.key_packages.iter().enumerate() {
                let key_package = KeyPackage::decode_exact(bytes).expect("a real KeyPackage");
                seeds.push((
                    format!("key-package-{i}"),
                    wrap(MlsMessage::KeyPackage(key_package)),
                ));
            }
            for (i, bytes) in fixture.group_infos.iter().enumerate() {
                let group_info = GroupInfo::decode_exact(bytes).expect("a real GroupInfo");
                seeds.push((
                    format!("group-info-{i}"),
                    wrap(MlsMessage::GroupInfo(group_info)),
                ));
            }
            seeds
        }
        "decode_key_package" => numbered("key-package", &fixture.key_packages),
        "decode_welcome" => {
            let bare: Vec<Vec<u8>> = fixture
                .welcomes
                .iter()
                .map(|bytes| match MlsMessage::<ArtCommit>::decode_exact(bytes) {
                    Ok(MlsMessage::Welcome(welcome)) => {
                        welcome.encode_to_vec().expect("a real Welcome encodes")
                    }
                    _ => panic!("the fixture's Welcomes are Welcomes"),
                })
                .collect();
            numbered("welcome", &bare)
        }
        "decode_group_info" => numbered("group-info", &fixture.group_infos),
        "decode_ratchet_tree" => numbered("ratchet-tree", &fixture.ratchet_trees),
        "group_from_bytes" => {
            let states: Vec<Vec<u8>> = fixture
                .states
                .iter()
                .map(|state| state.as_bytes().to_vec())
                .collect();
            numbered("state", &states)
        }
        "process_message" => messages().chain(welcomes().take(1)).collect(),
        "process_message_structured" => {
            // Inputs for `arbitrary`: the first byte picks the real message, the second says
            // whether to re-sign, the rest are edits. Every base bare, then random edits.
            let mut seeds: Vec<Seed> = (0..fixture.messages.len())
                .flat_map(|base| {
                    let base = u8::try_from(base).expect("few messages");
                    [
                        (format!("base-{base:02}"), vec![base, 0]),
                        (format!("base-{base:02}-resigned"), vec![base, 1]),
                    ]
                })
                .collect();
            let mut rng = StdRng::seed_from_u64(crate::fixture::SEED);
            for i in 0..16 {
                let len = rng.random_range(8..64);
                let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
                seeds.push((format!("random-edits-{i:02}"), bytes));
            }
            seeds
        }
        "join" => welcomes().chain(messages().take(1)).collect(),
        _ => Vec::new(),
    }
}

fn wrap(message: MlsMessage<ArtCommit>) -> Vec<u8> {
    message.encode_to_vec().expect("a real message encodes")
}

fn numbered(prefix: &str, items: &[Vec<u8>]) -> Vec<Seed> {
    items
        .iter()
        .enumerate()
        .map(|(i, bytes)| (format!("{prefix}-{i:02}"), bytes.clone()))
        .collect()
}
