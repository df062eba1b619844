//! Group commit for the provider's webhooks: inbound messages and delivery reports that
//! arrive at the same moment share one transaction and one durable commit, and each is
//! answered only once that commit is done.
//!
//! One task per store takes whatever has queued while the previous commit was on disk, up
//! to [`MOST`] writes, and runs them in order in one change. A write that fails for a
//! reason of its own (not a conflict with another transaction) must not take the others
//! down with it, so then the whole group is rolled back and each of its writes runs again
//! in a transaction of its own, answering with its own outcome. A conflict runs the group
//! again, as any transaction is.
//!
//! On PostgreSQL the group's writes lock contacts in the order of their numbers, so two
//! hubs committing groups at once do not wait for each other in a circle.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use parley_proto::{Id, Message, MessageStatus};
use tokio::sync::{mpsc, oneshot};

use super::delivery::store_status;
use super::inbound::{store_inbound, store_inbound_group};
use super::{Change, Inbound, InboundOutcome, Inner, Result, Store, StoreError, transaction};

/// The most writes one commit takes.
const MOST: usize = 256;

/// Writes waiting for the group task; senders wait when it is full.
const QUEUE: usize = 4 * MOST;

/// An inbound webhook's message, owned so it can wait in the queue.
pub(crate) struct InboundJob {
    provider_sid: String,
    from: String,
    to: String,
    body: String,
    media: Vec<(String, String)>,
}

impl InboundJob {
    pub(crate) fn of(inbound: &Inbound<'_>) -> Self {
        Self {
            provider_sid: inbound.provider_sid.to_owned(),
            from: inbound.from.to_owned(),
            to: inbound.to.to_owned(),
            body: inbound.body.to_owned(),
            media: inbound.media.to_vec(),
        }
    }

    fn inbound(&self) -> Inbound<'_> {
        Inbound {
            provider_sid: &self.provider_sid,
            from: &self.from,
            to: &self.to,
            body: &self.body,
            media: &self.media,
        }
    }
}

/// A delivery report.
pub(crate) struct StatusJob {
    pub(crate) message_id: Option<Id>,
    pub(crate) provider_sid: String,
    pub(crate) status: MessageStatus,
    pub(crate) error_code: Option<u32>,
}

enum Job {
    Inbound(InboundJob),
    Status(StatusJob),
}

enum Answer {
    Inbound(Result<InboundOutcome>),
    Status(Result<Option<Message>>),
}

impl Job {
    /// The order writes take in a group: messages by sender (a sender's in arrival order),
    /// then reports by message.
    fn lock_order(&self) -> (u8, &str) {
        match self {
            Self::Inbound(job) => (0, &job.from),
            Self::Status(job) => (1, &job.provider_sid),
        }
    }

    async fn run(&self, change: &mut Change) -> Result<Answer> {
        Ok(match self {
            Self::Inbound(job) => Answer::Inbound(Ok(store_inbound(change, &job.inbound()).await?)),
            Self::Status(job) => Answer::Status(Ok(store_status(
                change,
                job.message_id,
                &job.provider_sid,
                job.status,
                job.error_code,
            )
            .await?)),
        })
    }

    /// The write in a transaction of its own.
    async fn run_alone(&self, store: &Store) -> Answer {
        match self {
            Self::Inbound(job) => Answer::Inbound(
                async { transaction!(store, change => { store_inbound(&mut change, &job.inbound()).await }) }
                    .await,
            ),
            Self::Status(job) => Answer::Status(
                async {
                    transaction!(store, change => {
                        store_status(
                            &mut change,
                            job.message_id,
                            &job.provider_sid,
                            job.status,
                            job.error_code,
                        )
                        .await
                    })
                }
                .await,
            ),
        }
    }
}

struct Waiting {
    job: Job,
    reply: oneshot::Sender<Answer>,
}

/// The queue to the group task.
pub(crate) struct Group {
    sender: mpsc::Sender<Waiting>,
    figures: Arc<Figures>,
}

/// How the groups went, since the store opened.
#[derive(Default)]
struct Figures {
    /// Groups committed together.
    commits: AtomicU64,
    /// The writes in them.
    writes: AtomicU64,
}

impl Group {
    /// The queue and its task, which ends with the store.
    pub(crate) fn start() -> (Self, GroupTask) {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let figures = Arc::new(Figures::default());
        (
            Self {
                sender,
                figures: figures.clone(),
            },
            GroupTask { receiver, figures },
        )
    }

    /// Webhook writes committed so far, and the commits they took.
    pub(crate) fn figures(&self) -> (u64, u64) {
        (
            self.figures.writes.load(Ordering::Relaxed),
            self.figures.commits.load(Ordering::Relaxed),
        )
    }

    pub(crate) async fn inbound(&self, store: &Store, job: InboundJob) -> Result<InboundOutcome> {
        match self.submit(store, Job::Inbound(job)).await? {
            Answer::Inbound(outcome) => outcome,
            Answer::Status(_) => unreachable!("an inbound write is answered as one"),
        }
    }

    pub(crate) async fn status(&self, store: &Store, job: StatusJob) -> Result<Option<Message>> {
        match self.submit(store, Job::Status(job)).await? {
            Answer::Status(outcome) => outcome,
            Answer::Inbound(_) => unreachable!("a report is answered as one"),
        }
    }

    async fn submit(&self, store: &Store, job: Job) -> Result<Answer> {
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError(waiting)) = self.sender.send(Waiting { job, reply }).await
        {
            // The task has ended (the store is closing): the write goes alone.
            return Ok(waiting.job.run_alone(store).await);
        }
        answer.await.map_err(|_| StoreError::Closed)
    }
}

/// The receiving end, run by [`GroupTask::spawn`].
pub(crate) struct GroupTask {
    receiver: mpsc::Receiver<Waiting>,
    figures: Arc<Figures>,
}

impl GroupTask {
    pub(crate) fn spawn(mut self, inner: Weak<Inner>) {
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(MOST);
            while self.receiver.recv_many(&mut group, MOST).await > 0 {
                let Some(inner) = inner.upgrade() else { break };
                let store = Store { inner };
                commit_group(&store, std::mem::take(&mut group), &self.figures).await;
            }
        });
    }
}

async fn commit_group(store: &Store, mut group: Vec<Waiting>, figures: &Figures) {
    let writes = group.len() as u64;
    if let [_] = group.as_slice() {
        let waiting = group.pop().expect("one");
        let answer = waiting.job.run_alone(store).await;
        let _ = waiting.reply.send(answer);
        figures.commits.fetch_add(1, Ordering::Relaxed);
        figures.writes.fetch_add(1, Ordering::Relaxed);
        return;
    }
    group.sort_by(|a, b| a.job.lock_order().cmp(&b.job.lock_order()));
    match together(store, &group).await {
        Some(answers) => {
            figures.commits.fetch_add(1, Ordering::Relaxed);
            figures.writes.fetch_add(writes, Ordering::Relaxed);
            for (waiting, answer) in group.into_iter().zip(answers) {
                let _ = waiting.reply.send(answer);
            }
        }
        None => {
            tracing::debug!(writes, "a group write failed; each runs alone");
            figures.commits.fetch_add(writes, Ordering::Relaxed);
            figures.writes.fetch_add(writes, Ordering::Relaxed);
            for waiting in group {
                let answer = waiting.job.run_alone(store).await;
                let _ = waiting.reply.send(answer);
            }
        }
    }
}

/// The group's writes within one change: the texts together, then the reports in turn.
async fn run_group(change: &mut Change, group: &[Waiting]) -> Result<Vec<Answer>> {
    let mut answers: Vec<Option<Answer>> = group.iter().map(|_| None).collect();
    let (mut places, mut inbounds) = (Vec::new(), Vec::new());
    for (index, waiting) in group.iter().enumerate() {
        if let Job::Inbound(job) = &waiting.job {
            places.push(index);
            inbounds.push(job.inbound());
        }
    }
    if !inbounds.is_empty() {
        let outcomes = store_inbound_group(change, &inbounds).await?;
        for (index, outcome) in places.into_iter().zip(outcomes) {
            answers[index] = Some(Answer::Inbound(Ok(outcome)));
        }
    }
    for (index, waiting) in group.iter().enumerate() {
        if let Job::Status(_) = &waiting.job {
            answers[index] = Some(waiting.job.run(change).await?);
        }
    }
    Ok(answers
        .into_iter()
        .map(|answer| answer.expect("every write is answered"))
        .collect())
}

/// Every write of the group in one transaction, committed; `None` when one of them (or
/// the commit) failed for a reason a second run of the group would not cure.
async fn together(store: &Store, group: &[Waiting]) -> Option<Vec<Answer>> {
    let mut attempt = 0;
    loop {
        let outcome = async {
            let mut change = store.begin().await?;
            let answers = run_group(&mut change, group).await?;
            store.commit(change).await?;
            Ok::<_, StoreError>(answers)
        }
        .await;
        match outcome {
            Ok(answers) => return Some(answers),
            Err(error) if error.is_transient() && attempt < super::TRANSIENT_RETRIES => {
                attempt += 1;
                tracing::debug!(%error, attempt, "a group met another transaction; running it again");
                store.pause(attempt).await;
            }
            Err(error) => {
                tracing::debug!(%error, "a group write failed");
                return None;
            }
        }
    }
}
