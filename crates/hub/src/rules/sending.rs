//! What may be sent, and what a delivery report changes: text and picture limits (defined
//! once in `parley_proto::limits`), opt-outs, Retry, and status that only moves forward.

use parley_proto::limits::{MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, MAX_BODY_CHARS};
use parley_proto::{Contact, Id, Message, MessageStatus, Reachability};

use super::Refusal;

/// A text (and its pictures) fits in one message: not empty unless pictures carry it, at
/// most 1,600 characters and 10 pictures.
///
/// # Errors
/// [`Refusal::EmptyMessage`], [`Refusal::TooLong`], [`Refusal::TooManyPictures`].
pub fn check_text(body: &str, pictures: usize) -> Result<(), Refusal> {
    if pictures > MAX_ATTACHMENTS {
        return Err(Refusal::TooManyPictures { count: pictures });
    }
    if body.trim().is_empty() {
        return if pictures == 0 {
            Err(Refusal::EmptyMessage)
        } else {
            Ok(())
        };
    }
    let length = body.chars().count();
    if length > MAX_BODY_CHARS {
        return Err(Refusal::TooLong { length });
    }
    Ok(())
}

/// The pictures of one message together fit its size limit.
///
/// # Errors
/// [`Refusal::PicturesTooLarge`].
pub fn check_pictures_size(total_bytes: u64) -> Result<(), Refusal> {
    if total_bytes > MAX_ATTACHMENT_BYTES {
        return Err(Refusal::PicturesTooLarge);
    }
    Ok(())
}

/// Nothing is sent to a contact who texted STOP until they text START.
///
/// # Errors
/// [`Refusal::OptedOut`].
pub fn may_text(contact: &Contact) -> Result<(), Refusal> {
    if contact.opted_out {
        Err(Refusal::OptedOut)
    } else {
        Ok(())
    }
}

/// A client key names one message, of one agent, to one contact: sending it again returns
/// that message.
///
/// # Errors
/// [`Refusal::KeyTaken`] when the key names someone else's message.
pub fn same_send(existing: &Message, agent_id: Id, contact_id: Id) -> Result<(), Refusal> {
    if existing.agent_id == Some(agent_id) && existing.contact_id == contact_id {
        Ok(())
    } else {
        Err(Refusal::KeyTaken)
    }
}

/// Only a message that failed or was not delivered is sent again, and only when its error
/// is one another try may get past (the carrier's error table says which).
///
/// # Errors
/// [`Refusal::NotFailed`], [`Refusal::RetryCannotHelp`].
pub fn may_retry(message: &Message) -> Result<(), Refusal> {
    match message.status {
        MessageStatus::Failed | MessageStatus::Undelivered => {
            if parley_sms::errors::retry_may_help(message.error_code) {
                Ok(())
            } else {
                Err(Refusal::RetryCannotHelp)
            }
        }
        _ => Err(Refusal::NotFailed),
    }
}

/// A message's delivery as stored: its status, error code and whether the provider's id
/// is known yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub status: MessageStatus,
    pub error_code: Option<u32>,
    pub sid_known: bool,
}

/// What a delivery report (a status callback, or the provider's answer to the send) makes
/// of a message, or `None` when it changes nothing. Status only moves forward; a report
/// that arrives late keeps the newer status but still records the provider's id.
#[must_use]
pub fn report(
    current: Delivery,
    status: MessageStatus,
    error_code: Option<u32>,
) -> Option<(MessageStatus, Option<u32>)> {
    if status.rank() <= current.status.rank() && current.sid_known {
        return None;
    }
    let next = if status.rank() > current.status.rank() {
        status
    } else {
        current.status
    };
    // The report's code goes with the report's status.
    let code = if next == status {
        error_code
    } else {
        current.error_code
    };
    Some((next, code))
}

/// What a carrier error says about a contact's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learned {
    /// The contact opted out at the carrier.
    OptedOut,
    /// Texts do not reach the number.
    Reachability(Reachability),
}

/// What the carrier error `code` teaches about the number, if anything.
#[must_use]
pub fn learn(code: u32) -> Option<Learned> {
    use parley_sms::errors::{Meaning, Unreachable, meaning};
    match meaning(code) {
        Meaning::OptedOut => Some(Learned::OptedOut),
        Meaning::Unreachable(kind) => Some(Learned::Reachability(match kind {
            Unreachable::Landline => Reachability::Landline,
            Unreachable::Handset => Reachability::Unreachable,
            Unreachable::UnknownNumber => Reachability::UnknownNumber,
        })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_fits_one_message() {
        assert_eq!(check_text("hi", 0), Ok(()));
        assert_eq!(check_text("  ", 0), Err(Refusal::EmptyMessage));
        assert_eq!(check_text("", 1), Ok(()), "a picture can go without text");
        assert_eq!(
            check_text(&"é".repeat(1600), 0),
            Ok(()),
            "characters, not bytes"
        );
        assert_eq!(
            check_text(&"a".repeat(1601), 0),
            Err(Refusal::TooLong { length: 1601 })
        );
        assert_eq!(
            check_text("hi", 11),
            Err(Refusal::TooManyPictures { count: 11 })
        );
        assert_eq!(check_pictures_size(MAX_ATTACHMENT_BYTES), Ok(()));
        assert_eq!(
            check_pictures_size(MAX_ATTACHMENT_BYTES + 1),
            Err(Refusal::PicturesTooLarge)
        );
    }

    #[test]
    fn status_only_moves_forward() {
        let sent = Delivery {
            status: MessageStatus::Sent,
            error_code: None,
            sid_known: true,
        };
        assert_eq!(
            report(sent, MessageStatus::Delivered, None),
            Some((MessageStatus::Delivered, None))
        );
        assert_eq!(
            report(sent, MessageStatus::Queued, None),
            None,
            "a late queued changes nothing"
        );
        assert_eq!(
            report(sent, MessageStatus::Sent, None),
            None,
            "a repeat changes nothing"
        );
        let unknown_sid = Delivery {
            sid_known: false,
            ..sent
        };
        assert_eq!(
            report(unknown_sid, MessageStatus::Queued, None),
            Some((MessageStatus::Sent, None)),
            "a late report still records the provider's id, keeping the newer status"
        );
        assert_eq!(
            report(sent, MessageStatus::Undelivered, Some(30006)),
            Some((MessageStatus::Undelivered, Some(30006)))
        );
    }

    #[test]
    fn carrier_errors_teach_about_the_number() {
        assert_eq!(learn(21610), Some(Learned::OptedOut));
        assert_eq!(
            learn(30006),
            Some(Learned::Reachability(Reachability::Landline))
        );
        assert_eq!(learn(30008), None, "an unknown error teaches nothing");
    }
}
