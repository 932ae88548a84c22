//! JSON in and out of the API: a strict body reader (each refused field named) and the
//! JSON answer.

use std::{collections::HashSet, fmt};

use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::{
    Deserialize, Deserializer,
    de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor},
};
use serde_json::{Map, Number, Value};

use crate::error::{AppError, FieldError};

/// Reads a JSON object body into `T`, refusing what the API does not accept: a body that is
/// not JSON (415), malformed JSON (400), anything but an object, fields outside `allowed`, and
/// values of the wrong type (422, each field named). An empty body reads as `{}`.
pub fn read_json<T: DeserializeOwned>(
    req: &HttpRequest,
    body: &[u8],
    allowed: &[&str],
) -> Result<T, AppError> {
    let value = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Object(Default::default())
    } else {
        let mime = req.mime_type().ok().flatten();
        let is_json = mime.is_some_and(|m| {
            m.type_() == "application"
                && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
        });
        if !is_json {
            return Err(AppError::UnsupportedMediaType(
                "Send the body as JSON (Content-Type: application/json).",
            ));
        }
        serde_json::from_slice::<Unique>(body)
            .map(|unique| unique.0)
            .map_err(|e| {
                let what = if e.classify() == serde_json::error::Category::Data {
                    "names a field more than once"
                } else {
                    "is not valid JSON"
                };
                AppError::BadRequest(format!(
                    "The body {what} (line {}, column {}).",
                    e.line(),
                    e.column()
                ))
            })?
    };
    let Some(object) = value.as_object() else {
        return Err(AppError::Invalid(vec![FieldError::new(
            "body",
            "must be a JSON object",
        )]));
    };
    let unknown: Vec<FieldError> = object
        .keys()
        .filter(|key| !allowed.contains(&key.as_str()))
        .map(|key| {
            let why = match key.as_str() {
                "id" | "user_id" | "created_at" | "updated_at" => {
                    "is set by the server and cannot be written"
                }
                _ => "is not a field of this request",
            };
            FieldError::new(key.clone(), why)
        })
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::Invalid(unknown));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner().to_string();
        // serde names a missing field only in its message: "missing field `title`".
        let missing = inner
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let error = match missing {
            Some(field) => FieldError::new(field, "is required"),
            None if path == "." => FieldError::new("body", "has the wrong shape"),
            None => FieldError::new(path, "has the wrong type"),
        };
        AppError::Invalid(vec![error])
    })
}

/// For `Option<Option<T>>` fields: absent is `None`, `null` is `Some(None)`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// `200` (or another status) with a JSON body.
pub fn json(
    status: actix_web::http::StatusCode,
    body: &impl serde::Serialize,
) -> Result<HttpResponse, AppError> {
    let body = serde_json::to_string(body).map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::build(status)
        .content_type("application/json")
        .body(body))
}

/// JSON read into a [`Value`], refusing an object that names a key twice: serde_json would
/// keep the last one silently, so `{"title": "a", "title": "b"}` would mean "b" here and
/// "a" to another parser.
struct Unique(Value);

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Unique(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom("a key appears twice"));
            }
            let Unique(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}
