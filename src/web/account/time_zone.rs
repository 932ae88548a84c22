//! `POST /account/time-zone`: the zone the user's days are counted in. It takes effect on
//! the very next request: every handler reads the zone with the session.

use actix_session::Session;
use actix_web::{HttpResponse, http::StatusCode, http::header, web};
use askama::Template;
use serde::Deserialize;

use super::page::{PasswordErrors, ZoneCard, page};
use crate::{
    domain::calendar::TimeZone,
    error::AppError,
    web::{
        page::{FlashKind, HxRequest, PageContext, flash, redirect, render_page_or},
        session::CurrentUser,
        state::AppState,
    },
};

#[derive(Deserialize)]
pub struct TimeZoneForm {
    #[serde(default)]
    time_zone: String,
}

/// What the card says when a zone is refused.
fn unknown_zone(sent: &str) -> String {
    if sent.trim().is_empty() {
        "Choose a time zone from the list.".to_owned()
    } else {
        format!(
            "\u{201c}{}\u{201d} is not a time zone we know. Choose one from the list, such as Europe/Berlin.",
            sent.chars().take(64).collect::<String>()
        )
    }
}

/// Sets `user`'s zone (the account page and `PATCH /api/me`).
pub async fn change(state: &AppState, user: &CurrentUser, zone: TimeZone) -> Result<(), AppError> {
    state
        .store
        .set_time_zone(user.id, zone, state.clock.now())
        .await?;
    tracing::info!(
        user_id = user.id,
        time_zone = zone.name(),
        "time zone changed"
    );
    Ok(())
}

/// `POST /account/time-zone`: sets the zone, or answers 422 with the card showing what was
/// sent and why it was refused.
pub async fn set(
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
    form: web::Form<TimeZoneForm>,
) -> Result<HttpResponse, AppError> {
    let sent = form.into_inner().time_zone;
    let Some(zone) = TimeZone::parse(&sent) else {
        let mut page = page(&state, &user, ctx, PasswordErrors::default()).await?;
        page.zone = ZoneCard::new(user.time_zone, &sent, state.clock.now());
        page.zone.error = Some(unknown_zone(&sent));
        return render_page_or(
            StatusCode::UNPROCESSABLE_ENTITY,
            htmx,
            &page,
            &page.as_time_zone(),
        );
    };
    change(&state, &user, zone).await?;
    let message = format!("Time zone set to {zone}. Dates now show in it.");
    if !htmx {
        flash(&session, FlashKind::Success, message);
        return Ok(redirect(false, "/account"));
    }
    // The card, and the sessions list out of band: its times are in the new zone.
    let user = CurrentUser {
        time_zone: zone,
        ..user
    };
    let mut page = page(&state, &user, ctx, PasswordErrors::default()).await?;
    page.zone.notice = Some(message);
    page.sessions_oob = true;
    let body = [page.as_time_zone().render(), page.as_sessions().render()]
        .into_iter()
        .collect::<Result<String, _>>()
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::VARY, "HX-Request"))
        .body(body))
}
