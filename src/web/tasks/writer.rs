//! [`Writer`], what every task write takes, and its one way of answering a successful write:
//! a redirect with a flash message, or for htmx the refreshed table region.

use std::{future::Future, pin::Pin};

use actix_session::Session;
use actix_web::{
    FromRequest, HttpRequest, HttpResponse,
    dev::Payload,
    http::{
        StatusCode,
        header::{self, HeaderName, HeaderValue},
    },
    web,
};

use super::{
    dashboard::{Dashboard, DashboardPage},
    tag_picker::tag_choices,
    view::ListView,
};
use crate::{
    domain::task::{TaskDraft, TaskErrors},
    error::AppError,
    web::{
        page::{FlashKind, HxRequest, PageContext, Undo, flash, flash_undo, render},
        session::CurrentUser,
        state::AppState,
    },
};

/// What a write on a task that is not there says (deleted in another tab, or someone
/// else's: never told apart).
pub const GONE: &str = "This task was deleted elsewhere. The list is up to date.";

/// What every task write needs: the app, this browser's session, the page context, the
/// signed-in user and whether htmx asked.
pub struct Writer {
    pub state: web::Data<AppState>,
    pub session: Session,
    pub ctx: PageContext,
    pub user: CurrentUser,
    pub htmx: bool,
}

impl FromRequest for Writer {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parts = <(
            web::Data<AppState>,
            Session,
            PageContext,
            CurrentUser,
            HxRequest,
        )>::from_request(req, payload);
        Box::pin(async move {
            let (state, session, ctx, user, HxRequest(htmx)) = parts.await?;
            Ok(Writer {
                state,
                session,
                ctx,
                user,
                htmx,
            })
        })
    }
}

impl Writer {
    /// The answer to a successful write: a redirect back to the view with a flash message,
    /// or, for htmx, the refreshed region with the message announced.
    pub async fn done(
        self,
        view: ListView,
        message: String,
        reset_create_form: bool,
    ) -> Result<HttpResponse, AppError> {
        if !self.htmx {
            flash(&self.session, FlashKind::Success, message);
            return Ok(back_to(&view));
        }
        self.region(view, message, None, reset_create_form).await
    }

    /// The answer when the task(s) acted on are not there (deleted in another tab, or never
    /// the user's: the same words either way): nothing changed, so no error page and no
    /// lost list. A redirect back with a calm flash message, or, for htmx, the refreshed
    /// region (fresh rows and stats) with the message above the rows, in place of whatever
    /// the request targeted.
    pub async fn gone(self, view: ListView, message: String) -> Result<HttpResponse, AppError> {
        if !self.htmx {
            flash(&self.session, FlashKind::Info, message);
            return Ok(back_to(&view));
        }
        let mut response = self
            .region(view, message.clone(), Some(message), false)
            .await?;
        let headers = response.headers_mut();
        headers.insert(
            HeaderName::from_static("hx-retarget"),
            HeaderValue::from_static("#task-region"),
        );
        headers.insert(
            HeaderName::from_static("hx-reswap"),
            HeaderValue::from_static("innerHTML"),
        );
        Ok(response)
    }

    /// The answer to a delete: as [`Writer::done`], the message with an Undo button (in the
    /// flash message without JavaScript, in a toast with it) that restores `batch`.
    pub async fn deleted(
        self,
        view: ListView,
        message: String,
        batch: String,
    ) -> Result<HttpResponse, AppError> {
        let undo = Undo {
            batch,
            view: view.query(),
        };
        if !self.htmx {
            flash_undo(&self.session, message, undo);
            return Ok(back_to(&view));
        }
        self.region_with(view, message, None, false, Some(undo))
            .await
    }

    /// The refreshed table region, the message announced and, with `notice`, also shown.
    pub async fn region(
        self,
        view: ListView,
        message: String,
        notice: Option<String>,
        reset_create_form: bool,
    ) -> Result<HttpResponse, AppError> {
        self.region_with(view, message, notice, reset_create_form, None)
            .await
    }

    async fn region_with(
        self,
        view: ListView,
        message: String,
        notice: Option<String>,
        reset_create_form: bool,
        undo: Option<Undo>,
    ) -> Result<HttpResponse, AppError> {
        let (mut dash, tag_choices) = tokio::try_join!(
            Dashboard::load(&self.state, &self.user, view.clone()),
            async {
                tag_choices(&self.state.store, self.user.id, &view)
                    .await
                    .map_err(AppError::from)
            },
        )?;
        dash.notice = notice;
        let page = DashboardPage {
            dash,
            ctx: self.ctx.with_user(&self.user),
            draft: TaskDraft::default(),
            errors: TaskErrors::default(),
            oob: true,
            reset_create_form,
            announce: Some(message),
            tag_choices,
            tags_oob: true,
            undo,
        };
        render(StatusCode::OK, &page.as_region())
    }
}

/// A 303 back to the view the write came from.
pub fn back_to(view: &ListView) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, view.href()))
        .finish()
}

/// Quotes a task title for a message, shortened so a long title cannot flood the page.
pub fn quoted(title: &str) -> String {
    let mut short: String = title.chars().take(60).collect();
    if short.len() < title.len() {
        short.push('…');
    }
    format!("“{short}”")
}
