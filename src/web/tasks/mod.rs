//! The dashboard: a user's tasks.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;

use crate::{
    auth::CurrentUser,
    error::AppError,
    web::page::{PageContext, render},
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tasks", web::get().to(index));
}

#[derive(Template)]
#[template(path = "pages/tasks.html")]
struct TasksPage {
    ctx: PageContext,
}

async fn index(user: CurrentUser, ctx: PageContext) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::OK,
        &TasksPage {
            ctx: ctx.with_user(&user),
        },
    )
}
