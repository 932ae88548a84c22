//! Static files, embedded in the binary and served under content-hashed names.
//!
//! A file's URL carries a hash of its bytes (`/static/app.3f9c2a1b7e.css`), so browsers may
//! cache it forever (`immutable`) and a new build can never be served stale. The htmx file is
//! vendored, pinned by version in its name, and loaded with a Subresource Integrity hash.

use std::sync::{LazyLock, OnceLock};

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use base64::{Engine, engine::general_purpose::STANDARD};
use sha2::{Digest, Sha256, Sha384};

use super::compress::{Coding, negotiate};
use crate::error::AppError;

/// One embedded file and the URL it is served at.
pub struct Asset {
    pub url: String,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
    /// The brotli and gzip forms, compressed at best quality on first use; `None` when
    /// compression would not make the file smaller.
    brotli: OnceLock<Option<Vec<u8>>>,
    gzip: OnceLock<Option<Vec<u8>>>,
}

impl Asset {
    /// The file's bytes in `coding`, if that form is smaller.
    fn encoded(&self, coding: Coding) -> Option<&[u8]> {
        let cell = match coding {
            Coding::Brotli => &self.brotli,
            Coding::Gzip => &self.gzip,
        };
        cell.get_or_init(|| {
            coding
                .encode(self.bytes, true)
                .ok()
                .filter(|packed| packed.len() < self.bytes.len())
        })
        .as_deref()
    }
}

/// Every embedded file, with the URLs and the integrity hash templates need.
pub struct Assets {
    pub css: Asset,
    pub htmx: Asset,
    pub htmx_integrity: String,
    pub app_js: Asset,
    pub icon: Asset,
}

impl Assets {
    fn all(&self) -> [&Asset; 4] {
        [&self.css, &self.htmx, &self.app_js, &self.icon]
    }
}

pub static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let htmx: &'static [u8] = include_bytes!("../../static/vendor/htmx-2.0.11.min.js");
    Assets {
        css: asset(
            "app",
            "css",
            "text/css; charset=utf-8",
            include_bytes!("../../static/css/app.css"),
        ),
        htmx: asset("htmx-2.0.11", "js", "text/javascript; charset=utf-8", htmx),
        htmx_integrity: format!("sha384-{}", STANDARD.encode(Sha384::digest(htmx))),
        app_js: asset(
            "app",
            "js",
            "text/javascript; charset=utf-8",
            include_bytes!("../../static/js/app.js"),
        ),
        icon: asset(
            "icon",
            "svg",
            "image/svg+xml",
            include_bytes!("../../static/icon.svg"),
        ),
    }
});

fn asset(stem: &str, ext: &str, content_type: &'static str, bytes: &'static [u8]) -> Asset {
    let hash = hex::encode(&Sha256::digest(bytes)[..5]);
    Asset {
        url: format!("/static/{stem}.{hash}.{ext}"),
        content_type,
        bytes,
        brotli: OnceLock::new(),
        gzip: OnceLock::new(),
    }
}

/// `GET /static/{file}`: only the current, hashed names exist.
/// Sent compressed when the client accepts it (compressed once, then from memory).
pub async fn serve(req: HttpRequest, file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let path = format!("/static/{}", file.into_inner());
    let asset = ASSETS
        .all()
        .into_iter()
        .find(|a| a.url == path)
        .ok_or(AppError::NotFound)?;
    let mut res = HttpResponse::Ok();
    res.content_type(asset.content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::VARY, "accept-encoding"));
    let encoded = negotiate(req.headers())
        .for_static()
        .and_then(|coding| asset.encoded(coding).map(|bytes| (coding, bytes)));
    Ok(match encoded {
        Some((coding, bytes)) => res
            .insert_header((header::CONTENT_ENCODING, coding.header_value()))
            .body(bytes),
        None => res.body(asset.bytes),
    })
}
