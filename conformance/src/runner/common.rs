//! What every kind handler shares: reporting, backend fan-out, and small helpers.

use std::panic::{AssertUnwindSafe, catch_unwind};

use artmls::{CipherSuite, CryptoError, Provider, SuiteId, SuiteVisitor};

use super::{CaseReport, RunOptions, Status};

/// The outcome of a check on one backend: `Err` holds what went wrong.
pub(crate) type CheckResult = Result<(), String>;

/// A check generic over the suite, run by [`FileRun::run_suite`] on each backend's type.
pub(crate) trait SuiteCheck {
    /// Runs the check with `S` as the suite.
    fn check<S: CipherSuite>(&self) -> CheckResult;
}

/// Adapts a [`SuiteCheck`] to a [`SuiteVisitor`].
pub(crate) struct CheckVisitor<'a, C>(pub &'a C);

impl<C: SuiteCheck> SuiteVisitor for CheckVisitor<'_, C> {
    type Output = CheckResult;

    fn visit<S: CipherSuite>(self) -> CheckResult {
        self.0.check::<S>()
    }
}

/// One file being run: reports its cases and fans checks out to backends.
pub(crate) struct FileRun<'a> {
    file: &'a str,
    options: &'a RunOptions,
    backends: &'a [&'static dyn Provider],
    sink: &'a mut dyn FnMut(CaseReport),
}

impl<'a> FileRun<'a> {
    pub(crate) fn new(
        file: &'a str,
        options: &'a RunOptions,
        backends: &'a [&'static dyn Provider],
        sink: &'a mut dyn FnMut(CaseReport),
    ) -> Self {
        FileRun {
            file,
            options,
            backends,
            sink,
        }
    }

    /// Reports a case.
    pub(crate) fn report(
        &mut self,
        case_id: impl ToString,
        suite: Option<u16>,
        status: Status,
        reason: impl Into<String>,
    ) {
        let reason: String = reason.into();
        // One line per case, whatever a message contains.
        let reason = reason.replace(['\n', '\r'], " ");
        (self.sink)(CaseReport {
            file: self.file.to_owned(),
            case_id: case_id.to_string(),
            suite,
            status,
            reason,
        });
    }

    /// Reports a skipped case.
    pub(crate) fn skip(
        &mut self,
        case_id: impl ToString,
        suite: Option<u16>,
        reason: impl Into<String>,
    ) {
        self.report(case_id, suite, Status::Skip, reason);
    }

    /// Reports a failed case.
    pub(crate) fn fail(
        &mut self,
        case_id: impl ToString,
        suite: Option<u16>,
        reason: impl Into<String>,
    ) {
        self.report(case_id, suite, Status::Fail, reason);
    }

    /// If `--suite` excludes a case that belongs to `suite`, reports it skipped and returns
    /// `true`. Cases that belong to no suite are never excluded.
    pub(crate) fn skip_if_not_selected(
        &mut self,
        case_id: impl ToString,
        suite: Option<u16>,
    ) -> bool {
        match (self.options.suite, suite) {
            (Some(wanted), Some(suite)) if wanted != suite => {
                self.skip(
                    case_id,
                    Some(suite),
                    format!("not selected (--suite {wanted})"),
                );
                true
            }
            _ => false,
        }
    }

    /// For an MLS file's `cipher_suite`: the ART suite with its primitives, or `None` after
    /// reporting the case skipped (unsupported suite, or not selected by `--suite`).
    pub(crate) fn mls_suite(
        &mut self,
        case_id: impl ToString + Copy,
        cipher_suite: u16,
    ) -> Option<SuiteId> {
        if self.skip_if_not_selected(case_id, Some(cipher_suite)) {
            return None;
        }
        match SuiteId::from_mls_suite(cipher_suite) {
            Some(suite) => Some(suite),
            None => {
                self.skip(
                    case_id,
                    Some(cipher_suite),
                    format!("unsupported suite {cipher_suite}: no ART suite has its primitives"),
                );
                None
            }
        }
    }

    /// Runs a case that involves no backend.
    pub(crate) fn run_local(&mut self, case_id: impl ToString, note: &str, result: CheckResult) {
        match result {
            Ok(()) => self.report(case_id, None, Status::Pass, note),
            Err(message) => self.fail(case_id, None, message),
        }
    }

    /// Runs `check` with the type of ART suite `suite` on every selected backend that serves it.
    pub(crate) fn run_suite<C: SuiteCheck + Sync>(
        &mut self,
        case_id: impl ToString + Copy,
        suite: SuiteId,
        note: &str,
        check: &C,
    ) {
        let display = mls_number(suite);
        self.run(case_id, display, &[suite], note, |backend| {
            artmls_providers::visit(backend, suite, CheckVisitor(check))
        });
    }

    /// Runs `check(backend)` on every selected backend that serves all of `needs`, and reports
    /// the case under suite `display`. `check` returns `None` if the backend turned out not to
    /// serve a suite after all.
    pub(crate) fn run(
        &mut self,
        case_id: impl ToString + Copy,
        display: Option<u16>,
        needs: &[SuiteId],
        note: &str,
        check: impl Fn(&'static str) -> Option<CheckResult> + Sync,
    ) {
        let numbers: Vec<u16> = needs
            .iter()
            .filter_map(|suite| mls_number(*suite))
            .collect();
        if let Some(wanted) = self.options.suite
            && !numbers.is_empty()
            && !numbers.contains(&wanted)
        {
            self.skip(case_id, display, format!("not selected (--suite {wanted})"));
            return;
        }
        let serving: Vec<&'static str> = self
            .backends
            .iter()
            .filter(|provider| needs.iter().all(|suite| provider.serves(*suite)))
            .map(|provider| provider.name())
            .collect();
        if serving.is_empty() {
            let what = describe_suites(needs);
            let reason = match &self.options.backend {
                Some(name) => format!("unsupported suite: backend {name} does not serve {what}"),
                None => format!("unsupported suite: no backend serves {what}"),
            };
            self.skip(case_id, display, reason);
            return;
        }
        let failures: Vec<String> = run_on_each(&serving, &check)
            .into_iter()
            .zip(&serving)
            .filter_map(|(outcome, backend)| {
                let message = match outcome {
                    Ok(Some(Ok(()))) => return None,
                    Ok(Some(Err(message))) => message,
                    Ok(None) => format!(
                        "the backend lists {} but its visit did not run",
                        describe_suites(needs)
                    ),
                    Err(panic) => format!("panicked: {panic}"),
                };
                Some(format!("[{backend}] {message}"))
            })
            .collect();
        if failures.is_empty() {
            self.report(
                case_id,
                display,
                Status::Pass,
                format!("{note} on {}", serving.join(",")),
            );
        } else {
            self.fail(case_id, display, failures.join("; "));
        }
    }
}

/// Runs `check` on each backend, on one thread per backend when there are several (a slow
/// case, such as a million X25519 iterations, then costs the time of the slowest backend), and
/// turns a panic into an error.
fn run_on_each(
    backends: &[&'static str],
    check: &(impl Fn(&'static str) -> Option<CheckResult> + Sync),
) -> Vec<Result<Option<CheckResult>, String>> {
    let guarded = |backend: &'static str| {
        catch_unwind(AssertUnwindSafe(|| check(backend)))
            .map_err(|payload| panic_message(payload.as_ref()))
    };
    if backends.len() < 2 {
        return backends.iter().map(|backend| guarded(backend)).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = backends
            .iter()
            .map(|backend| scope.spawn(|| guarded(backend)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|payload| Err(panic_message(payload.as_ref())))
            })
            .collect()
    })
}

fn describe_suites(suites: &[SuiteId]) -> String {
    suites
        .iter()
        .map(|suite| match mls_number(*suite) {
            Some(number) => format!("suite {number} ({:#06x})", suite.0),
            None => format!("suite {:#06x}", suite.0),
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_owned()
    }
}

/// The RFC 9420 number of an ART suite.
pub(crate) fn mls_number(suite: SuiteId) -> Option<u16> {
    suite.info().map(|info| info.mls_suite)
}

/// Decodes a hex field of a vector.
pub(crate) fn unhex(field: &str, text: &str) -> Result<Vec<u8>, String> {
    hex::decode(text)
        .map_err(|error| format!("malformed vector: field `{field}` is not hex ({error})"))
}

/// Hex for a message, shortened to keep a report on one readable line.
pub(crate) fn short_hex(bytes: &[u8]) -> String {
    const LIMIT: usize = 48;
    if bytes.len() <= LIMIT {
        hex::encode(bytes)
    } else {
        format!("{}..({} bytes)", hex::encode(&bytes[..LIMIT]), bytes.len())
    }
}

/// `Ok` if `got == want`, else a message naming `what` and both values.
pub(crate) fn expect_bytes(what: &str, got: &[u8], want: &[u8]) -> CheckResult {
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "{what}: got {}, expected {}",
            short_hex(got),
            short_hex(want)
        ))
    }
}

/// Turns a library error into a message naming the step that failed.
pub(crate) fn step<T>(what: &str, result: Result<T, CryptoError>) -> Result<T, String> {
    result.map_err(|error| format!("{what} failed: {error}"))
}

/// What a policy demands of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Demand {
    /// The operation must succeed with exactly the expected output.
    Match,
    /// The operation must be rejected somewhere along the way.
    Reject,
    /// Either is fine, but an accepted operation must give exactly the expected output.
    MatchIfAccepted,
}

impl Demand {
    /// Judges an attempt: `attempt` is `Err(step)` if the input was rejected at `step`, or
    /// `Ok(check)` with the comparison of the output against the expected one.
    pub(crate) fn judge(self, attempt: Result<CheckResult, String>) -> CheckResult {
        match (self, attempt) {
            (Demand::Match, Ok(compared)) => compared,
            (Demand::Match, Err(rejected)) => {
                Err(format!("rejected a case that must pass: {rejected}"))
            }
            (Demand::Reject, Err(_)) => Ok(()),
            (Demand::Reject, Ok(_)) => Err("accepted a case that must be rejected".to_owned()),
            (Demand::MatchIfAccepted, Ok(compared)) => compared,
            (Demand::MatchIfAccepted, Err(_)) => Ok(()),
        }
    }

    /// A few words for the PASS line.
    pub(crate) fn note(self) -> &'static str {
        match self {
            Demand::Match => "output matches",
            Demand::Reject => "rejected",
            Demand::MatchIfAccepted => "rejected or output matches",
        }
    }
}

/// Whether a 32-byte X25519 public key is in canonical form: the top bit clear and the
/// little-endian u-coordinate below p = 2^255 - 19. The profile (revision 2 §2) refuses the
/// other encodings, which RFC 7748 would reduce: a key that only some members refused would
/// split the group.
pub(crate) fn x25519_u_is_canonical(u: &[u8]) -> bool {
    let Ok(u) = <[u8; 32]>::try_from(u) else {
        return false;
    };
    if u[31] & 0x80 != 0 {
        return false;
    }
    // With the top bit clear, u >= p exactly when u is p..2^255-1: 0x7f, thirty 0xff, >= 0xed.
    let at_least_p = u[31] == 0x7f && u[1..31].iter().all(|b| *b == 0xff) && u[0] >= 0xed;
    !at_least_p
}
