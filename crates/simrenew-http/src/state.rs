//! What every handler can reach.

use simrenew_app::App;

use crate::extract::sha256;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// SHA-256 of the admin bearer token; `None` refuses every authenticated call.
    pub admin_token_hash: Option<[u8; 32]>,
}

impl AppState {
    pub fn new(app: App, admin_token: Option<&str>) -> Self {
        Self {
            app,
            admin_token_hash: admin_token.filter(|t| !t.is_empty()).map(sha256),
        }
    }
}
