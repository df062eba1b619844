//! Who gets a queued interaction. The rule is pure; the store applies it inside one
//! transaction, and the [`Router`] task runs it whenever something may have changed.

use std::sync::Arc;
use std::time::Duration;

use parley_proto::Id;
use tokio::sync::{Notify, watch};

use crate::store::Store;

/// A Ready agent as routing sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub agent_id: Id,
    /// Max concurrent interactions.
    pub capacity: i64,
    /// Interactions offered to or held by the agent now.
    pub load: i64,
    /// When the agent was last offered something (ms), for fairness.
    pub last_offered_at: i64,
}

impl Candidate {
    fn is_free(&self) -> bool {
        self.load < self.capacity
    }
}

/// Picks the candidate for an interaction: the contact's assigned agent when Ready with free
/// capacity, else the free agent with the lowest load, longest-waiting first. `None` when
/// every Ready agent is full (or nobody is Ready): the interaction stays queued.
#[must_use]
pub fn choose(assigned_agent_id: Option<Id>, candidates: &[Candidate]) -> Option<usize> {
    if let Some(assigned) = assigned_agent_id
        && let Some(index) = candidates
            .iter()
            .position(|candidate| candidate.agent_id == assigned && candidate.is_free())
    {
        return Some(index);
    }
    candidates
        .iter()
        .enumerate()
        .filter(|(_, candidate)| candidate.is_free())
        .min_by_key(|(_, candidate)| {
            (
                candidate.load,
                candidate.last_offered_at,
                candidate.agent_id,
            )
        })
        .map(|(index, _)| index)
}

/// Runs routing passes: on [`Router::kick`], and every `sweep` as a safety net.
#[derive(Clone)]
pub struct Router {
    wake: Arc<Notify>,
}

impl Router {
    /// Starts the routing task.
    #[must_use]
    pub fn spawn(
        store: Store,
        timing: crate::config::RoutingConfig,
        mut stopping: watch::Receiver<bool>,
    ) -> Self {
        let wake = Arc::new(Notify::new());
        let task_wake = Arc::clone(&wake);
        let sweep = Duration::from_millis(timing.sweep_interval_ms);
        let offer_timeout = i64::try_from(timing.offer_timeout_ms).unwrap_or(i64::MAX);
        let inactivity_timeout = i64::try_from(timing.inactivity_timeout_ms).unwrap_or(i64::MAX);
        tokio::spawn(async move {
            while !*stopping.borrow() {
                if offer_timeout > 0 {
                    match store.expire_offers(offer_timeout).await {
                        Ok(0) => {}
                        Ok(agents) => {
                            tracing::info!(agents, "offers expired and returned to the queue");
                        }
                        Err(error) => tracing::error!(%error, "offer expiry failed"),
                    }
                }
                if inactivity_timeout > 0 {
                    match store.end_idle(inactivity_timeout).await {
                        Ok(0) => {}
                        Ok(ended) => tracing::info!(ended, "quiet interactions ended"),
                        Err(error) => tracing::error!(%error, "inactivity check failed"),
                    }
                }
                match store.route_queued().await {
                    Ok(0) => {}
                    Ok(placed) => tracing::info!(placed, "routed queued interactions"),
                    Err(error) => tracing::error!(%error, "routing pass failed"),
                }
                tokio::select! {
                    () = task_wake.notified() => {}
                    () = tokio::time::sleep(sweep) => {}
                    _ = stopping.changed() => {}
                }
            }
        });
        Self { wake }
    }

    /// Asks for a routing pass soon (new interaction, an agent became Ready, capacity freed).
    pub fn kick(&self) {
        self.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(agent_id: Id, load: i64, last_offered_at: i64) -> Candidate {
        Candidate {
            agent_id,
            capacity: 2,
            load,
            last_offered_at,
        }
    }

    #[test]
    fn assigned_agent_first_when_free() {
        let candidates = [agent(1, 0, 0), agent(2, 1, 0)];
        assert_eq!(
            choose(Some(2), &candidates),
            Some(1),
            "the assigned agent wins over a less busy one"
        );
    }

    #[test]
    fn full_assigned_agent_falls_back_to_least_loaded() {
        let candidates = [agent(1, 1, 50), agent(2, 2, 0), agent(3, 1, 10)];
        assert_eq!(
            choose(Some(2), &candidates),
            Some(2),
            "agent 2 is full; 3 waited longer than 1"
        );
    }

    #[test]
    fn nobody_free_means_stay_queued() {
        assert_eq!(choose(None, &[agent(1, 2, 0)]), None);
        assert_eq!(choose(Some(1), &[]), None);
    }
}
