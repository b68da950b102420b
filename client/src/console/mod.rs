//! `midwa console`: a web page served on the user's own machine, in English, French and
//! Portuguese, that asks the gateway over mutual TLS with the user's certificate. Coordinators
//! see the regional picture (returns by month, origin and mode; reintegration coverage;
//! sustainability scores; vulnerable groups; notices; opportunities); a consulate's page verifies
//! receipts, typed or from a photo of the QR code.
//!
//! The server listens on loopback only. The page itself holds no data; every `/api/` call
//! needs the session token printed at start (in the address's fragment, which browsers never
//! send on) and a loopback `Host`, so neither another site in the browser nor a rebound DNS
//! name can use the certificate.

mod messages;
mod receipt;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use midwa_certs::Identity;
use midwa_proto::pb;
use serde::Deserialize;
use serde_json::{Value, json};
use tonic::transport::Channel;

use crate::config::Config;

/// The largest request body: a photo of a QR code.
const MAX_BODY: usize = 12 * 1024 * 1024;

/// The receipt code and attestation in a photo of a receipt's QR code (PNG or JPEG), as the
/// consulate's page reads it; what is wrong with the photo otherwise.
pub fn read_receipt_photo(image: &[u8]) -> Result<(String, Option<String>), String> {
    receipt::read_qr(image).map_err(|f| f.detail)
}

/// What the handlers share.
#[derive(Clone)]
struct Console {
    channel: Channel,
    identity: Arc<Identity>,
    config: Arc<Config>,
    token: Arc<str>,
    port: u16,
}

/// An answer that is not a success: its status, what kind of failure it is, and the details.
/// The page says the kind in the user's language (its message `error.<kind>`), with the
/// details, which are in English, where they help.
struct Failure {
    status: StatusCode,
    kind: &'static str,
    detail: String,
}

impl Failure {
    fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            detail: detail.into(),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = json!({ "kind": self.kind, "error": self.detail });
        (self.status, Json(body)).into_response()
    }
}

fn gateway_failure(s: tonic::Status) -> Failure {
    let (status, kind) = match s.code() {
        tonic::Code::InvalidArgument => (StatusCode::BAD_REQUEST, "refused"),
        tonic::Code::PermissionDenied | tonic::Code::Unauthenticated => {
            (StatusCode::FORBIDDEN, "forbidden")
        }
        tonic::Code::ResourceExhausted => (StatusCode::TOO_MANY_REQUESTS, "busy"),
        _ => (StatusCode::BAD_GATEWAY, "gateway"),
    };
    Failure::new(status, kind, s.message())
}

/// A console ready to serve: bound, connected, with its session token.
pub struct Ready {
    listener: tokio::net::TcpListener,
    console: Console,
}

impl std::fmt::Debug for Ready {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ready").field("url", &self.url()).finish()
    }
}

impl Ready {
    /// Binds `listen` (loopback only) and connects to the gateway.
    pub async fn bind(config: Config, listen: SocketAddr) -> Result<Self, String> {
        if !listen.ip().is_loopback() {
            return Err(format!(
                "--listen {listen}: the console serves only this machine; use a loopback address such as 127.0.0.1:8080"
            ));
        }
        let credentials = midwa_certs::tls::Credentials::load(&config.tls, &config.trust_domain)
            .map_err(|e| e.to_string())?;
        let identity = credentials.identity().clone();
        let channel = config.connect().await?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?
            .port();
        let mut token = [0u8; 16];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut token)
            .map_err(|_| "no randomness for the session token".to_owned())?;
        let token = midwa_certs::authority::hex(&token);
        Ok(Self {
            listener,
            console: Console {
                channel,
                identity: Arc::new(identity),
                config: Arc::new(config),
                token: token.into(),
                port,
            },
        })
    }

    /// The address to open, with the session token.
    pub fn url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/#token={}",
            self.console.port, self.console.token
        )
    }

    /// Who the console acts as.
    pub fn identity(&self) -> &Identity {
        &self.console.identity
    }

    /// Serves until `stop` resolves.
    pub async fn serve(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), String> {
        let app = axum::Router::new()
            .route(
                "/",
                get(|| async { page("text/html; charset=utf-8", PAGE) }),
            )
            .route(
                "/console.js",
                get(|| async { page("text/javascript; charset=utf-8", SCRIPT) }),
            )
            .route(
                "/i18n.js",
                get(|| async { page("text/javascript; charset=utf-8", messages::SCRIPT.as_str()) }),
            )
            .route(
                "/console.css",
                get(|| async { page("text/css; charset=utf-8", STYLE) }),
            )
            .route("/api/session", get(session))
            .route("/api/query", post(query))
            .route("/api/export", post(export))
            .route("/api/opportunities", get(opportunities))
            .route("/api/notices", get(notices))
            .route("/api/completeness", get(completeness))
            .route("/api/participants", get(participants))
            .route("/api/verify", post(verify))
            .route("/api/verify-image", post(verify_image))
            .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
            .with_state(self.console);
        axum::serve(self.listener, app)
            .with_graceful_shutdown(stop)
            .await
            .map_err(|e| format!("console: {e}"))
    }
}

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("console.js");
const STYLE: &str = include_str!("console.css");

fn page(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'",
            ),
        ],
        body,
    )
        .into_response()
}

impl Console {
    /// Refuses a call without the session token, or addressed to another host than loopback.
    fn guard(&self, headers: &HeaderMap) -> Result<(), Failure> {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let loopback = [
            format!("127.0.0.1:{}", self.port),
            format!("localhost:{}", self.port),
            format!("[::1]:{}", self.port),
        ];
        if !loopback.iter().any(|h| h == host) {
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "host",
                format!("the console answers only on 127.0.0.1:{}", self.port),
            ));
        }
        let token = headers
            .get("x-midwa-token")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if !same_secret(token.as_bytes(), self.token.as_bytes()) {
            return Err(Failure::new(
                StatusCode::UNAUTHORIZED,
                "session",
                "open the console with the address `midwa console` printed (it carries the session token)",
            ));
        }
        Ok(())
    }
}

/// Whether two secrets are equal, in a time that does not depend on where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn session(State(c): State<Console>, headers: HeaderMap) -> Result<Json<Value>, Failure> {
    c.guard(&headers)?;
    Ok(Json(json!({
        "role": c.identity.role.kind(),
        "state": c.identity.role.state(),
        "identity": c.identity.uri,
        "gateway": c.config.gateway.to_string(),
    })))
}

#[derive(Deserialize)]
struct QueryBody {
    metric: String,
    #[serde(default)]
    by: Vec<String>,
    #[serde(default)]
    filters: Vec<String>,
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

async fn query(
    State(c): State<Console>,
    headers: HeaderMap,
    Json(body): Json<QueryBody>,
) -> Result<Response, Failure> {
    c.guard(&headers)?;
    let answer = ask(&c, body, page_lang(&headers)).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        crate::query::json(&answer),
    )
        .into_response())
}

#[derive(Deserialize)]
struct ExportFormat {
    format: String,
}

/// A panel's question again, its answer written for a statistical tool (docs/exports.md).
async fn export(
    State(c): State<Console>,
    headers: HeaderMap,
    Query(q): Query<ExportFormat>,
    Json(body): Json<QueryBody>,
) -> Result<Response, Failure> {
    c.guard(&headers)?;
    let write = match q.format.as_str() {
        "sdmx" => crate::export::sdmx::write,
        "dhis2" => crate::export::dhis2::write,
        "hxl" => crate::export::hxl::write,
        other => {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "question",
                format!("{other:?} is not an export format: sdmx, dhis2 or hxl"),
            ));
        }
    };
    let answer = ask(&c, body, page_lang(&headers)).await?;
    let text = write(&answer).map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "question", e))?;
    let content_type = if q.format == "dhis2" {
        "application/json"
    } else {
        "text/csv; charset=utf-8"
    };
    Ok(([(header::CONTENT_TYPE, content_type)], text).into_response())
}

/// The language the page is shown in (`x-midwa-lang`), which the gateway answers a refused
/// question in.
fn page_lang(headers: &HeaderMap) -> midwa_i18n::Lang {
    headers
        .get("x-midwa-lang")
        .and_then(|v| v.to_str().ok())
        .and_then(midwa_i18n::Lang::from_tag)
        .unwrap_or_default()
}

/// The gateway's answer to a panel's question, a refusal said in `lang`.
async fn ask(
    c: &Console,
    body: QueryBody,
    lang: midwa_i18n::Lang,
) -> Result<pb::AggregateResponse, Failure> {
    let request = crate::query::request(
        &body.metric,
        &body.by,
        body.unit.as_deref(),
        &body.filters,
        body.from.as_deref(),
        body.to.as_deref(),
    )
    .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "question", e))?;
    Ok(
        pb::statistics_client::StatisticsClient::new(c.channel.clone())
            .aggregate(midwa_certs::language::ask_in(lang, request))
            .await
            .map_err(gateway_failure)?
            .into_inner(),
    )
}

#[derive(Deserialize)]
struct OpportunityQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    open_on: String,
}

async fn opportunities(
    State(c): State<Console>,
    headers: HeaderMap,
    Query(q): Query<OpportunityQuery>,
) -> Result<Response, Failure> {
    c.guard(&headers)?;
    let list = |s: &str| -> Vec<String> {
        s.split(',')
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let answer = pb::opportunities_client::OpportunitiesClient::new(c.channel.clone())
        .list(pb::ListOpportunities {
            states: list(&q.state),
            kinds: list(&q.kind),
            sectors: list(&q.sector),
            regions: vec![],
            open_on: q.open_on,
            include_withdrawn: false,
        })
        .await
        .map_err(gateway_failure)?
        .into_inner();
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        midwa_commands::opportunities::json(&answer),
    )
        .into_response())
}

/// How each state is reporting (coordinators): last delivery, days with data in the last 30,
/// connected now, consent policy in force.
async fn completeness(
    State(c): State<Console>,
    headers: HeaderMap,
) -> Result<Json<Value>, Failure> {
    c.guard(&headers)?;
    let states = pb::region_client::RegionClient::new(c.channel.clone())
        .completeness(pb::CompletenessRequest {})
        .await
        .map_err(gateway_failure)?
        .into_inner()
        .states;
    let states: Vec<Value> = states
        .iter()
        .map(|s| {
            json!({
                "state": s.state, "last_delivery_ms": s.last_delivery_ms,
                "days_reported": s.days_reported_30, "connected": s.connected,
                "policy_version": s.policy_version, "policy_pushed_ms": s.policy_pushed_ms,
            })
        })
        .collect();
    Ok(Json(json!({ "states": states })))
}

async fn notices(State(c): State<Console>, headers: HeaderMap) -> Result<Json<Value>, Failure> {
    c.guard(&headers)?;
    let rows = pb::notices_client::NoticesClient::new(c.channel.clone())
        .summary(pb::NoticeSummaryRequest::default())
        .await
        .map_err(gateway_failure)?
        .into_inner()
        .rows;
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "origin": r.origin, "month": r.month, "mode": r.mode, "notices": r.notices,
                "persons": r.persons, "with_vulnerabilities": r.with_vulnerabilities,
                "acknowledged": r.acknowledged,
            })
        })
        .collect();
    Ok(Json(json!({ "rows": rows })))
}

async fn participants(
    State(c): State<Console>,
    headers: HeaderMap,
) -> Result<Json<Value>, Failure> {
    c.guard(&headers)?;
    let list = pb::region_client::RegionClient::new(c.channel.clone())
        .participants(pb::ParticipantsRequest {})
        .await
        .map_err(gateway_failure)?
        .into_inner()
        .participants;
    let names: serde_json::Map<String, Value> = list
        .iter()
        .map(|p| {
            let names =
                json!({ "en": p.name_en, "fr": p.name_fr, "pt": p.name_pt, "status": p.status });
            (p.code.clone(), names)
        })
        .collect();
    Ok(Json(Value::Object(names)))
}

#[derive(Deserialize)]
struct VerifyBody {
    code: String,
}

async fn verify(
    State(c): State<Console>,
    headers: HeaderMap,
    Json(body): Json<VerifyBody>,
) -> Result<Json<Value>, Failure> {
    c.guard(&headers)?;
    receipt::verify(&c.channel, &body.code, None, &c.config)
        .await
        .map(Json)
}

async fn verify_image(
    State(c): State<Console>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Value>, Failure> {
    c.guard(&headers)?;
    let (code, attestation) = tokio::task::spawn_blocking(move || receipt::read_qr(&body))
        .await
        .map_err(|_| {
            Failure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
            )
        })??;
    receipt::verify(&c.channel, &code, attestation.as_deref(), &c.config)
        .await
        .map(Json)
}
