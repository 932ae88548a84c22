//! `GET /`: the dashboard for signed-in users, the sign-in page for everyone else.

use actix_web::{FromRequest, HttpRequest, HttpResponse, http::header};

use crate::{error::AppError, web::session::CurrentUser};

pub async fn index(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let location = match CurrentUser::extract(&req).await {
        Ok(_) => "/tasks",
        Err(AppError::SignedOut) => "/login",
        Err(other) => return Err(other),
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish())
}
