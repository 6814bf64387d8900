//! The setup of a run (not timed): every group created, registered, and filled to its size
//! with real members' KeyPackages, published and claimed through the server.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use artmls::AnyGroup;
use artmls::erased::key_package_from_message;
use artmls::group::GroupConfig;
use artmls_service::ClientError;
use futures_util::future::try_join_all;
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::Shared;

/// The member that drives one group: it made the group, and it alone commits and sends in it,
/// so no submission of the run can lose a race for an epoch.
pub(crate) struct Driver {
    /// The group's number in the run (0 to groups - 1).
    pub index: usize,
    pub group_id: Vec<u8>,
    /// The position the timed phase's first entry gets in the group's log.
    pub start_position: u64,
    /// Shared with the crypto threads that work on it; never contended, as the driver awaits
    /// each piece of work before the next.
    pub member: Arc<Mutex<Member>>,
}

/// A driver's group state and the generator of its keys.
pub(crate) struct Member {
    pub group: AnyGroup,
    pub rng: StdRng,
}

impl Driver {
    /// Runs `work` on the driver's group on a crypto thread.
    pub(crate) async fn with_member<T: Send + 'static>(
        &self,
        shared: &Shared,
        work: impl FnOnce(&mut Member) -> T + Send + 'static,
    ) -> Result<T, String> {
        let member = Arc::clone(&self.member);
        shared
            .crypto(move || {
                let mut member = member
                    .lock()
                    .map_err(|_| "a crypto task failed while holding the group".to_string())?;
                Ok(work(&mut member))
            })
            .await?
    }
}

/// Sends one request once fewer than `--concurrency` are in flight.
/// Like [`request`], and returns the instant the request went out: after it got its slot,
/// so a latency timed from it is the server's and the network's, not the time this
/// generator's own requests waited for a slot.
pub(crate) async fn timed_request<T>(
    shared: &Shared,
    call: impl Future<Output = Result<T, ClientError>>,
) -> Result<(T, Instant), String> {
    let _slot = shared
        .requests
        .acquire()
        .await
        .map_err(|_| "the request slots closed".to_string())?;
    // `call` is a future: nothing is sent before it is polled below.
    let sent = Instant::now();
    let answer = call.await.map_err(|e| e.to_string())?;
    Ok((answer, sent))
}

pub(crate) async fn request<T>(
    shared: &Shared,
    call: impl Future<Output = Result<T, ClientError>>,
) -> Result<T, String> {
    let _slot = shared
        .requests
        .acquire()
        .await
        .map_err(|_| "the request slots closed".to_string())?;
    call.await.map_err(|e| e.to_string())
}

/// Sets up every group, `--concurrency` groups at a time: enough to keep the requests in
/// flight, and few enough that groups finish one after another (the progress means
/// something, and the generator holds few groups' KeyPackages at once). Returns the drivers
/// in group order.
pub(crate) async fn set_up(shared: &Arc<Shared>, at_once: usize) -> Result<Vec<Driver>, String> {
    let slots = Arc::new(Semaphore::new(at_once));
    let mut tasks = JoinSet::new();
    for index in 0..shared.plan.groups {
        let (shared, slots) = (Arc::clone(shared), Arc::clone(&slots));
        tasks.spawn(async move {
            let _slot = slots
                .acquire()
                .await
                .map_err(|_| "the setup slots closed".to_string())?;
            set_up_group(&shared, index)
                .await
                .map_err(|e| format!("setting up group {index}: {e}"))
        });
    }
    let mut drivers = Vec::with_capacity(shared.plan.groups);
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        let driver = joined.map_err(|e| format!("a setup task failed: {e}"))??;
        drivers.push(driver);
        done += 1;
        if done % 100 == 0 && done < shared.plan.groups {
            eprintln!("  {done} of {} groups set up", shared.plan.groups);
        }
    }
    drivers.sort_by_key(|driver| driver.index);
    Ok(drivers)
}

async fn set_up_group(shared: &Shared, index: usize) -> Result<Driver, String> {
    let plan = &shared.plan;
    let server = shared.server_of(index);
    let (provider, suite) = (plan.provider, plan.suite);
    let group_id = format!("load-{}-g{index}", plan.tag).into_bytes();
    let driver_name = format!("load-{}-g{index}-m0", plan.tag).into_bytes();
    // Each group's keys come from its own generator, so they do not depend on which group's
    // setup happens to run first.
    let rng = StdRng::seed_from_u64(plan.seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));

    let id = group_id.clone();
    let (member, group_info) = shared
        .crypto(move || -> Result<_, String> {
            let mut rng = rng;
            let identity = provider
                .identity(suite, &driver_name, &mut rng)
                .map_err(|e| e.to_string())?;
            let group = AnyGroup::create_with_rng(identity, id, GroupConfig::default(), &mut rng)
                .map_err(|e| e.to_string())?;
            let group_info = group.public_group_info().map_err(|e| e.to_string())?;
            Ok((Member { group, rng }, group_info))
        })
        .await??;
    request(shared, server.create_group(&group_info))
        .await
        .map_err(|e| format!("registering the group: {e}"))?;
    let driver = Driver {
        index,
        group_id,
        start_position: 0,
        member: Arc::new(Mutex::new(member)),
    };

    let mut next_member = 1;
    while next_member < plan.members {
        let batch = (plan.members - next_member).min(plan.add_batch);
        add_members(shared, &driver, next_member..next_member + batch).await?;
        next_member += batch;
        // A single large group is set up batch after batch: say how far it is.
        if plan.groups == 1 && next_member < plan.members {
            eprintln!("  {next_member} of {} members added", plan.members);
        }
    }

    // The server must follow the whole tree before the timed phase starts from its end.
    let status = request(shared, server.group(&driver.group_id))
        .await
        .map_err(|e| format!("reading the group's status: {e}"))?;
    if status.members != plan.members as u64 {
        return Err(format!(
            "the server follows {} members, {} were added",
            status.members, plan.members
        ));
    }
    Ok(Driver {
        start_position: status.next_position,
        ..driver
    })
}

/// Members `numbers` make an identity and a KeyPackage each and publish it; the driver claims
/// them back from the server and adds them all in one commit.
async fn add_members(
    shared: &Shared,
    driver: &Driver,
    numbers: std::ops::Range<usize>,
) -> Result<(), String> {
    let plan = &shared.plan;
    let server = shared.server_of(driver.index);
    let (provider, suite) = (plan.provider, plan.suite);
    let names: Vec<Vec<u8>> = numbers
        .map(|number| format!("load-{}-g{}-m{number}", plan.tag, driver.index).into_bytes())
        .collect();

    // The newcomers' keys are drawn from the driver's generator: one generator per group.
    let to_make = names.clone();
    let published: Vec<Vec<u8>> = driver
        .with_member(shared, move |member| -> Result<_, String> {
            let mut messages = Vec::with_capacity(to_make.len());
            for name in &to_make {
                let identity = provider
                    .identity(suite, name, &mut member.rng)
                    .map_err(|e| e.to_string())?;
                let bundle = identity
                    .key_package_with_rng(&mut member.rng)
                    .map_err(|e| e.to_string())?;
                messages.push(bundle.key_package_message().map_err(|e| e.to_string())?);
            }
            Ok(messages)
        })
        .await??;
    try_join_all(
        published
            .iter()
            .map(|key_package| request(shared, server.publish_key_package(key_package))),
    )
    .await
    .map_err(|e| format!("publishing a KeyPackage: {e}"))?;
    let claimed = try_join_all(
        names
            .iter()
            .map(|name| request(shared, server.claim_key_package(name, suite.0))),
    )
    .await
    .map_err(|e| format!("claiming a KeyPackage: {e}"))?;

    let pending = driver
        .with_member(shared, move |member| -> Result<_, String> {
            let key_packages = claimed
                .iter()
                .map(|message| key_package_from_message(message))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("a claimed KeyPackage: {e}"))?;
            member
                .group
                .commit_add_with_rng(&key_packages, &mut member.rng)
                .map_err(|e| e.to_string())
        })
        .await??;
    request(shared, server.submit(&driver.group_id, pending.message()))
        .await
        .map_err(|e| format!("submitting an add of {} members: {e}", names.len()))?;
    driver
        .with_member(shared, move |member| {
            member
                .group
                .merge_pending_commit(pending)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .await?
}
