//! A chat between Alice, Bob and Carol over the in-memory ordering service.
//!
//! `cargo run -p artmls --example chat`
//!
//! Alice creates the group with Bob and Carol in one commit. Each member reads the group's
//! messages from the service in the order it accepted them. Bob and Carol update first (their
//! leaf keys came from Alice); Bob and Carol then try to commit at the same time: the service
//! takes the first and refuses the second, whose sender catches up and commits again.

use artmls::group::{Group, GroupConfig, GroupError, Identity, Received};
use artmls::ordering::{OrderingError, OrderingService};
use rand::SeedableRng;
use rand::rngs::StdRng;

type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;

/// One person: a group state, how far it has read the group's log, and the positions of its
/// own messages there (already applied when sent).
struct Person {
    name: &'static str,
    group: Group<Suite>,
    read: usize,
    sent: Vec<usize>,
}

impl Person {
    /// Reads and processes everything new in the group's log (skipping its own messages).
    fn catch_up(&mut self, service: &OrderingService<Suite>) -> Result<(), GroupError> {
        let messages = service.fetch(self.group.group_id(), self.read).to_vec();
        let first = self.read;
        self.read += messages.len();
        for (position, message) in (first..).zip(messages) {
            if self.sent.contains(&position) {
                continue;
            }
            match self.group.process_message(&message)? {
                Received::Application { sender, data } => {
                    let from = self.group.members().find(|(leaf, _)| *leaf == sender);
                    let from = from.map_or("?".to_string(), |(_, leaf_node)| name_of(leaf_node));
                    println!(
                        "  {:>5} reads  {from}: {}",
                        self.name,
                        String::from_utf8_lossy(&data)
                    );
                }
                Received::Commit(summary) => {
                    println!("  {:>5} enters epoch {}", self.name, summary.epoch);
                }
                Received::Removed { .. } => println!("  {:>5} was removed", self.name),
            }
        }
        Ok(())
    }

    fn say(
        &mut self,
        service: &mut OrderingService<Suite>,
        text: &str,
        rng: &mut StdRng,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let message = self
            .group
            .encrypt_application_with_rng(text.as_bytes(), rng)?;
        self.sent.push(service.submit(&message)?);
        println!("  {:>5} says   {text}", self.name);
        Ok(())
    }

    fn update(
        &mut self,
        service: &mut OrderingService<Suite>,
        rng: &mut StdRng,
    ) -> Result<bool, Box<dyn std::error::Error>> {
        let pending = self.group.commit_update_with_rng(rng)?;
        match service.submit(pending.message()) {
            Ok(position) => {
                self.sent.push(position);
                self.group.merge_pending_commit(pending)?;
                println!(
                    "  {:>5} updated its leaf: epoch {}",
                    self.name,
                    self.group.epoch()
                );
                Ok(true)
            }
            Err(OrderingError::StaleEpoch { .. }) => {
                println!(
                    "  {:>5} lost the race for epoch {}: it will catch up and retry",
                    self.name,
                    self.group.epoch()
                );
                Ok(false)
            }
            Err(error) => Err(error.into()),
        }
    }
}

fn name_of(leaf_node: &artmls::messages::LeafNode) -> String {
    match &leaf_node.credential {
        artmls::messages::Credential::Basic { identity } => {
            String::from_utf8_lossy(identity).into_owned()
        }
        artmls::messages::Credential::X509 { .. } => "x509".into(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = StdRng::seed_from_u64(2017);
    let mut service = OrderingService::new();

    let alice = Identity::<Suite>::new_with_rng("alice", &mut rng);
    let bob = Identity::<Suite>::new_with_rng("bob", &mut rng);
    let carol = Identity::<Suite>::new_with_rng("carol", &mut rng);
    let bob_key_package = bob.key_package_with_rng(&mut rng)?;
    let carol_key_package = carol.key_package_with_rng(&mut rng)?;

    println!("alice creates the group with bob and carol (one commit, one Welcome)");
    let key_packages = [
        bob_key_package.key_package().clone(),
        carol_key_package.key_package().clone(),
    ];
    let (alice_group, welcome) = Group::initiate_with_rng(
        alice,
        b"chat".to_vec(),
        &key_packages,
        GroupConfig::default(),
        &mut rng,
    )?;
    service.create_group(&alice_group.public_group_info()?)?;
    let mut people = [
        Person {
            name: "alice",
            group: alice_group,
            read: 0,
            sent: Vec::new(),
        },
        Person {
            name: "bob",
            group: Group::join(&welcome, &bob_key_package, bob, GroupConfig::default())?,
            read: 0,
            sent: Vec::new(),
        },
        Person {
            name: "carol",
            group: Group::join(&welcome, &carol_key_package, carol, GroupConfig::default())?,
            read: 0,
            sent: Vec::new(),
        },
    ];

    println!("bob and carol update first: alice chose their leaf keys");
    people[1].update(&mut service, &mut rng)?;
    for person in people.iter_mut() {
        person.catch_up(&service)?;
    }
    // Carol commits on the epoch she is at; had she not caught up, the service would refuse it.
    people[2].update(&mut service, &mut rng)?;
    for person in people.iter_mut() {
        person.catch_up(&service)?;
    }

    people[0].say(&mut service, "hello both", &mut rng)?;
    people[1].say(&mut service, "hi alice", &mut rng)?;
    for person in people.iter_mut() {
        person.catch_up(&service)?;
    }

    println!("bob and carol commit at the same time");
    let bob_won = people[1].update(&mut service, &mut rng)?;
    let carol_won = people[2].update(&mut service, &mut rng)?;
    assert!(bob_won && !carol_won);
    for person in people.iter_mut() {
        person.catch_up(&service)?;
    }
    assert!(
        people[2].update(&mut service, &mut rng)?,
        "carol's second try is accepted"
    );
    for person in people.iter_mut() {
        person.catch_up(&service)?;
    }
    people[2].say(&mut service, "made it", &mut rng)?;
    for person in people.iter_mut() {
        person.catch_up(&service)?;
    }

    let authenticators: Vec<_> = people
        .iter()
        .map(|p| p.group.epoch_authenticator().clone())
        .collect();
    assert!(authenticators.windows(2).all(|pair| pair[0] == pair[1]));
    println!(
        "all three agree on epoch {} and its authenticator",
        people[0].group.epoch()
    );
    Ok(())
}
