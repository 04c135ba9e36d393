//! The API's JSON shapes, described for the OpenAPI document.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::submission::{IssueDraft, OrganisationDraft, SubmissionDraft};
use crate::domain::time;
use crate::service::consultations::Document;
use crate::service::model::Consultation;

/// RFC 9457 problem details, with field errors for invalid input.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    pub r#type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// The problem for `status`, with its field errors.
    pub fn new(
        status: actix_web::http::StatusCode,
        (title, detail): (&str, String),
        errors: &[crate::domain::ValidationError],
    ) -> Self {
        Self {
            r#type: "about:blank".into(),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors: (errors.iter())
                .map(|e| FieldError {
                    field: e.field.clone(),
                    message: e.message.clone(),
                })
                .collect(),
        }
    }

    /// The problem as a response (`application/problem+json`).
    pub fn respond(&self, mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponse {
        builder
            .content_type("application/problem+json")
            .body(serde_json::to_string(self).unwrap_or_default())
    }
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as named in the request (`points[1].text` is `point-1-text`).
    pub field: String,
    pub message: String,
}

/// A consultation as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationListing {
    pub slug: String,
    pub title: String,
    /// What the consultation is about.
    pub description: String,
    /// The same as `description`, under the name the first version of the
    /// API gave it.
    #[schema(deprecated)]
    pub summary: String,
    pub run_by: String,
    pub group_name: String,
    /// `draft`, `open`, `closed` or `published`.
    pub status: String,
    /// RFC 3339, UTC.
    pub opens_at: Option<String>,
    /// RFC 3339, UTC: the last instant responses are taken.
    pub closes_at: Option<String>,
    pub responses_received: i64,
}

impl From<&Consultation> for ConsultationListing {
    fn from(c: &Consultation) -> Self {
        let rfc = |t: Option<chrono::NaiveDateTime>| t.map(|t| time::from_db(t).to_rfc3339());
        Self {
            slug: c.slug.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            summary: c.description.clone(),
            run_by: c.run_by.clone(),
            group_name: c.group_name.clone(),
            status: c.status.as_str().into(),
            opens_at: rfc(c.opens_at),
            closes_at: rfc(c.closes_at),
            responses_received: c.responses_received,
        }
    }
}

/// A section of the document.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionOut {
    pub id: i64,
    pub position: i32,
    pub heading: String,
    pub content: String,
}

/// A question.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionOut {
    pub id: i64,
    pub position: i32,
    pub prompt: String,
    /// `free_text`, `single_choice` or `agree_scale`.
    pub kind: String,
    pub choices: Vec<String>,
    pub required: bool,
    pub section_id: Option<i64>,
}

/// A body of the proposed structure.
#[derive(Debug, Serialize, ToSchema)]
pub struct BodyOut {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
    /// `proposed`, `existing` or `disbanded`.
    pub status: String,
    pub role: String,
    pub membership: String,
    pub meets: String,
}

/// A link: `from_body_id` *relation* `to_body_id`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkOut {
    pub id: i64,
    pub from_body_id: i64,
    pub to_body_id: i64,
    /// `reports_to`, `commissions`, `informs` or `two_way`.
    pub relation: String,
    pub note: Option<String>,
}

/// A consultation with its document and structure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationOut {
    pub consultation: ConsultationListing,
    pub sections: Vec<SectionOut>,
    pub questions: Vec<QuestionOut>,
    pub bodies: Vec<BodyOut>,
    pub links: Vec<LinkOut>,
}

impl From<&Document> for ConsultationOut {
    fn from(d: &Document) -> Self {
        Self {
            consultation: ConsultationListing::from(&d.consultation),
            sections: d
                .sections
                .iter()
                .map(|s| SectionOut {
                    id: s.id.0,
                    position: s.position,
                    heading: s.heading.clone(),
                    content: s.content.clone(),
                })
                .collect(),
            questions: d
                .questions
                .iter()
                .map(|q| QuestionOut {
                    id: q.id.0,
                    position: q.position,
                    prompt: q.prompt.clone(),
                    kind: q.kind.as_str().into(),
                    choices: q.choice_list(),
                    required: q.required,
                    section_id: q.section_id.map(|s| s.0),
                })
                .collect(),
            bodies: d
                .bodies
                .iter()
                .map(|b| BodyOut {
                    id: b.id.0,
                    name: b.name.clone(),
                    short_name: b.short_name.clone(),
                    status: b.status.as_str().into(),
                    role: b.role.clone(),
                    membership: b.membership.clone(),
                    meets: b.meets.clone(),
                })
                .collect(),
            links: d
                .links
                .iter()
                .map(|l| LinkOut {
                    id: l.id.0,
                    from_body_id: l.from_body_id.0,
                    to_body_id: l.to_body_id.0,
                    relation: l.relation.as_str().into(),
                    note: l.note.clone(),
                })
                .collect(),
        }
    }
}

/// The id of something created.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The next status: `open`, `closed` or `published`. (Missing is
    /// answered as a field error, after the caller's role is checked.)
    #[serde(default)]
    #[schema(required = true, pattern = "^(open|closed|published)$")]
    pub status: String,
    /// Publishing before every public issue has an agreed response (or
    /// with responses held or not checked for redaction) needs the
    /// officer's reason, which is recorded.
    #[serde(default)]
    #[schema(nullable = true, max_length = 1000, pattern = "^text?$")]
    pub override_reason: Option<String>,
}

/// An answer to a question.
#[derive(Debug, ToSchema)]
#[schema(max_length = 10000, pattern = "^text?$")]
pub struct Answer(
    #[expect(dead_code, reason = "it only describes the schema of an answer")] String,
);

/// Credentials for a bearer token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

/// A bearer token for staff API calls.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    /// Send as `Authorization: Bearer …`.
    pub token: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
}

/// The organisation or committee responding.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationIn {
    #[schema(max_length = 200, pattern = "^line$")]
    pub name: String,
    /// The kind of organisation.
    #[schema(
        pattern = "^(county_council|district_council|scrutiny_committee|partnership|residents_association|police|business|voluntary_sector|other)$"
    )]
    pub kind: String,
}

/// A further consultee of a joint response (a row left blank, name and
/// kind, is skipped).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JointIn {
    #[schema(max_length = 200, pattern = "^line?$")]
    pub name: String,
    /// The kind of consultee.
    #[schema(
        pattern = "^(county_council|district_council|scrutiny_committee|partnership|residents_association|police|business|voluntary_sector|individual|other)?$"
    )]
    pub kind: String,
}

/// One point; it becomes one issue.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointIn {
    /// The point (a blank one is skipped).
    #[schema(max_length = 10000, pattern = "^text?$")]
    pub text: String,
    /// Sections of the document the point is about (each once).
    #[serde(default, deserialize_with = "crate::domain::number::integers")]
    #[schema(max_items = 100)]
    pub section_ids: Vec<i64>,
    /// Bodies of the proposed structure the point is about (each once).
    #[serde(default, deserialize_with = "crate::domain::number::integers")]
    #[schema(max_items = 100)]
    pub body_ids: Vec<i64>,
}

/// A response submitted through the API. The same limits hold as on the
/// web form and in an import: up to 50 points of up to 10,000 characters,
/// 50,000 characters in all, up to 10 joint organisations.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionIn {
    /// The person responding.
    #[schema(max_length = 200, pattern = "^line$")]
    pub name: String,
    /// For a receipt, and the outcome if asked (never published).
    #[serde(default)]
    #[schema(max_length = 254, nullable = true, pattern = "^email?$")]
    pub email: Option<String>,
    /// Set when responding for an organisation or committee.
    #[serde(default)]
    #[schema(nullable = true)]
    pub organisation: Option<OrganisationIn>,
    /// Further organisations of a joint response.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub joint: Vec<JointIn>,
    /// Answers by question id: free text up to 10,000 characters, or one of
    /// a choice question's choices (a blank answer is no answer).
    #[serde(default, deserialize_with = "crate::domain::number::integer_keys")]
    #[schema(value_type = std::collections::BTreeMap<String, Answer>)]
    pub answers: std::collections::BTreeMap<i64, String>,
    /// The points made; each becomes an issue.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub points: Vec<PointIn>,
    /// `with_names`, `anonymous` or `not_published`.
    #[schema(value_type = String, pattern = "^(with_names|anonymous|not_published)$")]
    pub publication: String,
    /// Send an e-mail to `email` when the outcome is published.
    #[serde(default)]
    pub tell_me_outcome: bool,
}

impl SubmissionIn {
    /// The submission as the web form would have typed it, for the one
    /// validator of responses.
    pub fn into_draft(self) -> SubmissionDraft {
        let organisation = |o: OrganisationIn| OrganisationDraft {
            name: o.name,
            kind: o.kind,
        };
        let joint = |o: JointIn| OrganisationDraft {
            name: o.name,
            kind: o.kind,
        };
        let ids = |ids: Vec<i64>| ids.into_iter().map(|id| id.to_string()).collect();
        SubmissionDraft {
            name: self.name,
            email: self.email.unwrap_or_default(),
            on_behalf: if self.organisation.is_some() {
                "yes"
            } else {
                "no"
            }
            .into(),
            organisation: self.organisation.map(organisation).unwrap_or_default(),
            joint: self.joint.into_iter().map(joint).collect(),
            answers: self.answers,
            issues: self
                .points
                .into_iter()
                .map(|p| IssueDraft {
                    text: p.text,
                    sections: ids(p.section_ids),
                    bodies: ids(p.body_ids),
                })
                .collect(),
            publication: self.publication,
            tell_me_outcome: self.tell_me_outcome,
            honeypot: String::new(),
        }
    }
}

/// What a consultee gets back.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptOut {
    /// E.g. `CHL-0010`.
    pub reference: String,
    /// The private page where the response can be seen and changed until
    /// the closing time.
    pub private_link: String,
}
