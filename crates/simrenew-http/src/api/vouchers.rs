//! Voucher redemption.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_app::sales::vouchers::Redemption;
use simrenew_domain::catalog::Channel;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::voucher::VoucherCode;
use utoipa::ToSchema;

use super::orders::OrderJson;
use super::wire::MoneyJson;
use crate::error::{ApiError, Problem};
use crate::extract::{denied, ApiJson, Caller};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedemptionRequestJson {
    /// The voucher code, dashes and case as printed or not.
    #[schema(example = "ABCD-EFGH-JKMN-PQR2")]
    pub code: String,
    #[schema(example = "+32470123456")]
    pub msisdn: String,
    /// The caller's own channel (`portal` for subscribers, `store` for agents, `partner` for
    /// partners); administrators choose, `store` by default.
    pub channel: Option<String>,
}

/// What the voucher did: credit added to the balance, or its plan bought.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedemptionJson {
    /// `credit` or `plan`.
    pub kind: &'static str,
    pub added: Option<MoneyJson>,
    pub balance: Option<MoneyJson>,
    pub order: Option<OrderJson>,
}

/// Redeems a voucher on a line, once.
#[utoipa::path(
    post,
    path = "/api/v1/voucher-redemptions",
    tag = "vouchers",
    request_body = RedemptionRequestJson,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = RedemptionJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn redeem(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<RedemptionRequestJson>,
) -> Result<Json<RedemptionJson>, ApiError> {
    let invalid = |e: simrenew_domain::ParseError| ApiError::invalid(e.field, e.reason);
    let code = VoucherCode::parse(&body.code).map_err(invalid)?;
    let msisdn = Msisdn::parse(&body.msisdn).map_err(invalid)?;
    let channel = super::orders::sales_channel(&caller, body.channel.as_deref(), Channel::Store)?;
    let access = state.app.line_access(&msisdn).await?;
    caller
        .may_redeem_voucher(access)
        .map_err(|d| denied(d, "line").with_field("msisdn"))?;
    let actor = caller.label();
    let redemption = state
        .app
        .redeem_voucher_as(Some(&actor), &code, &msisdn, channel)
        .await?;
    Ok(Json(match redemption {
        Redemption::Credit { added, balance } => RedemptionJson {
            kind: "credit",
            added: Some(added.into()),
            balance: Some(balance.into()),
            order: None,
        },
        Redemption::Plan(receipt) => RedemptionJson {
            kind: "plan",
            added: None,
            balance: None,
            order: Some(super::orders::order_json(&receipt)),
        },
    }))
}
