//! Who gets a queued interaction: the contact's assigned agent when Ready with room, else
//! the least busy Ready agent, longest waiting first.

use parley_proto::Id;

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
