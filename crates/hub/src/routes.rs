//! Every route the hub serves, written once: the table builds the router and lists the
//! routes (method and path) for the authorization matrix test, which fails when a route
//! has no entry there.

use std::sync::Arc;

use axum::Router;

use crate::{HubState, api, webhooks};

/// Declares a route table: a list `NAME` of (method, path) and a function `build` that adds
/// those routes to a router.
macro_rules! route_table {
    ($name:ident, $build:ident; $( $method:ident $path:literal => $handler:expr $(, limit $limit:expr)? ;)*) => {
        /// (method, path) of every route in this table.
        #[cfg_attr(not(feature = "test-support"), allow(dead_code))]
        pub const $name: &[(&str, &str)] = &[$( (stringify!($method), $path) ),*];

        /// Adds this table's routes.
        pub fn $build(router: Router<Arc<HubState>>) -> Router<Arc<HubState>> {
            router $( .route(
                $path,
                axum::routing::$method($handler)
                    $( .layer(axum::extract::DefaultBodyLimit::max($limit)) )?
            ) )*
        }
    };
}

route_table! { ROUTES, add_routes;
    get "/healthz" => api::health;
    get "/readyz" => api::ready;
    get "/metrics" => api::metrics;
    post "/api/login" => api::login;
    post "/api/logout" => api::logout;
    get "/api/me" => api::me;
    put "/api/me/status" => api::set_status;
    get "/api/me/summary" => api::summary;
    get "/api/settings" => api::settings;
    get "/api/contacts" => api::contacts;
    get "/api/contacts/{id}" => api::contact;
    put "/api/contacts/{id}" => api::update_contact;
    get "/api/contacts/{id}/messages" => api::contact_messages;
    get "/api/contacts/{id}/interactions" => api::contact_interactions;
    post "/api/contacts/{id}/follow" => api::follow;
    post "/api/contacts/{id}/read" => api::mark_read;
    post "/api/contacts/{id}/unread" => api::mark_unread;
    get "/api/search" => api::search;
    get "/api/read-markers" => api::read_markers;
    get "/api/interactions" => api::interactions;
    post "/api/interactions" => api::create_interaction;
    post "/api/interactions/{id}/accept" => api::accept;
    post "/api/interactions/{id}/decline" => api::decline;
    post "/api/interactions/{id}/end" => api::end_interaction;
    put "/api/interactions/{id}/wrap-up" => api::save_wrap_up;
    post "/api/interactions/{id}/done" => api::mark_done;
    post "/api/messages" => api::send_message;
    post "/api/messages/{id}/retry" => api::retry_message;
    post "/api/uploads" => api::upload, limit 6 * 1024 * 1024;
    get "/api/media/{id}" => api::media_file;
    get "/api/media/{id}/thumbnail" => api::media_thumbnail;
    get "/media/{token}" => api::public_media;
    get "/api/events" => api::events;
    get "/api/sync/snapshot" => api::snapshot;
    get "/api/ws" => api::stream;
    post "/api/ws/ticket" => api::stream_ticket;
    get "/api/agents" => api::agents;
    put "/api/agents/{id}" => api::update_agent;
    post "/api/agents/{id}/disable" => api::disable_agent;
    post "/api/agents/{id}/enable" => api::enable_agent;
    post "/api/agents/{id}/revoke-sessions" => api::revoke_sessions;
    put "/api/agents/{id}/password" => api::set_password;
    get "/api/roles" => api::roles;
    put "/api/roles/{role}/permissions" => api::set_role_permissions;
    post "/webhooks/twilio/sms" => webhooks::inbound;
    post "/webhooks/twilio/status" => webhooks::status;
}

route_table! { SIM_ROUTES, add_sim_routes;
    post "/api/sim/inbound" => api::sim_inbound;
    get "/api/sim/outbox" => api::sim_outbox;
    get "/sim/media/{name}" => api::sim_media;
}
