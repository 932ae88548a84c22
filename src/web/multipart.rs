//! The one `multipart/form-data` form the app takes: the import page's upload (a file and
//! its CSRF token). Its body is read whole, within [`LIMIT`], by the CSRF check (which needs
//! the token before the handler runs) and put back; the handler reads the same bytes. A form
//! anywhere else is refused as without a token.

use actix_web::error::PayloadError;
use actix_web::{
    HttpMessage,
    dev::{Payload, ServiceRequest},
    mime,
    web::Bytes,
};
use futures_util::{Stream, StreamExt};

use crate::{domain::import::MAX_BYTES, error::AppError};

/// The path whose form may be multipart.
pub const UPLOAD_PATH: &str = "/tasks/import";
/// An import file at its limit, plus room for the form's other fields and part headers.
pub const LIMIT: usize = MAX_BYTES + 64 * 1024;

/// What a body past [`LIMIT`] is told.
pub const TOO_LARGE: &str =
    "That file is too large to import at once: at most 10,000 rows and 5 MB.";

/// The boundary of a `multipart/form-data` request, if it is one.
pub fn boundary(req: &impl HttpMessage) -> Option<String> {
    let mime = req.mime_type().ok().flatten()?;
    if mime.essence_str() != "multipart/form-data" {
        return None;
    }
    mime.get_param(mime::BOUNDARY)
        .map(|b| b.as_str().to_owned())
}

/// Reads a request's whole body, refusing it (413) past `limit` bytes.
pub async fn read_body<S>(payload: &mut S, limit: usize) -> Result<Bytes, AppError>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| AppError::BadRequest(format!("The upload broke off: {e}.")))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::TooLarge(TOO_LARGE));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// Reads an upload's body for the CSRF check and puts it back for the handler.
pub async fn buffer(req: &mut ServiceRequest) -> Result<Bytes, AppError> {
    let mut payload = req.take_payload();
    let body = read_body(&mut payload, LIMIT).await?;
    req.set_payload(Payload::from(body.clone()));
    Ok(body)
}

/// One field of a form: its name, its file name when it is a file, and its bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct Field<'a> {
    pub name: String,
    pub file_name: Option<String>,
    pub value: &'a [u8],
}

/// The fields of a `multipart/form-data` body (RFC 7578), in order. Parts that cannot be
/// read (no blank line after their headers, no name) are skipped.
pub fn fields<'a>(body: &'a [u8], boundary: &str) -> Vec<Field<'a>> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut fields = Vec::new();
    let Some(first) = find(body, delimiter) else {
        return fields;
    };
    let mut rest = &body[first + delimiter.len()..];
    loop {
        // After a delimiter: "--" closes the body, otherwise CRLF and a part.
        if rest.starts_with(b"--") {
            break;
        }
        let Some(part_start) = rest.strip_prefix(b"\r\n") else {
            break;
        };
        let closing = [b"\r\n", delimiter].concat();
        let Some(end) = find(part_start, &closing) else {
            break;
        };
        if let Some(field) = part(&part_start[..end]) {
            fields.push(field);
        }
        rest = &part_start[end + closing.len()..];
    }
    fields
}

fn part(raw: &[u8]) -> Option<Field<'_>> {
    let split = find(raw, b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let value = &raw[split + 4..];
    let disposition = head.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-disposition")
            .then_some(value)
    })?;
    let param = |key: &str| {
        disposition.split(';').find_map(|piece| {
            let (k, v) = piece.trim().split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
        })
    };
    Some(Field {
        name: param("name")?,
        file_name: param("filename"),
        value,
    })
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browsers_upload_is_read_field_by_field() {
        let body = b"--XyZ\r\n\
            Content-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\
            abc\r\n\
            --XyZ\r\n\
            Content-Disposition: form-data; name=\"file\"; filename=\"tasks.csv\"\r\n\
            Content-Type: text/csv\r\n\r\n\
            title\r\nPay rent\r\n\r\n\
            --XyZ--\r\n";
        let fields = fields(body, "XyZ");
        assert_eq!(fields.len(), 2);
        assert_eq!(
            (fields[0].name.as_str(), fields[0].value),
            ("csrf_token", &b"abc"[..])
        );
        assert_eq!(fields[1].file_name.as_deref(), Some("tasks.csv"));
        assert_eq!(fields[1].value, b"title\r\nPay rent\r\n");
    }

    #[test]
    fn what_is_not_multipart_has_no_fields() {
        assert!(fields(b"csrf_token=abc", "XyZ").is_empty());
        assert!(fields(b"--XyZ\r\nno blank line--XyZ--", "XyZ").is_empty());
        assert!(fields(b"", "").is_empty());
    }
}
