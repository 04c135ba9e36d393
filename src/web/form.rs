//! Reading `application/x-www-form-urlencoded` bodies strictly: valid UTF-8
//! only, a bounded number of fields, repeated names kept (checkboxes).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::error::AppError;

/// The largest form body accepted: 20 points of 10,000 characters each, in
/// the worst case of percent-encoded multi-byte text, with room for the rest.
/// (actix-web's default of 16 KiB would refuse one long committee answer.)
pub const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The most fields a form may have.
pub const MAX_FIELDS: usize = 1_000;

/// A parsed form: (name, value) pairs in the order sent.
#[derive(Debug, Clone, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    /// Parses a body; refuses invalid UTF-8 and too many fields.
    pub fn parse(body: &[u8]) -> Result<Self, AppError> {
        let mut fields = Vec::new();
        for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            if fields.len() == MAX_FIELDS {
                return Err(AppError::BadRequest(format!(
                    "The form has more than {MAX_FIELDS} fields"
                )));
            }
            let mut parts = pair.splitn(2, |b| *b == b'=');
            let name = decode(parts.next().unwrap_or_default())?;
            let value = decode(parts.next().unwrap_or_default())?;
            fields.push((name, value));
        }
        Ok(Self(fields))
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every value of `name` (checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every (name, value) pair.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// Builds a form from pairs (for tests and re-rendering).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }
}

fn decode(raw: &[u8]) -> Result<String, AppError> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_encoding::percent_decode(&spaced)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| AppError::BadRequest("The form contained characters that are not valid text (UTF-8). Please check what you pasted in and try again.".into()))
}

impl FromRequest for FormData {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_form {
                return Err(AppError::UnsupportedMediaType(
                    "Send the form as application/x-www-form-urlencoded".into(),
                ));
            }
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    AppError::PayloadTooLarge
                } else if let Some(payload) = e.as_error::<actix_web::error::PayloadError>() {
                    super::error::payload_error(payload)
                } else {
                    AppError::BadRequest(format!("The form could not be read: {e}"))
                }
            })?;
            FormData::parse(&bytes)
        })
    }
}

/// A posted form whose CSRF token has been checked. Handlers that change
/// anything take this rather than [`FormData`], so none can forget the
/// check; it runs after the extractors before it (sign-in comes first).
#[derive(Debug, Clone)]
pub struct CheckedForm(pub FormData);

impl std::ops::Deref for CheckedForm {
    type Target = FormData;

    fn deref(&self) -> &FormData {
        &self.0
    }
}

impl FromRequest for CheckedForm {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let form = FormData::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let form = form.await?;
            let state = req
                .app_data::<web::Data<super::state::AppState>>()
                .ok_or_else(|| AppError::Internal("no application state".into()))?;
            super::auth::check_csrf(&req, state, &form)?;
            Ok(Self(form))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_decoded_and_repeated_names_kept() {
        let form =
            FormData::parse(b"name=Ann+Smith&tag=1&tag=2&text=%C2%A3100+%E2%80%93+ok&empty=")
                .expect("parses");
        assert_eq!(form.get("name"), "Ann Smith");
        assert_eq!(form.all("tag"), vec!["1", "2"]);
        assert_eq!(form.get("text"), "£100 – ok");
        assert_eq!(form.get("missing"), "");
    }

    #[test]
    fn invalid_utf8_is_refused_clearly() {
        let err = FormData::parse(b"name=%FF%FE").expect_err("invalid utf-8");
        assert!(err.to_string().contains("not valid text"));
    }

    #[test]
    fn too_many_fields_are_refused() {
        let body = "a=1&".repeat(MAX_FIELDS + 1);
        assert!(FormData::parse(body.as_bytes()).is_err());
    }
}
