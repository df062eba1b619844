//! What Twilio's official OpenAPI spec says the fake must accept and answer.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

/// What the spec says about creating a message.
#[derive(Debug, Clone)]
pub struct Spec {
    pub required_fields: BTreeSet<String>,
    pub known_fields: BTreeSet<String>,
    pub message_properties: Vec<String>,
    pub statuses: BTreeSet<String>,
    /// The properties of a Lookup v2 `PhoneNumber` resource.
    pub lookup_properties: Vec<String>,
}

impl Spec {
    /// Reads the spec vendored in `tests/vendor/twilio-oai/` (or `PARLEY_TWILIO_SPEC`).
    ///
    /// # Panics
    /// When the spec is missing or not shaped as expected.
    #[must_use]
    pub fn load() -> Self {
        let path = std::env::var_os("PARLEY_TWILIO_SPEC").map_or_else(
            || {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("vendor/twilio-oai/twilio_api_v2010.json")
            },
            PathBuf::from,
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!("the Twilio spec at {} is readable: {error}", path.display())
        });
        let spec: Value = serde_json::from_str(&text).expect("the Twilio spec is JSON");
        let create = &spec["paths"]["/2010-04-01/Accounts/{AccountSid}/Messages.json"]["post"];
        let form = &create["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"];
        let names = |value: &Value| -> BTreeSet<String> {
            value
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        let required_fields = names(&form["required"]);
        let known_fields: BTreeSet<String> = form["properties"]
            .as_object()
            .expect("form properties")
            .keys()
            .cloned()
            .collect();
        let message = &spec["components"]["schemas"]["api.v2010.account.message"]["properties"];
        let message_properties: Vec<String> = message
            .as_object()
            .expect("message properties")
            .keys()
            .cloned()
            .collect();
        let statuses = names(&spec["components"]["schemas"]["message_enum_status"]["enum"]);
        assert!(required_fields.contains("To"), "the spec requires To");
        assert!(
            statuses.contains("delivered"),
            "the spec lists delivery statuses"
        );
        let lookups_path = path.with_file_name("twilio_lookups_v2.json");
        let lookups: Value = serde_json::from_str(
            &std::fs::read_to_string(&lookups_path).unwrap_or_else(|error| {
                panic!(
                    "the Lookup spec at {} is readable: {error}",
                    lookups_path.display()
                )
            }),
        )
        .expect("the Lookup spec is JSON");
        let lookup_properties: Vec<String> =
            lookups["components"]["schemas"]["LookupResponse"]["properties"]
                .as_object()
                .expect("LookupResponse properties")
                .keys()
                .cloned()
                .collect();
        assert!(
            lookup_properties
                .iter()
                .any(|name| name == "line_type_intelligence")
        );
        Self {
            required_fields,
            known_fields,
            message_properties,
            statuses,
            lookup_properties,
        }
    }
}
