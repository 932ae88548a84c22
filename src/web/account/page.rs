//! `GET /account`, and the page every account action answers with (or a block of it): the
//! email, the time zone, the sessions list and the password form.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Utc};

use super::device::describe;
use crate::{
    domain::calendar::{TimeZone, place_name, zone_groups},
    error::AppError,
    store::{SessionInfo, sessions::handle_of},
    web::{
        page::{PageContext, render},
        session::CurrentUser,
        state::AppState,
    },
};

#[derive(Template)]
#[template(path = "pages/account.html", blocks = ["sessions", "password", "time_zone"])]
pub struct AccountPage {
    pub ctx: PageContext,
    pub email: String,
    /// The time zone card: the zone in force and the picker.
    pub zone: ZoneCard,
    pub sessions: Vec<SessionRow>,
    pub password: PasswordErrors,
    /// What just happened to the password (htmx): shown above its form.
    pub password_notice: Option<String>,
    /// What just happened to the sessions (htmx): shown above the list.
    pub sessions_notice: Option<String>,
    /// Render the sessions block as an out-of-band swap (inside another fragment).
    pub sessions_oob: bool,
}

/// One line of the sessions list.
pub struct SessionRow {
    pub handle: String,
    pub device: String,
    pub detail: Option<String>,
    pub is_api: bool,
    pub is_current: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The user's zone, which the times are written in.
    pub time_zone: TimeZone,
}

impl SessionRow {
    fn new(session: SessionInfo, current: &str, time_zone: TimeZone) -> Self {
        let is_api = session.kind == "api";
        let (device, detail) = describe(session.user_agent.as_deref(), is_api);
        SessionRow {
            handle: handle_of(&session.id),
            device,
            detail,
            is_api,
            is_current: session.id == current,
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
            time_zone,
        }
    }

    pub fn created(&self) -> String {
        self.time_zone.format_moment(self.created_at)
    }

    pub fn last_seen(&self) -> String {
        self.time_zone.format_moment(self.last_seen_at)
    }
}

/// The time zone card: the zone in force, what the picker shows selected (the zone, or what
/// was just sent when it was refused) and the picker's choices.
pub struct ZoneCard {
    pub current: TimeZone,
    /// The user's date and time now, in `current`.
    pub local_now: String,
    /// The value the picker shows selected.
    pub selected: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub groups: Vec<ZoneOptions>,
}

/// One `<optgroup>` of the picker.
pub struct ZoneOptions {
    pub label: &'static str,
    pub options: Vec<ZoneOption>,
}

pub struct ZoneOption {
    pub value: String,
    pub label: String,
}

impl ZoneCard {
    /// The card for a user in `current` at `now`, showing `selected` picked (what the user
    /// sent, when it was refused). A selection the regional list does not hold (a link name
    /// such as `Asia/Calcutta`, or the refused input) is offered first, so the form shows
    /// exactly what is in force or what was typed.
    pub fn new(current: TimeZone, selected: &str, now: DateTime<Utc>) -> Self {
        let groups: Vec<ZoneOptions> = zone_groups()
            .into_iter()
            .map(|group| ZoneOptions {
                label: group.region,
                options: group
                    .zones
                    .into_iter()
                    .map(|zone| ZoneOption {
                        value: zone.name().to_owned(),
                        label: format!("{} ({})", place_name(zone), zone.offset_label(now)),
                    })
                    .collect(),
            })
            .collect();
        let listed = groups
            .iter()
            .any(|g| g.options.iter().any(|o| o.value == selected));
        let mut card = Self {
            current,
            local_now: current.format_moment(now),
            selected: selected.to_owned(),
            error: None,
            notice: None,
            groups,
        };
        if !listed {
            let label = match TimeZone::parse(selected) {
                Some(zone) => format!("{} ({})", zone.name(), zone.offset_label(now)),
                None => selected.to_owned(),
            };
            card.groups.insert(
                0,
                ZoneOptions {
                    label: "Selected",
                    options: vec![ZoneOption {
                        value: selected.to_owned(),
                        label,
                    }],
                },
            );
        }
        card
    }
}

#[derive(Default)]
pub struct PasswordErrors {
    pub current: Option<&'static str>,
    pub new: Option<&'static str>,
    pub confirm: Option<&'static str>,
}

impl PasswordErrors {
    pub fn any(&self) -> bool {
        self.current.is_some() || self.new.is_some() || self.confirm.is_some()
    }
}

async fn sessions_of(state: &AppState, user: &CurrentUser) -> Result<Vec<SessionRow>, AppError> {
    let sessions = state.store.list_sessions(user.id, Utc::now()).await?;
    let mut rows: Vec<SessionRow> = sessions
        .into_iter()
        .map(|s| SessionRow::new(s, &user.session_id, user.time_zone))
        .collect();
    // This session first: it is the one people look for.
    rows.sort_by_key(|row| !row.is_current);
    Ok(rows)
}

/// The account page for `user`, with `password`'s errors (if any) in its form.
pub async fn page(
    state: &AppState,
    user: &CurrentUser,
    ctx: PageContext,
    password: PasswordErrors,
) -> Result<AccountPage, AppError> {
    let mut ctx = ctx.with_user(user);
    ctx.section = "account";
    Ok(AccountPage {
        ctx,
        email: user.email.clone(),
        zone: ZoneCard::new(user.time_zone, user.time_zone.name(), state.clock.now()),
        sessions: sessions_of(state, user).await?,
        password,
        password_notice: None,
        sessions_notice: None,
        sessions_oob: false,
    })
}

/// `GET /account`.
pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    ctx: PageContext,
) -> Result<HttpResponse, AppError> {
    let page = page(&state, &user, ctx, PasswordErrors::default()).await?;
    render(StatusCode::OK, &page)
}
