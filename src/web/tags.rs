//! `/tags`: the user's tags with how many tasks carry each, renaming one (merging it into
//! another when the new name is taken) and deleting one from every task. Plain forms; a
//! merge and a delete ask first, on a page of their own, so nothing changes by one stray
//! click, with or without JavaScript.

use actix_session::Session;
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    domain::tags::parse_tag,
    error::AppError,
    store::TagCount,
    web::{
        page::{FlashKind, HxRequest, PageContext, flash, redirect, render},
        session::CurrentUser,
        state::AppState,
    },
};

#[derive(Template)]
#[template(path = "pages/tags.html")]
struct TagsPage {
    ctx: PageContext,
    tags: Vec<TagCount>,
    /// A refused rename: the tag it was for, what was typed and why.
    refused: Option<Refused>,
}

struct Refused {
    tag: String,
    typed: String,
    message: String,
}

impl TagsPage {
    /// What a tag's rename field shows: what was typed, when that was refused.
    fn typed_for(&self, tag: &str) -> String {
        match &self.refused {
            Some(r) if r.tag == tag => r.typed.clone(),
            _ => tag.to_owned(),
        }
    }

    fn error_for(&self, tag: &str) -> Option<&str> {
        match &self.refused {
            Some(r) if r.tag == tag => Some(&r.message),
            _ => None,
        }
    }
}

/// "Merge #a into #b?" or "Delete #a?": asked before either.
#[derive(Template)]
#[template(path = "pages/tag_confirm.html")]
struct ConfirmPage {
    ctx: PageContext,
    /// The tag to rename or delete, and how many tasks carry it.
    tag: TagCount,
    /// Merging into this tag (and how many carry it); `None`: deleting.
    into: Option<TagCount>,
}

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// `1` once the user confirmed a merge.
    #[serde(default)]
    confirm: String,
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    tag: String,
    #[serde(default)]
    confirm: String,
}

fn with_tags_section(ctx: PageContext, user: &CurrentUser) -> PageContext {
    let mut ctx = ctx.with_user(user);
    ctx.section = "tags";
    ctx
}

fn tasks(n: i64) -> String {
    if n == 1 {
        "1 task".to_owned()
    } else {
        format!("{n} tasks")
    }
}

/// `GET /tags`.
pub async fn index(
    state: web::Data<AppState>,
    user: CurrentUser,
    ctx: PageContext,
) -> Result<HttpResponse, AppError> {
    let page = TagsPage {
        ctx: with_tags_section(ctx, &user),
        tags: state.store.tag_counts(user.id).await?,
        refused: None,
    };
    render(StatusCode::OK, &page)
}

/// The user's tag `name` (as typed: normalised first) with its count, if they have it.
fn find(tags: &[TagCount], name: &str) -> Option<TagCount> {
    let name = parse_tag(name).ok().flatten()?;
    tags.iter().find(|t| t.name == name).cloned()
}

/// The user's tags and the one a form names; or, when no task carries that tag any more
/// (another tab renamed or deleted it), the way back to `/tags`, with a flash saying that
/// `nothing` happened.
async fn named_tag(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
    htmx: bool,
    name: &str,
    nothing: &str,
) -> Result<Result<(Vec<TagCount>, TagCount), HttpResponse>, AppError> {
    let tags = state.store.tag_counts(user.id).await?;
    Ok(match find(&tags, name) {
        Some(tag) => Ok((tags, tag)),
        None => {
            flash(
                session,
                FlashKind::Info,
                format!("That tag is on no task any more: {nothing}."),
            );
            Err(redirect(htmx, "/tags"))
        }
    })
}

/// `POST /tags/rename`: renames a tag on every task; into a tag the user already has, only
/// once they confirm the merge.
pub async fn rename(
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
    form: web::Form<RenameForm>,
) -> Result<HttpResponse, AppError> {
    let (tags, from) = match named_tag(
        &state,
        &session,
        &user,
        htmx,
        &form.from,
        "nothing was renamed",
    )
    .await?
    {
        Ok(found) => found,
        Err(back) => return Ok(back),
    };
    let to = match parse_tag(&form.to) {
        Ok(Some(to)) => to,
        outcome => {
            let message = match outcome {
                Err(e) => e.message(),
                _ => "Give the tag a new name, or leave it as it is.".to_owned(),
            };
            let page = TagsPage {
                ctx: with_tags_section(ctx, &user),
                refused: Some(Refused {
                    tag: from.name,
                    typed: form.to.clone(),
                    message,
                }),
                tags,
            };
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if to == from.name {
        return Ok(redirect(htmx, "/tags"));
    }
    let into = tags.iter().find(|t| t.name == to).cloned();
    if into.is_some() && form.confirm != "1" {
        let page = ConfirmPage {
            ctx: with_tags_section(ctx, &user),
            tag: from,
            into,
        };
        return render(StatusCode::OK, &page);
    }
    let changed = state
        .store
        .retag(user.id, &from.name, Some(&to), state.clock.now())
        .await?;
    let message = if into.is_some() {
        format!(
            "Merged #{} into #{to}: {} changed.",
            from.name,
            tasks(changed as i64)
        )
    } else {
        format!(
            "Renamed #{} to #{to} on {}.",
            from.name,
            tasks(changed as i64)
        )
    };
    flash(&session, FlashKind::Success, message);
    Ok(redirect(htmx, "/tags"))
}

/// `POST /tags/delete`: removes a tag from every task (the tasks stay), once confirmed.
pub async fn delete(
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let tag = match named_tag(
        &state,
        &session,
        &user,
        htmx,
        &form.tag,
        "nothing to delete",
    )
    .await?
    {
        Ok((_, tag)) => tag,
        Err(back) => return Ok(back),
    };
    if form.confirm != "1" {
        let page = ConfirmPage {
            ctx: with_tags_section(ctx, &user),
            tag,
            into: None,
        };
        return render(StatusCode::OK, &page);
    }
    let changed = state
        .store
        .retag(user.id, &tag.name, None, state.clock.now())
        .await?;
    flash(
        &session,
        FlashKind::Success,
        format!(
            "Deleted #{} from {}. The tasks are still there.",
            tag.name,
            tasks(changed as i64)
        ),
    );
    Ok(redirect(htmx, "/tags"))
}
