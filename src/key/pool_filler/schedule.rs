//! The fair refill: which spec the filler generates a key for next, and when a spec starts and
//! stops being refilled (the policy is documented on `PoolFiller`, under "Refill").

use crate::key::pool_filler::shared::{SPEC_COUNT, State};
use crate::policy::names::WrappingKeySpec;

/// Updates the refill hysteresis: a spec starts being refilled when it needs a refill and stops
/// when it reaches its high watermark. Called under the lock after every change that can start or
/// end a refill (a key taken or added, watermarks set), so a spec that reached `high` for an
/// instant is not refilled past `low` again.
///
/// A spec that starts being refilled is charged as much generation time as the least charged spec
/// already being refilled: it gets no credit for the time it was idle, and carries no debt from
/// earlier refills.
pub(super) fn refresh_refilling(state: &mut State) {
    for (i, &spec) in WrappingKeySpec::ALL.iter().enumerate().take(SPEC_COUNT) {
        let was = state.refilling[i];
        let now = (was || state.pool.needs_refill(spec)) && state.pool.deficit(spec) > 0;
        if now && !was {
            let least = (0..SPEC_COUNT)
                .filter(|&j| j != i && state.refilling[j])
                .map(|j| state.served[j])
                .min();
            if let Some(least) = least {
                state.served[i] = least;
            }
        }
        state.refilling[i] = now;
    }
}

/// The next spec to generate a key for, and its index: of the specs being refilled, the one
/// charged the least generation time (ties: in turn). Every spec under demand thus gets an equal
/// share of the filler's time, and one that starts being refilled waits at most for the keygen in
/// progress and one key of each other spec being refilled.
pub(super) fn next_spec(state: &mut State) -> Option<(usize, WrappingKeySpec)> {
    refresh_refilling(state);
    let mut best: Option<usize> = None;
    for k in 0..SPEC_COUNT {
        let i = (state.next + k) % SPEC_COUNT;
        if state.refilling[i] && best.is_none_or(|b| state.served[i] < state.served[b]) {
            best = Some(i);
        }
    }
    let i = best?;
    state.next = (i + 1) % SPEC_COUNT;
    Some((i, *WrappingKeySpec::ALL.get(i)?))
}
