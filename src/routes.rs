//! The route table ([`routes`]), readable top to bottom: every URL the app answers and its
//! methods are here, and the feature modules under [`crate::web`] only export handlers.

use actix_web::{error::QueryPayloadError, web};

use crate::{
    error::AppError,
    web::{
        account, api, assets,
        auth::{login, logout, signup},
        health, home, tags,
        tasks::{actions, create, edit, events, export, import, list, trash},
    },
};

/// The route table: every URL the app answers, with its methods. Any other method on a
/// known path is a 405 that says which are allowed ([`allow`]); under `/api` an unknown path
/// is a JSON 404 like every API error.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/")
            .get(home::index)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/healthz")
            .get(health::healthz)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/readyz")
            .get(health::readyz)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/static/{file}")
            .get(assets::serve)
            .default_service(allow("GET, HEAD")),
    )
    // Signing up, in and out.
    .service(
        web::resource("/signup")
            .get(signup::get)
            .post(signup::post)
            .default_service(allow("GET, HEAD, POST")),
    )
    .service(
        web::resource("/login")
            .get(login::get)
            .post(login::post)
            .default_service(allow("GET, HEAD, POST")),
    )
    .service(
        web::resource("/logout")
            .post(logout::post)
            .default_service(allow("POST")),
    )
    // The dashboard and its tasks.
    .service(
        web::resource("/tasks")
            .get(list::index)
            .post(create::create)
            .default_service(allow("GET, HEAD, POST")),
    )
    .service(
        web::resource("/tasks/export.{format}")
            .get(export::export)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/tasks/trash")
            .get(trash::index)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/tasks/trash/empty")
            .post(trash::empty)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/tasks/trash/{id}/restore")
            .post(trash::restore)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/tasks/trash/{id}/erase")
            .post(trash::erase)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/tasks/undo")
            .post(actions::undo)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/tasks/import")
            .get(import::page)
            .post(import::post)
            .default_service(allow("GET, HEAD, POST")),
    )
    .service(
        web::resource("/tasks/quick-add")
            .get(create::preview)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/tasks/new")
            .get(create::new)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/tasks/events")
            .get(events::stream)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/tasks/bulk")
            .post(actions::bulk)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/tasks/{id}")
            .get(edit::show)
            .post(edit::update)
            .default_service(allow("GET, HEAD, POST")),
    )
    .service(
        web::resource("/tasks/{id}/edit")
            .get(edit::edit)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/tasks/{id}/toggle")
            .post(actions::toggle)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/tasks/{id}/delete")
            .get(actions::confirm_delete)
            .post(actions::delete)
            .default_service(allow("GET, HEAD, POST")),
    )
    // Tags across tasks: counts, rename (merge) and delete.
    .service(
        web::resource("/tags")
            .get(tags::index)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/tags/rename")
            .post(tags::rename)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/tags/delete")
            .post(tags::delete)
            .default_service(allow("POST")),
    )
    // The account: time zone, sessions and password.
    .service(
        web::resource("/account")
            .get(account::page::show)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/account/time-zone")
            .post(account::time_zone::set)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/account/password")
            .post(account::password::change_password)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/account/sessions/others/revoke")
            .post(account::sessions::revoke_others)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/account/sessions/{handle}/revoke")
            .post(account::sessions::revoke)
            .default_service(allow("POST")),
    )
    // The JSON API.
    .service(
        web::scope("/api")
            .service(
                web::resource("/openapi.json")
                    .get(api::openapi::document)
                    .default_service(allow("GET, HEAD")),
            )
            .service(
                web::resource("/auth/token")
                    .post(api::auth::create)
                    .delete(api::auth::revoke)
                    .default_service(allow("POST, DELETE")),
            )
            .service(
                web::resource("/tasks")
                    .get(api::tasks::list::list)
                    .post(api::tasks::create::create)
                    .default_service(allow("GET, HEAD, POST")),
            )
            .service(
                web::resource("/tasks/import")
                    .post(api::tasks::import::import)
                    .default_service(allow("POST")),
            )
            .service(
                web::resource("/tasks/{id}")
                    .get(api::tasks::item::get)
                    .put(api::tasks::item::put)
                    .patch(api::tasks::item::patch)
                    .delete(api::tasks::item::delete)
                    .default_service(allow("GET, HEAD, PUT, PATCH, DELETE")),
            )
            .service(
                web::resource("/tasks/{id}/restore")
                    .post(api::tasks::item::restore)
                    .default_service(allow("POST")),
            )
            .service(
                web::resource("/tasks/{id}/complete")
                    .patch(api::tasks::item::complete)
                    .default_service(allow("PATCH")),
            )
            .service(
                web::resource("/tags")
                    .get(api::tags::list)
                    .default_service(allow("GET, HEAD")),
            )
            .service(
                web::resource("/me")
                    .get(api::me::get)
                    .patch(api::me::patch)
                    .default_service(allow("GET, HEAD, PATCH")),
            )
            .service(
                web::resource("/stats")
                    .get(api::me::stats)
                    .default_service(allow("GET, HEAD")),
            )
            .default_service(web::to(not_found)),
    );
}

/// A resource's answer to any other method: 405 with `Allow: {methods}`. HEAD is listed
/// wherever GET is, and served by the GET route (see [`crate::web::middleware::head_as_get`]).
fn allow(methods: &'static str) -> actix_web::Route {
    web::to(move || async move {
        Err::<actix_web::HttpResponse, AppError>(AppError::MethodNotAllowed(methods))
    })
}

/// A query string the handler's parameters cannot be read from: 400, naming a parameter
/// given twice (the one mistake a query of known names can make beyond a bad value, which
/// the views check themselves).
pub fn query_error(error: QueryPayloadError, _: &actix_web::HttpRequest) -> actix_web::Error {
    let text = error.to_string();
    let repeated = text
        .split("duplicate field `")
        .nth(1)
        .and_then(|rest| rest.split('`').next());
    let message = match repeated {
        Some(name) => {
            format!("The query parameter `{name}` is given more than once; give it once.")
        }
        None => "The query string could not be read.".to_owned(),
    };
    AppError::BadRequest(message).into()
}

pub async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}
