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
/// every Ready agent is full (or nobody is Ready): the interaction stays queued. The agent
/// who declined its last offer is passed over while anyone else is Ready.
#[must_use]
pub fn choose(
    assigned_agent_id: Option<Id>,
    declined_by: Option<Id>,
    candidates: &[Candidate],
) -> Option<usize> {
    let others_ready = candidates
        .iter()
        .any(|candidate| Some(candidate.agent_id) != declined_by);
    let passed_over = declined_by.filter(|_| others_ready);
    let candidates: Vec<(usize, &Candidate)> = candidates
        .iter()
        .enumerate()
        .filter(|(_, candidate)| Some(candidate.agent_id) != passed_over)
        .collect();
    if let Some(assigned) = assigned_agent_id
        && let Some((index, _)) = candidates
            .iter()
            .find(|(_, candidate)| candidate.agent_id == assigned && candidate.is_free())
    {
        return Some(*index);
    }
    candidates
        .into_iter()
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

    fn choose_for(assigned: Option<Id>, candidates: &[Candidate]) -> Option<usize> {
        choose(assigned, None, candidates)
    }

    #[test]
    fn the_agent_who_declined_is_passed_over_while_anyone_else_is_ready() {
        let candidates = [agent(1, 0, 0), agent(2, 1, 5)];
        assert_eq!(
            choose(Some(1), Some(1), &candidates),
            Some(1),
            "even when assigned"
        );
        let full = [agent(1, 0, 0), agent(2, 2, 5)];
        assert_eq!(
            choose(None, Some(1), &full),
            None,
            "it waits for the other Ready agent rather than going back"
        );
        assert_eq!(
            choose(None, Some(1), &[agent(1, 0, 0)]),
            Some(0),
            "with nobody else Ready it comes back"
        );
    }

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
            choose_for(Some(2), &candidates),
            Some(1),
            "the assigned agent wins over a less busy one"
        );
    }

    #[test]
    fn full_assigned_agent_falls_back_to_least_loaded() {
        let candidates = [agent(1, 1, 50), agent(2, 2, 0), agent(3, 1, 10)];
        assert_eq!(
            choose_for(Some(2), &candidates),
            Some(2),
            "agent 2 is full; 3 waited longer than 1"
        );
    }

    #[test]
    fn nobody_free_means_stay_queued() {
        assert_eq!(choose_for(None, &[agent(1, 2, 0)]), None);
        assert_eq!(choose_for(Some(1), &[]), None);
    }
}
