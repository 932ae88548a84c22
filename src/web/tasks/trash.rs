//! `/tasks/trash`: the tasks deleted in the last 30 days (see `store::trash`), most recently
//! deleted first, each with Restore and Delete forever; and Empty trash. Plain forms; the
//! two that erase for good ask first, on a page of their own, with or without JavaScript.

use actix_session::Session;
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::writer::quoted;
use crate::{
    error::AppError,
    store::{TrashedTask, trash::KEPT_DAYS},
    web::{
        page::{FlashKind, HxRequest, PageContext, flash, redirect, render},
        session::CurrentUser,
        state::AppState,
    },
};

/// Tasks a page of the trash lists.
const PAGE: i64 = 50;
const HOME: &str = "/tasks/trash";

#[derive(Template)]
#[template(path = "pages/trash.html")]
struct TrashPage {
    ctx: PageContext,
    tasks: Vec<Shown>,
    /// This page's number (1 first) and whether there are older ones.
    page: i64,
    more: bool,
    kept_days: i64,
}

/// A trashed task as the page lists it, known by its key in the trash (two trashed tasks
/// may have had one id: see migration 0019).
struct Shown {
    id: i64,
    title: String,
    /// When it was deleted, on the user's clock.
    deleted: String,
    tags: Vec<String>,
}

/// "Delete “X” forever?" or "Empty the trash?".
#[derive(Template)]
#[template(path = "pages/trash_confirm.html")]
struct ConfirmPage {
    ctx: PageContext,
    /// The task to erase; `None`: the whole trash.
    task: Option<Shown>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<String>,
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    /// `1` once the user confirmed.
    #[serde(default)]
    confirm: String,
}

fn shown(user: &CurrentUser, trashed: TrashedTask) -> Shown {
    Shown {
        id: trashed.trash_id,
        tags: trashed
            .task
            .tag_list()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        title: trashed.task.title,
        deleted: user.time_zone.format_moment(trashed.trashed_at),
    }
}

pub async fn index(
    user: CurrentUser,
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    // An unreadable page number is the first page, as the dashboard's are.
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let mut tasks = state
        .store
        .list_trash(user.id, PAGE + 1, (page - 1) * PAGE)
        .await?;
    let more = tasks.len() as i64 > PAGE;
    tasks.truncate(PAGE as usize);
    let page = TrashPage {
        tasks: tasks.into_iter().map(|t| shown(&user, t)).collect(),
        ctx: ctx.with_user(&user),
        page,
        more,
        kept_days: KEPT_DAYS,
    };
    render(StatusCode::OK, &page)
}

/// `POST /tasks/trash/{id}/restore`.
pub async fn restore(
    HxRequest(htmx): HxRequest,
    user: CurrentUser,
    session: Session,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    match state.store.restore_entry(user.id, *id).await? {
        Some(task) => flash(
            &session,
            FlashKind::Success,
            format!(
                "Restored {}. It is back in your tasks.",
                quoted(&task.title)
            ),
        ),
        None => flash(&session, FlashKind::Info, GONE),
    }
    Ok(redirect(htmx, HOME))
}

/// What a trash action on a task that is no longer there says.
const GONE: &str = "That task is no longer in the trash. The list is up to date.";

/// `POST /tasks/trash/{id}/erase`: asks first, then erases the task for good.
pub async fn erase(
    HxRequest(htmx): HxRequest,
    user: CurrentUser,
    ctx: PageContext,
    session: Session,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    if form.confirm != "1" {
        let Some(found) = state.store.get_trashed(user.id, *id).await? else {
            flash(&session, FlashKind::Info, GONE);
            return Ok(redirect(htmx, HOME));
        };
        let page = ConfirmPage {
            task: Some(shown(&user, found)),
            ctx: ctx.with_user(&user),
        };
        return render(StatusCode::OK, &page);
    }
    if state.store.erase_trashed(user.id, *id).await? {
        flash(&session, FlashKind::Success, "Deleted for good.");
    } else {
        flash(&session, FlashKind::Info, GONE);
    }
    Ok(redirect(htmx, HOME))
}

/// `POST /tasks/trash/empty`: asks first, then erases everything in the trash.
pub async fn empty(
    HxRequest(htmx): HxRequest,
    user: CurrentUser,
    ctx: PageContext,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    if form.confirm != "1" {
        let page = ConfirmPage {
            task: None,
            ctx: ctx.with_user(&user),
        };
        return render(StatusCode::OK, &page);
    }
    let erased = state.store.empty_trash(user.id).await?;
    let message = match erased {
        0 => "The trash was already empty.".to_owned(),
        1 => "Emptied the trash: 1 task deleted for good.".to_owned(),
        n => format!("Emptied the trash: {n} tasks deleted for good."),
    };
    flash(&session, FlashKind::Success, message);
    Ok(redirect(htmx, HOME))
}
