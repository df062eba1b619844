//! The built-in simulated carrier: outbound messages are recorded (see
//! `parley-hub simulate outbox`) and reported `sent`, then `delivered` after a short delay;
//! inbound messages are injected with `parley-hub simulate inbound` or `POST /api/sim/inbound`.

use std::time::Duration;

use parley_proto::MessageStatus;
use parley_sms::{DeliveryStatus, OutboundSms, Provider, ProviderError, SentSms};
use rand::RngCore as _;

use crate::store::Store;

/// A provider message id in Twilio's shape: `SM` + 32 hex digits.
#[must_use]
pub fn new_sid() -> String {
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("SM{hex}")
}

/// What the simulated carrier does with a text to one of its special numbers (Twilio's
/// test numbers where Twilio has one, `+1 500 555 00xx`); every other number gets it
/// delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Deliver,
    /// The provider refuses the send with this error code.
    Refuse(u32),
    /// Accepted, then reported undelivered with this error code.
    Undeliverable(u32),
    /// Undelivered (30008) the first time, delivered when sent again.
    Bounce,
}

/// The special numbers: (number, behaviour, is a landline, what it shows).
pub const NUMBERS: &[(&str, Behaviour, bool, &str)] = &[
    (
        "+15005550001",
        Behaviour::Refuse(21211),
        false,
        "an incorrect number (21211)",
    ),
    (
        "+15005550004",
        Behaviour::Refuse(21610),
        false,
        "opted out at the carrier (21610)",
    ),
    (
        "+15005550009",
        Behaviour::Refuse(21614),
        true,
        "not a mobile number (21614)",
    ),
    (
        "+15005550010",
        Behaviour::Undeliverable(30006),
        true,
        "a landline (30006)",
    ),
    (
        "+15005550011",
        Behaviour::Undeliverable(30003),
        false,
        "a phone that is off (30003)",
    ),
    (
        "+15005550012",
        Behaviour::Undeliverable(30005),
        false,
        "a number not in service (30005)",
    ),
    (
        "+15005550013",
        Behaviour::Undeliverable(30007),
        false,
        "texts filtered as spam (30007)",
    ),
    (
        "+15005550014",
        Behaviour::Bounce,
        false,
        "fails once, then Retry delivers it",
    ),
];

/// What the carrier does with a text to `number`.
#[must_use]
pub fn behaviour(number: &str) -> (Behaviour, bool) {
    NUMBERS
        .iter()
        .find(|(special, ..)| *special == number)
        .map_or(
            (Behaviour::Deliver, false),
            |(_, behaviour, landline, _)| (*behaviour, *landline),
        )
}

/// The simulated carrier. What it was asked to send is in the store, so every hub on one
/// database plays the same carrier.
pub struct SimCarrier {
    store: Store,
    number: String,
    delivery_delay: Duration,
}

impl SimCarrier {
    /// A carrier that sends from `number` and reports delivery after `delivery_delay`.
    #[must_use]
    pub fn new(store: Store, number: String, delivery_delay: Duration) -> Self {
        Self {
            store,
            number,
            delivery_delay,
        }
    }
}

/// Our message id, read back from the status callback URL we gave the provider.
fn message_id_of(status_callback: &str) -> Option<i64> {
    let url = url::Url::parse(status_callback).ok()?;
    url.query_pairs()
        .find(|(name, _)| name == "message_id")
        .and_then(|(_, value)| value.parse().ok())
}

#[async_trait::async_trait]
impl Provider for SimCarrier {
    fn name(&self) -> &'static str {
        "sim"
    }

    async fn line_type(&self, number: &str) -> Result<parley_sms::LineType, ProviderError> {
        Ok(if behaviour(number).1 {
            parley_sms::LineType::NotMobile
        } else {
            parley_sms::LineType::Mobile
        })
    }

    async fn send(&self, message: OutboundSms) -> Result<SentSms, ProviderError> {
        let (behaviour, _) = behaviour(&message.to);
        if let Behaviour::Refuse(code) = behaviour {
            return Err(ProviderError::Rejected {
                code,
                message: parley_sms::errors::describe(code),
            });
        }
        let outcome = match behaviour {
            Behaviour::Undeliverable(code) => Some(code),
            Behaviour::Bounce => {
                let sent_before = self
                    .store
                    .sim_sent_to(&message.to)
                    .await
                    .map_err(|error| ProviderError::Unreachable(error.to_string()))?;
                (sent_before == 0).then_some(30008)
            }
            _ => None,
        };
        let sid = new_sid();
        self.store
            .sim_record(&sid, &message.to, &self.number, &message.body)
            .await
            .map_err(|error| ProviderError::Unreachable(error.to_string()))?;
        let store = self.store.clone();
        let delay = self.delivery_delay;
        let message_id = message_id_of(&message.status_callback);
        let callback_sid = sid.clone();
        tokio::spawn(async move {
            let last = match outcome {
                Some(code) => (MessageStatus::Undelivered, Some(code)),
                None => (MessageStatus::Delivered, None),
            };
            for (step, (status, code)) in
                [(delay / 2, (MessageStatus::Sent, None)), (delay / 2, last)]
            {
                tokio::time::sleep(step).await;
                if let Err(error) = store.sim_set_status(&callback_sid, status).await {
                    tracing::warn!(%error, sid = %callback_sid, "simulated carrier could not record a status");
                }
                if let Err(error) = store
                    .apply_status(message_id, &callback_sid, status, code)
                    .await
                {
                    tracing::warn!(%error, sid = %callback_sid, "simulated status callback was not applied");
                }
            }
        });
        Ok(SentSms {
            sid,
            status: DeliveryStatus::Queued,
            from: Some(self.number.clone()),
        })
    }
}

/// The simulated carrier's sample pictures (and broken files), by name: what
/// `parley-hub simulate inbound --media NAME` attaches, served at `/sim/media/NAME`.
pub const SAMPLES: &[&str] = &[
    "photo.jpg",
    "logo.png",
    "animation.gif",
    "sticker.webp",
    "corrupt.jpg",
    "truncated.png",
    "bomb.png",
    "huge.jpg",
    "document.pdf",
    "missing.jpg",
];

/// A sample's claimed content type and bytes; `None` for an unknown name and for
/// `missing.jpg`, which the carrier never has.
#[must_use]
pub fn sample(name: &str) -> Option<(&'static str, Vec<u8>)> {
    use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
    let encode = |picture: DynamicImage, format: ImageFormat| {
        let mut bytes = std::io::Cursor::new(Vec::new());
        picture.write_to(&mut bytes, format).ok()?;
        Some(bytes.into_inner())
    };
    let logo = || {
        DynamicImage::ImageRgba8(RgbaImage::from_fn(256, 256, |x, y| {
            let inside = (x as i64 - 128).pow(2) + (y as i64 - 128).pow(2) < 110 * 110;
            Rgba([67, 56, 202, if inside { 255 } else { 0 }])
        }))
    };
    match name {
        "photo.jpg" => {
            let photo = RgbImage::from_fn(1200, 900, |x, y| {
                let sky = u8::try_from(y * 255 / 900).unwrap_or(255);
                let sun = (x as i64 - 900).pow(2) + (y as i64 - 250).pow(2) < 120 * 120;
                if sun {
                    Rgb([250, 204, 21])
                } else {
                    Rgb([sky / 3, 120u8.saturating_add(sky / 4), 255 - sky / 2])
                }
            });
            Some((
                "image/jpeg",
                encode(DynamicImage::ImageRgb8(photo), ImageFormat::Jpeg)?,
            ))
        }
        "logo.png" => Some(("image/png", encode(logo(), ImageFormat::Png)?)),
        "animation.gif" => {
            let frames = (0..2_u8).map(|step| {
                let frame = RgbaImage::from_fn(64, 64, |x, _| {
                    if (x / 8) % 2 == u32::from(step) {
                        Rgba([220, 38, 38, 255])
                    } else {
                        Rgba([255, 255, 255, 255])
                    }
                });
                image::Frame::new(frame)
            });
            let mut bytes = Vec::new();
            {
                let mut encoder = image::codecs::gif::GifEncoder::new(&mut bytes);
                encoder.encode_frames(frames).ok()?;
            }
            Some(("image/gif", bytes))
        }
        "sticker.webp" => Some(("image/webp", encode(logo(), ImageFormat::WebP)?)),
        "corrupt.jpg" => {
            // A JPEG's first marker, then noise.
            let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
            bytes.extend((0..4096_u32).map(|i| u8::try_from((i * 7919) % 251).unwrap_or(0)));
            Some(("image/jpeg", bytes))
        }
        "truncated.png" => {
            let whole = encode(logo(), ImageFormat::Png)?;
            Some(("image/png", whole[..whole.len() / 2].to_vec()))
        }
        "bomb.png" => Some(("image/png", bomb_png(60_000, 60_000))),
        "huge.jpg" => {
            let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
            bytes.resize(6 * 1024 * 1024, 0);
            Some(("image/jpeg", bytes))
        }
        "document.pdf" => Some((
            "application/pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
                .to_vec(),
        )),
        _ => None,
    }
}

/// A small PNG that claims `width` × `height` 8-bit grey pixels: decoded, it would take
/// width × height bytes of memory.
#[must_use]
pub fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFF_u32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &header);
    // A zlib stream of one stored block of zeros: the start of the first rows.
    let zeros = [0_u8; 1024];
    let mut idat = vec![0x78, 0x01, 0x01];
    idat.extend_from_slice(&1024_u16.to_le_bytes());
    idat.extend_from_slice(&(!1024_u16).to_le_bytes());
    idat.extend_from_slice(&zeros);
    chunk(&mut png, b"IDAT", &idat);
    png
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_special_numbers_pass_the_number_check() {
        for (number, ..) in NUMBERS {
            assert_eq!(
                parley_sms::normalize_e164(number).as_deref(),
                Ok(*number),
                "{number} must reach the carrier"
            );
        }
        assert_eq!(behaviour("+12015550101"), (Behaviour::Deliver, false));
        assert_eq!(
            behaviour("+15005550010"),
            (Behaviour::Undeliverable(30006), true)
        );
    }

    #[test]
    fn every_sample_but_the_missing_one_exists() {
        for name in SAMPLES {
            assert_eq!(sample(name).is_some(), *name != "missing.jpg", "{name}");
        }
        let (kind, bomb) = sample("bomb.png").expect("the bomb");
        assert_eq!(kind, "image/png");
        assert!(bomb.len() < 2_000, "a tiny file that claims a huge picture");
    }

    #[test]
    fn sids_look_like_twilio_message_sids() {
        let sid = new_sid();
        assert_eq!(sid.len(), 34);
        assert!(sid.starts_with("SM") && sid[2..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(sid, new_sid());
    }

    #[test]
    fn message_id_comes_from_the_callback_url() {
        assert_eq!(
            message_id_of("http://127.0.0.1:8080/webhooks/twilio/status?message_id=42"),
            Some(42)
        );
        assert_eq!(
            message_id_of("http://127.0.0.1:8080/webhooks/twilio/status"),
            None
        );
    }
}
